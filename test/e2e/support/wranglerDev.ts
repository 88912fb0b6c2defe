/**
 * Starts the Worker exactly as `npm run dev` does (`wrangler dev`, local workerd), on free loopback ports
 * with its own persistence directory, and collects every line it prints.
 */
import { spawn } from "node:child_process"
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { collectLines, eventsIn } from "./output.js"
import { freePort } from "./ports.js"

/** A running local Worker. */
export interface LocalWorker {
  readonly origin: string
  readonly wsOrigin: string
  readonly persistTo: string
  /** Every line printed so far (stdout and stderr); none with `output: "file"`. */
  readonly lines: Array<string>
  /** The `request.completed` JSON lines so far, parsed. */
  readonly completed: () => Array<Record<string, unknown>>
  readonly stop: () => Promise<void>
}

const root = resolve(import.meta.dirname, "../../..")

/** How `startWranglerDev` is configured. */
export interface WranglerDevOptions {
  readonly config?: string
  /** The entry module, when not the configuration's `main`. */
  readonly script?: string
  readonly persistTo?: string
  readonly vars?: Record<string, string>
  /** Requested until it answers (any status) to decide the Worker is up. */
  readonly readyPath?: string
  readonly pollMs?: number
  /**
   * `collect` (default) keeps every printed line in `lines`; `file` writes them to `wrangler.log` in the
   * persistence directory instead, so a benchmark's own process spends no CPU reading the Worker's output.
   */
  readonly output?: "collect" | "file"
}

/**
 * Starts `wrangler dev` and resolves once it answers `readyPath` (default `/`) with any status. A free port
 * can be taken by another process between being picked and being bound (test files run in parallel and
 * workerd opens ports of its own), so "address already in use" is retried on new ports.
 */
export const startWranglerDev = async (options: WranglerDevOptions = {}): Promise<LocalWorker> => {
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(options)
    if (typeof started !== "string") return started
    if (attempt >= 3 || !started.includes("Address already in use")) throw new Error(started)
  }
}

/** One start on fresh ports: the worker, or the reason it did not come up. */
const startOnce = async (options: WranglerDevOptions): Promise<LocalWorker | string> => {
  const port = await freePort()
  const inspectorPort = await freePort()
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "agents-router-e2e-"))
  const logFile = join(persistTo, "wrangler.log")
  const output = options.output === "file" ? openSync(logFile, "a") : "pipe"
  const child = spawn(
    process.execPath,
    [
      join(root, "node_modules/wrangler/bin/wrangler.js"),
      "dev",
      ...(options.script === undefined ? [] : [options.script]),
      "--config", options.config ?? join(root, "wrangler.toml"),
      "--ip", "127.0.0.1",
      "--port", String(port),
      "--inspector-port", String(inspectorPort),
      "--persist-to", persistTo,
      "--show-interactive-dev-session=false",
      ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`])
    ],
    { cwd: root, detached: true, stdio: ["ignore", output, output], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } }
  )
  if (typeof output === "number") closeSync(output)
  const lines: Array<string> = []
  if (child.stdout !== null) collectLines(child.stdout, lines)
  if (child.stderr !== null) collectLines(child.stderr, lines)
  const printed = () => (typeof output === "number" ? readFileSync(logFile, "utf8").split("\n") : lines)
  const exited = new Promise<void>((done) => child.once("exit", () => done()))
  const origin = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM")
      } catch {
        // Already gone.
      }
      const killed = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 5_000)
      await exited
      clearTimeout(killed)
    }
  }
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    const up = await fetch(`${origin}${options.readyPath ?? "/"}`).then(
      (r) => r.body?.cancel().then(() => true, () => true) ?? true,
      () => false
    )
    if (up) {
      return {
        origin,
        wsOrigin: `ws://127.0.0.1:${port}`,
        persistTo,
        lines,
        completed: () => eventsIn(lines, "request.completed"),
        stop
      }
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250))
  }
  await stop()
  return `wrangler dev did not start on ${origin}:\n${printed().slice(-40).join("\n")}`
}
