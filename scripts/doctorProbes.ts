/**
 * What `npm run doctor` looks at, and what it concludes: `/health`, the agent URL over HTTP and over
 * WebSocket, and `/_diagnostics` with a token; then, in words, what is wrong and what to change. Probes are
 * Effects that never fail: a network error is a finding too.
 */
import { Effect, Option } from "effect"
import WebSocket from "ws"

/** The agent URL to probe, as the user gave it (`ws`, `wss`, `http` or `https`). */
export interface Target {
  readonly httpUrl: URL
  readonly wsUrl: URL
}

/** Reads a URL in any of the four schemes; `None` when it is not one. */
export const targetOf = (raw: string): Option.Option<Target> => {
  const parsed = Option.liftThrowable(() => new URL(raw))()
  return Option.flatMap(parsed, (url) => {
    const secure = url.protocol === "https:" || url.protocol === "wss:"
    if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return Option.none()
    const httpUrl = new URL(url)
    httpUrl.protocol = secure ? "https:" : "http:"
    const wsUrl = new URL(url)
    wsUrl.protocol = secure ? "wss:" : "ws:"
    return Option.some({ httpUrl, wsUrl })
  })
}

/** An HTTP answer: status, the headers that matter, and the body (parsed when JSON). */
export type HttpFinding =
  | { readonly _tag: "Answered"; readonly status: number; readonly requestId: string | null; readonly body: unknown }
  | { readonly _tag: "Unreachable"; readonly error: string }

/** How a WebSocket attempt ended. */
export type WsFinding =
  | { readonly _tag: "Open"; readonly identity: unknown }
  | { readonly _tag: "Closed"; readonly code: number; readonly reason: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly body: string }
  | { readonly _tag: "Unreachable"; readonly error: string }

const parseBody = (text: string): unknown => Option.getOrElse(Option.liftThrowable(() => JSON.parse(text) as unknown)(), () => text)

/** GET `url` with `headers`. */
export const httpGet = (url: URL, headers: Record<string, string>): Effect.Effect<HttpFinding> =>
  Effect.promise(() =>
    fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(10_000) }).then(
      async (response): Promise<HttpFinding> => ({
        _tag: "Answered",
        status: response.status,
        requestId: response.headers.get("x-request-id"),
        body: parseBody(await response.text())
      }),
      (error: unknown): HttpFinding => ({ _tag: "Unreachable", error: error instanceof Error ? error.message : String(error) })
    )
  )

/** Opens a WebSocket and waits (at most 10 s) for the agent's identity frame, a close, or a refusal. */
export const wsProbe = (url: URL): Effect.Effect<WsFinding> =>
  Effect.async<WsFinding>((resume) => {
    const socket = new WebSocket(url.href)
    let settled = false
    const done = (finding: WsFinding) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resume(Effect.succeed(finding))
      socket.removeAllListeners()
      socket.on("error", () => undefined)
      socket.terminate()
    }
    const timer = setTimeout(() => done({ _tag: "Unreachable", error: "no answer within 10 s" }), 10_000)
    socket.on("message", (data) => {
      const frame = parseBody(String(data))
      if (typeof frame === "object" && frame !== null && Reflect.get(frame, "type") === "cf_agent_identity") done({ _tag: "Open", identity: frame })
    })
    socket.on("close", (code, reason) => done({ _tag: "Closed", code, reason: reason.toString("utf8") }))
    socket.on("unexpected-response", (_request, response) => {
      let body = ""
      response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      response.on("end", () => done({ _tag: "Refused", status: response.statusCode ?? 0, body }))
    })
    socket.on("error", (error) => done({ _tag: "Unreachable", error: error.message }))
    return Effect.sync(() => done({ _tag: "Unreachable", error: "interrupted" }))
  })

const field = (body: unknown, name: string): string | undefined => {
  const value = typeof body === "object" && body !== null ? Reflect.get(body, name) : undefined
  return typeof value === "string" ? value : undefined
}

/** The `reason` a finding carries: the problem body's, or the close reason's first word. */
export const reasonOf = (http: HttpFinding, ws: WsFinding): string | undefined =>
  (http._tag === "Answered" ? field(http.body, "reason") : undefined) ??
  (ws._tag === "Closed" && ws.code !== 1013 ? ws.reason.split(" ")[0] : undefined) ??
  (ws._tag === "Closed" && ws.code === 1013 ? "unavailable" : undefined)

/** The agents `/health` lists, as `name (url)`. */
const agentsIn = (health: HttpFinding): ReadonlyArray<string> => {
  if (health._tag !== "Answered") return []
  const agents: unknown = typeof health.body === "object" && health.body !== null ? Reflect.get(health.body, "agents") : undefined
  return Array.isArray(agents)
    ? agents.map((a: unknown) => `${field(a, "agent") ?? "?"} (${field(a, "url") ?? "?"})`)
    : []
}

/** What the doctor saw, and whether the agent answers. */
export interface Report {
  readonly lines: ReadonlyArray<string>
  readonly healthy: boolean
}

