/** A small promise-based wrapper over `ws` for end-to-end tests: connect, wait for frames, send. */
import WebSocket from "ws"

/** An open test connection and the text frames it has received. */
export interface TestSocket {
  readonly socket: WebSocket
  readonly frames: Array<Record<string, unknown>>
  /** Resolves with the first frame (received or future) of the given `type`. */
  readonly next: (type: string, timeoutMs?: number) => Promise<Record<string, unknown>>
  readonly send: (frame: unknown) => void
  readonly close: () => Promise<void>
}

/** How a connection attempt ended when it did not open: the HTTP answer the server gave instead. */
export interface Refused {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

/** Opens a WebSocket; resolves with the socket, or with the refusal status and body. */
export const connect = (url: string, headers: Record<string, string> = {}): Promise<TestSocket | Refused> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    const frames: Array<Record<string, unknown>> = []
    const waiters: Array<() => void> = []
    socket.on("message", (data, isBinary) => {
      if (!isBinary) frames.push(JSON.parse(String(data)) as Record<string, unknown>)
      for (const wake of waiters.splice(0)) wake()
    })
    socket.once("unexpected-response", (_req, res) => {
      let body = ""
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    socket.once("error", reject)
    socket.once("open", () => {
      const next = (type: string, timeoutMs = 10_000) =>
        new Promise<Record<string, unknown>>((found, fail) => {
          const timer = setTimeout(() => fail(new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs)
          const look = () => {
            const frame = frames.find((f) => f["type"] === type)
            if (frame !== undefined) {
              clearTimeout(timer)
              frames.splice(frames.indexOf(frame), 1)
              found(frame)
            } else waiters.push(look)
          }
          look()
        })
      const close = () =>
        new Promise<void>((done) => {
          if (socket.readyState === WebSocket.CLOSED) return done()
          socket.once("close", () => done())
          socket.close(1000, "done")
        })
      resolve({ socket, frames, next, send: (frame) => socket.send(JSON.stringify(frame)), close })
    })
  })

/** Narrows a connection result to an open socket, failing the test with the refusal otherwise. */
export const opened = (result: TestSocket | Refused): TestSocket => {
  if ("socket" in result) return result
  throw new Error(`expected the WebSocket to open, got ${result.status}: ${result.body}`)
}

/** How a refused connection ended: the close code and reason the server sent, and any frame before it. */
export interface Closed {
  readonly code: number
  readonly reason: string
  readonly frames: ReadonlyArray<string>
}

/**
 * Opens a WebSocket and resolves with how the server closed it (a refused upgrade is accepted and closed
 * with a code and reason), or with the HTTP refusal when the handshake was answered without upgrading.
 */
export const closeOf = (url: string, headers: Record<string, string> = {}): Promise<Closed | Refused> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    const frames: Array<string> = []
    socket.on("message", (data) => frames.push(String(data)))
    socket.once("unexpected-response", (_req, res) => {
      let body = ""
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    socket.once("error", reject)
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString("utf8"), frames }))
  })
