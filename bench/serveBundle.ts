/** A deploy bundle served by its own Miniflare for the benchmarks, its output dropped (reading it costs). */
import { join } from "node:path"
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare"

/** Serves `script` of `bundle` with CoderAgent bound; `inspectorPort` turns the inspector on (profiles). */
export const serveBundle = async (options: { readonly name: string; readonly bundle: string; readonly script?: string; readonly inspectorPort?: number }) => {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: options.name,
      modules: true,
      scriptPath: join(options.bundle, options.script ?? "worker.js"),
      modulesRoot: options.bundle,
      compatibilityDate: "2026-11-17",
      compatibilityFlags: ["nodejs_compat"],
      durableObjects: { CoderAgent: { className: "CoderAgent", useSQLite: true } },
      host: "127.0.0.1",
      port: 0,
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      log: new Log(LogLevel.NONE),
      handleStructuredLogs: () => undefined
    })
  )
  const url = await mf.ready
  return { origin: url.origin, wsOrigin: url.origin.replace(/^http/, "ws"), stop: () => mf.dispose() }
}
