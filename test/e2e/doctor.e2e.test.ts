/**
 * `npm run doctor` against hostile loopback servers of this test's own: a server that answers with
 * terminal escape codes, one that trickles, one that sends a huge body, and one that redirects. The doctor
 * prints nothing it received raw, stays within its limits and says which was hit, and never calls a
 * redirect healthy. (Against the real Worker: handshake.e2e.test.ts.)
 */
import { execFile } from "node:child_process"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { WebSocketServer } from "ws"

const root = resolve(import.meta.dirname, "../..")
const servers: Array<Server> = []

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((done) => server.close(done))
  }
})

/** Runs the doctor with `args`; resolves with its exit code, output and how long it took. */
const doctor = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; output: string; ms: number }>((done) => {
    const started = Date.now()
    execFile(
      process.execPath,
      [join(root, "node_modules/vite-node/vite-node.mjs"), join(root, "scripts/doctor.ts"), "--", ...args],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, output: stdout + stderr, ms: Date.now() - started })
    )
  })

/** A loopback server answering HTTP with `http` and WebSocket upgrades with `upgrade`; resolves with its origin. */
const serve = async (
  http: (req: IncomingMessage, res: ServerResponse) => void,
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
): Promise<string> => {
  const server = createServer(http)
  server.on("upgrade", upgrade)
  servers.push(server)
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

const ESC = "\u001b"
const BEL = "\u0007"
const wss = new WebSocketServer({ noServer: true })
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))

describe("npm run doctor against hostile servers", () => {
  it("escape codes in /health, a problem's reason and a close reason are printed escaped, never raw", async () => {
    const host = await serve(
      (req, res) =>
        req.url === "/health"
          ? json(res, 200, { status: `ok${ESC}]52;c;ZXZpbA==${BEL}`, agents: [{ agent: `${ESC}[2JEvil${ESC}]0;title${BEL}`, url: "/x" }] })
          : json(res, 404, { reason: `agent_not_found${ESC}[31m`, detail: `${ESC}[2J` }),
      (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.close(4404, `agent_not_found${ESC}]52;c;ZXZpbA==${BEL}`))
    )
    const { code, output } = await doctor([`ws://${host}/agents/nosuch/default`])
    expect(output).not.toContain(ESC)
    expect(output).not.toContain(BEL)
    expect(output).toContain("\\u001b]52;c;ZXZpbA==\\u0007")
    expect(output).toContain("closed by the server with 4404")
    expect(code).toBe(1)
  })

  it("a body that trickles a byte a second: each probe stops at the time limit and says so", async () => {
    const trickle = (res: ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json" })
      const timer = setInterval(() => res.write(" "), 1_000)
      res.on("close", () => clearInterval(timer))
    }
    const host = await serve(
      (_req, res) => trickle(res),
      // Accepts the socket and then says nothing: no identity frame ever comes.
      (req, socket, head) => wss.handleUpgrade(req, socket, head, () => undefined)
    )
    const { code, ms, output } = await doctor([`ws://${host}/agents/coderagent/default`, "--timeout-ms", "1500"])
    expect(output).toContain("/health:    no complete answer within 1500 ms (time limit hit)")
    expect(output).toContain("WebSocket:  no identity frame within 1500 ms (time limit hit)")
    expect(ms).toBeLessThan(12_000)
    expect(code).toBe(1)
  })

  it("a huge body is not read past the size limit, and the doctor says so", async () => {
    const chunk = "x".repeat(65_536)
    const host = await serve(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        for (let i = 0; i < 80; i++) res.write(chunk)
        res.end()
      },
      (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.send("y".repeat(2_000_000)))
    )
    const { code, output } = await doctor([`ws://${host}/agents/coderagent/default`, "--max-bytes", "100000"])
    expect(output).toContain("/health:    200, but the body is over 100000 bytes (size limit hit; not read)")
    expect(output).toMatch(/WebSocket: {2}unreachable \(.*[Mm]ax payload size exceeded\)/)
    expect(code).toBe(1)
  })

  it("a redirect is reported, not followed, and never called healthy", async () => {
    const elsewhere = await serve(
      (_req, res) => json(res, 200, { status: "ok" }),
      (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({ type: "cf_agent_identity" })))
    )
    const host = await serve(
      (req, res) => void res.writeHead(307, { location: `http://${elsewhere}${req.url ?? "/"}` }).end(),
      (req, socket) => socket.end(`HTTP/1.1 302 Found\r\nLocation: http://${elsewhere}${req.url ?? "/"}\r\nContent-Length: 0\r\n\r\n`)
    )
    const { code, output } = await doctor([`ws://${host}/agents/coderagent/default`])
    expect(output).toContain(`HTTP GET:   307 redirect to http://${elsewhere}/agents/coderagent/default (not followed)`)
    expect(output).toContain("refused with a 302 redirect")
    expect(output).toContain("WebSocket clients (browsers, AgentClient) do not follow")
    expect(output).not.toContain("Nothing to fix")
    expect(code).toBe(1)
  })

  it("--help describes every option, in plain text when the output is not a terminal", async () => {
    const { code, output } = await doctor(["--help"])
    expect(output).not.toContain(ESC)
    for (const option of ["--token", "--diagnostics-token", "--timeout-ms", "--max-bytes", "<url>"]) expect(output).toContain(option)
    expect(code).toBe(0)
  })
})
