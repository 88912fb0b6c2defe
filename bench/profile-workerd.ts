/**
 * CPU profile of the router inside workerd: the deploy bundle served by Miniflare with its inspector on,
 * sampled over N sequential agent GETs through the DevTools protocol. Writes a `.cpuprofile` that Chrome
 * DevTools (Performance tab) or `node --cpu-prof`-style tooling can read.
 *
 *   npm run bench:profile -- [--requests 3000] [--out /tmp/router.cpuprofile]
 */
import { writeFileSync } from "node:fs"
import WebSocket from "ws"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { freePort } from "../test/e2e/support/ports.js"
import { intOption, options } from "../scripts/stats.js"
import { serveBundle } from "./serveBundle.js"

const opts = options(process.argv.slice(2))
const requests = intOption(opts, "requests", 3_000)
const out = opts.get("out") ?? "/tmp/router.cpuprofile"

const main = async () => {
  const bundle = bundleWorker()
  const inspectorPort = await freePort()
  // The runtime's output is dropped: a profile should not pay for reading it.
  const served = await serveBundle({ name: "router", bundle, inspectorPort })
  const origin = served.origin
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
  await served.stop()
}

void main()
