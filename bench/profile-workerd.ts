/**
 * CPU profile of the router inside workerd: the deploy bundle served by Miniflare with its inspector on,
 * sampled over N sequential agent GETs through the DevTools protocol. Writes a `.cpuprofile` that Chrome
 * DevTools (Performance tab) or `node --cpu-prof`-style tooling can read.
 *
 *   npm run bench:profile -- [--requests 3000] [--out /tmp/router.cpuprofile]
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare"
import WebSocket from "ws"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { freePort } from "../test/e2e/support/ports.js"
import { intOption, options } from "../scripts/stats.js"

const opts = options(process.argv.slice(2))
const requests = intOption(opts, "requests", 3_000)
const out = opts.get("out") ?? "/tmp/router.cpuprofile"

const main = async () => {
  const bundle = bundleWorker()
  const inspectorPort = await freePort()
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "router",
      modules: true,
      scriptPath: join(bundle, "worker.js"),
      modulesRoot: bundle,
      compatibilityDate: "2026-11-17",
      compatibilityFlags: ["nodejs_compat"],
      durableObjects: { CoderAgent: { className: "CoderAgent", useSQLite: true } },
      host: "127.0.0.1",
      port: 0,
      inspectorPort,
      log: new Log(LogLevel.NONE),
      // Drop the runtime's output: a profile should not pay for reading it.
      handleStructuredLogs: () => undefined
    })
  )
  const origin = (await mf.ready).origin
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/core:user:router`)
  await new Promise((resolve) => socket.once("open", resolve))
  let next = 0
  const waiting = new Map<number, (result: unknown) => void>()
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) waiting.get(message.id)?.(message.result)
  })
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++next
      waiting.set(id, resolve)
      socket.send(JSON.stringify({ id, method, params }))
    })
  const load = async (count: number) => {
    for (let i = 0; i < count; i++) await (await fetch(`${origin}/agents/coder-agent/profiled`)).arrayBuffer()
  }
  await load(300)
  await call("Profiler.enable")
  await call("Profiler.setSamplingInterval", { interval: 50 })
  await call("Profiler.start")
  await load(requests)
  const result = (await call("Profiler.stop")) as { profile: unknown }
  writeFileSync(out, JSON.stringify(result.profile))
  console.log(`wrote ${out} (${requests} requests)`)
  socket.close()
  await mf.dispose()
}

void main()