const describeHttp = (http: HttpFinding) =>
  http._tag === "Unreachable"
    ? `unreachable (${http.error})`
    : `${http.status}${field(http.body, "reason") === undefined ? "" : ` ${field(http.body, "reason")}`}${http.requestId === null ? "" : ` (request id ${http.requestId})`}`

const describeWs = (ws: WsFinding) =>
  ws._tag === "Open"
    ? `open; the agent introduced itself: ${JSON.stringify(ws.identity)}`
    : ws._tag === "Closed"
      ? `closed by the server with ${ws.code}${ws.reason === "" ? "" : ` "${ws.reason}"`}`
      : ws._tag === "Refused"
        ? `refused with HTTP ${ws.status}`
        : `unreachable (${ws.error})`

/** Turns the findings into words: what was seen, what is wrong, and what to change. */
export const diagnose = (input: {
  readonly target: Target
  readonly health: HttpFinding
  readonly http: HttpFinding
  readonly ws: WsFinding
  readonly diagnostics: Option.Option<HttpFinding>
  readonly tokenGiven: boolean
}): Report => {
  const { diagnostics, health, http, target, tokenGiven, ws } = input
  const seen = [
    `Probed ${target.wsUrl.href.replace(/token=[^&]+/, "token=...")}`,
    `  /health:    ${describeHttp(health)}${health._tag === "Answered" && field(health.body, "status") !== undefined ? ` ${field(health.body, "status")}` : ""}${agentsIn(health).length === 0 ? "" : `; agents: ${agentsIn(health).join(", ")}`}`,
    `  HTTP GET:   ${describeHttp(http)}`,
    `  WebSocket:  ${describeWs(ws)}`
  ]
  const healthy = ws._tag === "Open" || (http._tag === "Answered" && http.status < 400 && ws._tag !== "Closed")
  if (healthy) return { lines: [...seen, "", "The agent answers. Nothing to fix."], healthy }
  const reason = reasonOf(http, ws)
  const names = agentsIn(health)
  const problems = Option.match(diagnostics, {
    onNone: () => [] as Array<string>,
    onSome: (d) => {
      const agents: unknown = d._tag === "Answered" && typeof d.body === "object" && d.body !== null ? Reflect.get(d.body, "agents") : undefined
      return Array.isArray(agents) ? agents.flatMap((a: unknown) => (Array.isArray(Reflect.get(a as object, "problems")) ? (Reflect.get(a as object, "problems") as Array<string>) : [])) : []
    }
  })
  const advice = ((): ReadonlyArray<string> => {
    if (health._tag === "Unreachable" && http._tag === "Unreachable") {
      return [`Nothing answers at ${target.httpUrl.origin}: check the host and port, and that the Worker is running (npm run dev serves http://127.0.0.1:8787).`]
    }
    switch (reason) {
      case "agent_not_found":
      case "path_not_found":
        return [
          `No agent answers to that URL. Agents that exist: ${names.length === 0 ? "none" : names.join(", ")}.`,
          "Use /agents/{agent}/{instance} with one of those names (any case, hyphens or underscores: coderagent, CoderAgent, coder-agent, coder_agent)."
        ]
      case "missing_binding":
      case "unavailable": {
        const agent = field(http._tag === "Answered" ? http.body : undefined, "agent") ?? "CoderAgent"
        return [
          "The agent is declared but the deployed Worker has no Durable Object binding for it (or it is failing).",
          "Add to wrangler.toml, then deploy again:",
          "  [[durable_objects.bindings]]",
          `  name = "${agent}"`,
          `  class_name = "${agent}"`,
          "  [[migrations]]",
          '  tag = "v1"',
          `  new_sqlite_classes = ["${agent}"]`,
          `and export ${agent} from the Worker's entry module.`,
          ...(problems.length > 0 ? ["/_diagnostics says:", ...problems.map((p) => `  - ${p}`)] : ["(with --diagnostics-token the doctor also reads /_diagnostics for the exact binding name)"])
        ]
      }
      case "origin_not_allowed":
        return ["This Origin is not on the allow-list: add it to the ALLOWED_ORIGINS var (comma-separated), e.g. ALLOWED_ORIGINS = \"https://app.example\"."]
      case "missing_credentials":
        return [
          "The service needs a token. Pass one: npm run doctor -- <url> --token <token>.",
          "Clients send it as Authorization: Bearer <token>, or ?token=<token> for browser WebSockets (AgentClient: query: { token })."
        ]
      case "instance_forbidden":
        return ["The token is valid but this instance belongs to another user: open {you} or {you}:{name} (the token's sub)."]
      case "rate_limited":
        return ["Too many failed authentications from this address: wait a minute, then retry with a valid token."]
      case undefined:
        return ["The agent did not answer, and the router said nothing more: check the Worker's logs (request.completed lines)."]
      default:
        return reason.startsWith("token_") || reason === "invalid_credentials"
          ? [`The token was refused (${reason}).${tokenGiven ? "" : " Pass one with --token."} Get a fresh, valid token for this service.`]
          : [`The router refused the request (${reason}): ${field(http._tag === "Answered" ? http.body : undefined, "detail") ?? "see the reason"}`]
    }
  })()
  return { lines: [...seen, "", "What is wrong:", ...advice.map((line) => `  ${line}`)], healthy }
}
