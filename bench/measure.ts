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

/**
 * Takes `count` samples of every side, one sample of each side in turn, the order rotated every sample.
 * Why not one side's samples in a block: workerd evicts a Durable Object idle for about 10 s, and the first
 * connect to an evicted instance costs two to three times a warm one. Measured in blocks, a side whose last
 * block ended longer ago (its place in the order) paid that on more samples: two identical Workers measured
 * 10-19% apart on connect p50. Interleaved, every side's instances are used at the same pace, and rotating
 * the order gives each side each place (after which other Worker's close) equally often.
 */
export const interleaved = async <S extends string | number>(
  sides: ReadonlyArray<S>,
  count: number,
  offset: number,
  sample: (side: S, i: number) => Promise<number | undefined>
): Promise<Record<S, Array<number>>> => {
  const samples = Object.fromEntries(sides.map((side) => [side, [] as Array<number>])) as Record<S, Array<number>>
  for (let i = 0; i < count; i++) {
    const turn = (i + offset) % sides.length
    for (const side of [...sides.slice(turn), ...sides.slice(0, turn)]) {
      const value = await sample(side, i)
      if (value !== undefined) samples[side].push(value)
    }
  }
  return samples
}

/** One connect -> first frame latency to one of ten warm instances (the close is not timed). */
export const connectLatency = async (wsOrigin: string, i: number): Promise<number | undefined> => {
  const result = await connectToFirstFrame(`${wsOrigin}/agents/coder-agent/bench-connect-${i % 10}`)
  if (result instanceof Error) return undefined
  await closeSocket(result.socket)
  return result.ms
}

/** Opens the connection `pingRoundTrip` uses. */
export const openPingSocket = async (wsOrigin: string): Promise<WebSocket | undefined> => {
  const opened = await connectToFirstFrame(`${wsOrigin}/agents/coder-agent/bench-ping`)
  return opened instanceof Error ? undefined : opened.socket
}

/** One ping -> pong round trip on an open connection. */
export const pingRoundTrip = (socket: WebSocket): Promise<number | undefined> =>
  new Promise((resolve) => {
    if (socket.readyState !== WebSocket.OPEN) return resolve(undefined)
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

/** One HTTP GET latency to the agent. */
export const httpLatency = async (origin: string): Promise<number | undefined> => {
  const started = performance.now()
  const response = await fetch(`${origin}/agents/coder-agent/bench-http`)
  await response.arrayBuffer()
  return response.ok ? performance.now() - started : undefined
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
