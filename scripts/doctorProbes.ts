/**
 * What `npm run doctor` looks at, and what it concludes: `/health`, the agent URL over HTTP and over
 * WebSocket, and `/_diagnostics` with a token; then, in words, what is wrong and what to change. Probes are
 * Effects that never fail: a network error is a finding too.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Duration, Effect, Option, Stream } from "effect"
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

/** How long each probe may take and how much it reads: a hostile server gets no more. */
export interface ProbeLimits {
  readonly timeoutMs: number
  readonly maxBytes: number
}

export const DEFAULT_LIMITS: ProbeLimits = { timeoutMs: 10_000, maxBytes: 1_048_576 }

/** An HTTP answer: status, the headers that matter, and the body (parsed when JSON); or why there is none. */
export type HttpFinding =
  | { readonly _tag: "Answered"; readonly status: number; readonly requestId: string | null; readonly body: unknown }
  | { readonly _tag: "Redirected"; readonly status: number; readonly location: string }
  | { readonly _tag: "TooLarge"; readonly status: number; readonly maxBytes: number }
  | { readonly _tag: "TimedOut"; readonly timeoutMs: number }
  | { readonly _tag: "Unreachable"; readonly error: string }

/** How a WebSocket attempt ended. */
export type WsFinding =
  | { readonly _tag: "Open"; readonly identity: unknown }
  | { readonly _tag: "Closed"; readonly code: number; readonly reason: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly body: string; readonly location: string | null }
  | { readonly _tag: "TimedOut"; readonly timeoutMs: number }
  | { readonly _tag: "Unreachable"; readonly error: string }

const parseBody = (text: string): unknown => Option.getOrElse(Option.liftThrowable(() => JSON.parse(text) as unknown)(), () => text)

/**
 * What the doctor prints of anything a server sent: control, format and bidi characters shown escaped
 * (`\u001b`), so a server cannot write to the operator's terminal (clipboard, title, screen).
 */
