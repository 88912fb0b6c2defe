/**
 * The bundled Worker (`wrangler deploy --dry-run --outdir`, what `npm run deploy` uploads) served by
 * Miniflare's own server. Unlike `wrangler dev`, whose proxy re-creates WebSocket handshakes, Miniflare
 * hands the Worker the headers the client sent, so handshake rules can be tested end to end.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare, type V4WorkerOptions } from "miniflare"
import { unstable_getMiniflareWorkerOptions } from "wrangler"
import { eventsIn } from "./output.js"

const root = resolve(import.meta.dirname, "../../..")

/**
 * Bundles a Worker as `wrangler deploy` would (the shipped one unless `config` names another; `minify` as
 * `npm run deploy` does) and returns the output directory, which holds `worker.js` (or, for `script`, the
 * entry's name with `.js`).
 */
export const bundleWorker = (options: { readonly config?: string; readonly minify?: boolean; readonly script?: string } = {}): string => {
  const outdir = mkdtempSync(join(tmpdir(), "agents-router-bundle-"))
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules/wrangler/bin/wrangler.js"),
      "deploy",
      "--dry-run",
      ...(options.script === undefined ? [] : [options.script]),
      "--outdir",
      outdir,
      "--config",
      options.config ?? join(root, "wrangler.toml"),
      ...(options.minify === true ? ["--minify"] : [])
    ],
    { cwd: root, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } }
  )
  return outdir
}

/** A running Miniflare instance of the bundle. */
export interface MiniflareWorker {
  readonly origin: string
  /** Every line the Worker printed so far. */
  readonly lines: Array<string>
  readonly completed: () => Array<Record<string, unknown>>
  /** A Durable Object namespace of the Worker, to call an agent directly (no router in between). */
  readonly namespace: (binding: string) => ReturnType<Miniflare["getDurableObjectNamespace"]>
  readonly stop: () => Promise<void>
}

/**
 * Serves `bundleDir` with the bindings wrangler.toml declares; `withoutBindings` drops the Durable Object
 * bindings (the classic deployment mistake), `bindCoderAgentAs` binds the CoderAgent class under another
 * name (a renamed binding), and `vars` overrides vars.
 */
export const startMiniflare = async (
  bundleDir: string,
  options: {
    readonly withoutBindings?: boolean
    readonly bindCoderAgentAs?: string
    readonly vars?: Record<string, string>
    /** The configuration whose bindings to serve (default: the shipped wrangler.toml). */
    readonly config?: string
    /** The bundle's entry file (default `worker.js`: the shipped `main`). */
    readonly script?: string
  } = {}
): Promise<MiniflareWorker> => {
  // wrangler types these options loosely now; they are Miniflare 4 ("v4") worker options. The converter
  // rejects `modulesRules`, which a pre-built bundle does not need.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions(options.config ?? join(root, "wrangler.toml"))
    .workerOptions as V4WorkerOptions
  const coder = workerOptions.durableObjects?.["CoderAgent"]
  const renamed = options.bindCoderAgentAs === undefined || coder === undefined ? {} : { durableObjects: { [options.bindCoderAgentAs]: coder } }
  const lines: Array<string> = []
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      bindings: { ...workerOptions.bindings, ...options.vars },
      ...(options.withoutBindings === true ? { durableObjects: {} } : {}),
      ...renamed,
      name: "agents-edge-router",
      modules: true,
      scriptPath: join(bundleDir, options.script ?? "worker.js"),
      modulesRoot: bundleDir,
      host: "127.0.0.1",
      port: 0,
      log: new Log(LogLevel.WARN),
      // Miniflare 5 hands the Worker's output over line by line.
      handleStructuredLogs: (log) => lines.push(...log.message.split("\n"))
    })
  )
  const url = await mf.ready
  return {
    origin: url.origin,
    lines,
    completed: () => eventsIn(lines, "request.completed"),
    namespace: (binding) => mf.getDurableObjectNamespace(binding),
    stop: () => mf.dispose()
  }
}
