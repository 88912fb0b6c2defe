/**
 * Load script (not a test): opens many concurrent WebSocket connections to the Worker in local workerd,
 * exchanges ping/pong on each, and reports what connected, what was lost, and connect / round-trip
 * latency. Starts its own `wrangler dev` on free loopback ports unless `--url` names a running one.
 *
 *   npm run load -- [--connections 2000] [--instances 200] [--pings 5] [--ramp 200] [--url http://127.0.0.1:8787]
 */
import { performance } from "node:perf_hooks"
import WebSocket from "ws"
import { startWranglerDev } from "../test/e2e/support/wranglerDev.js"
import { intOption, ms, options, quantile } from "./stats.js"

const opts = options(process.argv.slice(2))
const connections = intOption(opts, "connections", 2_000)
const instances = intOption(opts, "instances", 200)
const pings = intOption(opts, "pings", 5)
const ramp = intOption(opts, "ramp", 200)
const deadlineMs = intOption(opts, "timeout-ms", 300_000)

interface Client {
  readonly socket: WebSocket
  readonly connectMs: number
  readonly rtts: Array<number>
  received: number
}

const open = (url: string): Promise<Client | string> =>
  new Promise((resolve) => {
    const started = performance.now()
    const socket = new WebSocket(url)
    const timer = setTimeout(() => {
      socket.terminate()
      resolve("connect timeout")
    }, 30_000)
    socket.once("message", () => {
      clearTimeout(timer)
      resolve({ socket, connectMs: performance.now() - started, rtts: [], received: 0 })
    })
    socket.once("unexpected-response", (_req, res) => {
      clearTimeout(timer)
      resolve(`HTTP ${res.statusCode}`)
    })
    socket.once("error", (error) => {
      clearTimeout(timer)
      resolve(error.message)
    })
  })

/** Sends `count` pings one after another, each waiting for its pong. */
const exchange = (client: Client, count: number): Promise<void> =>
  new Promise((resolve) => {
    let sentAt = 0
    let left = count
    const timer = setTimeout(() => {
      client.socket.off("message", onMessage)
      resolve()
    }, 30_000)
    const sendNext = () => {
      if (left === 0) {
        clearTimeout(timer)
        client.socket.off("message", onMessage)
        return resolve()
      }
      left--
      sentAt = performance.now()
      client.socket.send('{"type":"ping"}')
    }
    const onMessage = (data: WebSocket.RawData) => {
      if (!String(data).startsWith('{"type":"pong"')) return
      client.rtts.push(performance.now() - sentAt)
      client.received++
      sendNext()
    }
    client.socket.on("message", onMessage)
    sendNext()
  })

const main = async () => {
  const target = opts.get("url")
  const worker = target === undefined ? await startWranglerDev() : undefined
  const base = (target ?? worker?.origin ?? "").replace(/^http/, "ws")
  const runId = Date.now().toString(36)
  const started = performance.now()
  const guard = setTimeout(() => {
    console.error(`load: gave up after ${deadlineMs} ms`)
    process.exit(2)
  }, deadlineMs)
  try {
    const clients: Array<Client> = []
    const failures = new Map<string, number>()
    for (let first = 0; first < connections; first += ramp) {
      const wave = Array.from({ length: Math.min(ramp, connections - first) }, (_, k) =>
        open(`${base}/agents/coder-agent/load-${runId}-${(first + k) % instances}`)
      )
      for (const result of await Promise.all(wave)) {
        if (typeof result === "string") failures.set(result, (failures.get(result) ?? 0) + 1)
        else clients.push(result)
      }
    }
    const openAtOnce = clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length
    await Promise.all(clients.map((client) => exchange(client, pings)))
    const sent = clients.length * pings
    const received = clients.reduce((n, c) => n + c.received, 0)
    const connect = clients.map((c) => c.connectMs)
    const rtt = clients.flatMap((c) => c.rtts)
    await Promise.all(
      clients.map(
        (c) => new Promise<void>((done) => {
          c.socket.once("close", () => done())
          c.socket.close(1000, "load done")
          setTimeout(done, 5_000)
        })
      )
    )
    const report = {
      connections,
      instances,
      connected: clients.length,
      openAtOnce,
      failed: connections - clients.length,
      failures: Object.fromEntries(failures),
      messagesSent: sent,
      messagesReceived: received,
      lost: sent - received,
      connectP50Ms: ms(quantile(connect, 0.5)),
      connectP99Ms: ms(quantile(connect, 0.99)),
      roundTripP50Ms: ms(quantile(rtt, 0.5)),
      roundTripP99Ms: ms(quantile(rtt, 0.99)),
      durationS: ((performance.now() - started) / 1000).toFixed(1)
    }
    console.log(JSON.stringify(report, null, 2))
    process.exitCode = report.lost === 0 && report.failed === 0 ? 0 : 1
  } finally {
    clearTimeout(guard)
    await worker?.stop()
  }
}

void main()