export const printable = (text: string): string =>
  text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`)

/** The innermost cause's message (an HttpClient error wraps fetch's "fetch failed", which wraps ECONNREFUSED). */
const rootMessage = (error: unknown): string =>
  error instanceof Error ? (error.cause === undefined ? error.message : rootMessage(error.cause)) : String(error)

/** GET `url` with `headers`, within `limits`, through `@effect/platform`'s HttpClient; a redirect is reported, not followed. */
export const httpGet = (
  url: URL,
  headers: Record<string, string>,
  limits: ProbeLimits = DEFAULT_LIMITS
): Effect.Effect<HttpFinding, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders({ accept: "application/json", ...headers })))
    if (response.status >= 300 && response.status < 400) {
      return { _tag: "Redirected", status: response.status, location: response.headers["location"] ?? "" } satisfies HttpFinding
    }
    // The body, up to one byte past the limit: the stream is cut there and the rest never read.
    const chunks = yield* response.stream.pipe(
      Stream.mapAccum(0, (total, chunk) => [total + chunk.byteLength, { total: total + chunk.byteLength, chunk }] as const),
      Stream.takeUntil(({ total }) => total > limits.maxBytes),
      Stream.runCollect
    )
    const all = Chunk.toReadonlyArray(chunks)
    if ((all.at(-1)?.total ?? 0) > limits.maxBytes) return { _tag: "TooLarge", status: response.status, maxBytes: limits.maxBytes } satisfies HttpFinding
    const text = new TextDecoder().decode(Buffer.concat(all.map(({ chunk }) => chunk)))
    return { _tag: "Answered", status: response.status, requestId: response.headers["x-request-id"] ?? null, body: parseBody(text) } satisfies HttpFinding
  }).pipe(
    Effect.scoped,
    // WebSocket clients do not follow redirects, so neither does the probe.
    Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
    Effect.timeoutFail({ duration: Duration.millis(limits.timeoutMs), onTimeout: () => "timed out" as const }),
    Effect.catchAll((error): Effect.Effect<HttpFinding> =>
      Effect.succeed(
        error === "timed out"
          ? { _tag: "TimedOut", timeoutMs: limits.timeoutMs }
          : { _tag: "Unreachable", error: rootMessage(error) }
      )
    )
  )

/** Opens a WebSocket and waits, within `limits`, for the agent's identity frame, a close, or a refusal. */
export const wsProbe = (url: URL, limits: ProbeLimits = DEFAULT_LIMITS): Effect.Effect<WsFinding> =>
  Effect.async<WsFinding>((resume) => {
    // WebSocket clients do not follow redirects; neither does the probe (it reports them).
    const socket = new WebSocket(url.href, { maxPayload: limits.maxBytes, followRedirects: false })
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
    const timer = setTimeout(() => done({ _tag: "TimedOut", timeoutMs: limits.timeoutMs }), limits.timeoutMs)
    socket.on("message", (data) => {
      const frame = parseBody(String(data))
      if (typeof frame === "object" && frame !== null && Reflect.get(frame, "type") === "cf_agent_identity") done({ _tag: "Open", identity: frame })
    })
    socket.on("close", (code, reason) => done({ _tag: "Closed", code, reason: reason.toString("utf8") }))
    socket.on("unexpected-response", (_request, response) => {
      let body = ""
      const location = typeof response.headers.location === "string" ? response.headers.location : null
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8")
        if (body.length > 4_096) response.destroy()
      })
      const refused = () => done({ _tag: "Refused", status: response.statusCode ?? 0, body: body.slice(0, 4_096), location })
      response.on("end", refused)
      response.on("close", refused)
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

const describeHttp = (http: HttpFinding): string => {
  switch (http._tag) {
    case "Unreachable":
      return `unreachable (${http.error})`
    case "TimedOut":
      return `no complete answer within ${http.timeoutMs} ms (time limit hit)`
    case "TooLarge":
      return `${http.status}, but the body is over ${http.maxBytes} bytes (size limit hit; not read)`
    case "Redirected":
      return `${http.status} redirect to ${http.location} (not followed)`
    case "Answered":
      return `${http.status}${field(http.body, "reason") === undefined ? "" : ` ${field(http.body, "reason")}`}${http.requestId === null ? "" : ` (request id ${http.requestId})`}`
  }
}

const describeWs = (ws: WsFinding): string => {
  switch (ws._tag) {
    case "Open":
      return `open; the agent introduced itself: ${JSON.stringify(ws.identity)}`
    case "Closed":
      return `closed by the server with ${ws.code}${ws.reason === "" ? "" : ` "${ws.reason}"`}`
    case "Refused":
      return ws.status >= 300 && ws.status < 400
        ? `refused with a ${ws.status} redirect${ws.location === null ? "" : ` to ${ws.location}`}: WebSocket clients do not follow redirects`
        : `refused with HTTP ${ws.status}`
    case "TimedOut":
      return `no identity frame within ${ws.timeoutMs} ms (time limit hit)`
    case "Unreachable":
      return `unreachable (${ws.error})`
  }
}

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
  // Healthy only when the agent itself said who it is over the WebSocket (what every SDK client needs).
  const healthy = ws._tag === "Open"
  const model = http._tag === "Answered" ? field(http.body, "model") : undefined
  if (healthy && (model === "none" || model === "invalid_settings")) {
    const fix =
      model === "none"
        ? "CoderAgent has no model: chat requests get model_unavailable. Set MODEL_BASE_URL and MODEL_NAME (and the MODEL_API_KEY secret), or bind Workers AI as AI."
        : "CoderAgent's model settings are invalid: chat requests get model_unavailable naming them (the agent.settings_invalid log line says what is wrong)."
    return { lines: [...seen, "", "The agent answers, but:", `  ${fix}`].map(printable), healthy }
  }
  if (healthy) return { lines: [...seen, "", "The agent answers. Nothing to fix."].map(printable), healthy }
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
    if (ws._tag === "Refused" && ws.status >= 300 && ws.status < 400) {
      return [
        `The WebSocket URL answers with a redirect${ws.location === null ? "" : ` to ${ws.location}`}, which WebSocket clients (browsers, AgentClient) do not follow.`,
        "Point clients at the final URL, or remove the redirect (for example an http -> https or a trailing-slash rule in front of the Worker)."
      ]
    }
    if (ws._tag === "TimedOut" || http._tag === "TimedOut" || http._tag === "TooLarge") {
      return ["The server did not answer like the router within the doctor's limits (see above): is this URL the Worker's?"]
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
          // A tag of its own: migration tags must be new, and the shipped wrangler.toml already uses v1.
          `  tag = "add-${agent.toLowerCase()}"`,
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
  return { lines: [...seen, "", "What is wrong:", ...advice.map((line) => `  ${line}`)].map(printable), healthy }
}
