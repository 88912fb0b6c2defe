/** The end-to-end measurements `npm run bench` takes of one running Worker. */
import { performance } from "node:perf_hooks"
import WebSocket from "ws"

/** Opens a WebSocket and resolves with the milliseconds until its first frame. */
export const connectToFirstFrame = (url: string): Promise<{ ms: number; socket: WebSocket } | Error> =>
  new Promise((resolve) => {
    const started = performance.now()
    const socket = new WebSocket(url)
    const timer = setTimeout(() => {
      socket.terminate()
      resolve(new Error("timeout"))
    }, 30_000)
    socket.once("message", () => {
      clearTimeout(timer)
      resolve({ ms: performance.now() - started, socket })
    })
    socket.once("unexpected-response", (_req, res) => {
      clearTimeout(timer)
      resolve(new Error(`HTTP ${res.statusCode}`))
    })
    socket.once("error", (error) => {
      clearTimeout(timer)
      resolve(error)
    })
  })

/** Closes with a code (a code-less close is answered by workerd only after ~10 s) and waits. */
export const closeSocket = (socket: WebSocket): Promise<void> =>
  new Promise((done) => {
    if (socket.readyState === WebSocket.CLOSED) return done()
    const timer = setTimeout(() => {
      socket.terminate()
      done()
    }, 5_000)
    socket.once("close", () => {
      clearTimeout(timer)
      done()
    })
    socket.close(1000, "bench")
  })

/** Sequential connect -> first frame latencies over a set of warm instances. */
export const connectLatencies = async (wsOrigin: string, count: number): Promise<Array<number>> => {
  const samples: Array<number> = []
  for (let i = 0; i < count; i++) {
    const result = await connectToFirstFrame(`${wsOrigin}/agents/coder-agent/bench-connect-${i % 10}`)
    if (result instanceof Error) continue
    samples.push(result.ms)
    await closeSocket(result.socket)
  }
  return samples
}

/** Sequential ping -> pong round trips on one open connection. */
export const pingRoundTrips = async (wsOrigin: string, count: number): Promise<Array<number>> => {
  const opened = await connectToFirstFrame(`${wsOrigin}/agents/coder-agent/bench-ping`)
  if (opened instanceof Error) return []
  const { socket } = opened
  const samples: Array<number> = []
  for (let i = 0; i < count; i++) {
    const rtt = await new Promise<number | undefined>((resolve) => {
      const started = performance.now()
      const timer = setTimeout(() => {
        socket.off("message", onMessage)
        resolve(undefined)
      }, 10_000)
      const onMessage = (data: WebSocket.RawData) => {
        if (!String(data).startsWith('{"type":"pong"')) return
        clearTimeout(timer)
        socket.off("message", onMessage)
        resolve(performance.now() - started)
      }
      socket.on("message", onMessage)
      socket.send('{"type":"ping"}')
    })
    if (rtt !== undefined) samples.push(rtt)
  }
  await closeSocket(socket)
  return samples
}

/** Sequential HTTP GET latencies to the agent. */
export const httpLatencies = async (origin: string, count: number): Promise<Array<number>> => {
  const samples: Array<number> = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    const response = await fetch(`${origin}/agents/coder-agent/bench-http`)
    await response.arrayBuffer()
    if (response.ok) samples.push(performance.now() - started)
  }
  return samples
}

/** Requests per second for `total` GETs issued `concurrency` at a time. */
export const httpThroughput = async (origin: string, total: number, concurrency: number): Promise<number> => {
  let next = 0
  let ok = 0
  const started = performance.now()
  const worker = async () => {
    while (next < total) {
      next++
      const response = await fetch(`${origin}/agents/coder-agent/bench-http`)
      await response.arrayBuffer()
      if (response.ok) ok++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return ok / ((performance.now() - started) / 1000)
}

/** Opens `n` connections at once (to `n / 10` instances); time until all have a first frame, and failures. */
export const concurrentOpen = async (wsOrigin: string, n: number, tag: string) => {
  const started = performance.now()
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => connectToFirstFrame(`${wsOrigin}/agents/coder-agent/bench-fanout-${tag}-${i % Math.max(1, Math.floor(n / 10))}`))
  )
  const elapsedMs = performance.now() - started
  const sockets = results.flatMap((r) => (r instanceof Error ? [] : [r.socket]))
  await Promise.all(sockets.map(closeSocket))
  return { elapsedMs, failed: results.filter((r) => r instanceof Error).length }
}
