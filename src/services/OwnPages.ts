/**
 * The router's own pages: `/` (the connection page for browsers, plain text for everyone else), `/health`,
 * and `/_diagnostics` when the request may see it (otherwise it is answered like any unknown path).
 */
import { Context, Effect, Layer, Option } from "effect"
import { type Answered, ownJson } from "../domain/Answers.js"
import { connectionPage } from "../domain/ConnectionPage.js"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"
import { indexText } from "../domain/IndexPage.js"
import { acceptsHtml } from "../domain/Render.js"
import type { WorkerEnv } from "../domain/Worker.js"
import { AgentRegistry } from "./AgentRegistry.js"
import { AppConfig } from "./AppConfig.js"
import { Diagnostics } from "./Diagnostics.js"

/** The connection page is one document: its own inline script and style, sockets and fetches to this origin. */
const pageHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

const readMethods = new Set(["GET", "HEAD"])

/** The index text and the connection page, rendered once for the declared agents. */
const make = Effect.gen(function* () {
  const config = yield* AppConfig
  const registry = yield* AgentRegistry
  const diagnostics = yield* Diagnostics
  const index = indexText(registry.catalog, config.prefix)
  const page = connectionPage(registry.catalog, config.prefix)
  return {
    /** The paths that may be own pages; every other path skips `answer` (most requests are agent requests). */
    paths: new Set(["/", "/health", "/_diagnostics"]) as ReadonlySet<string>,
    /** The page for this request, or `None` when it is not one (then it is routed like any path). */
    answer: (request: Request, url: URL, requestId: string, env: WorkerEnv) =>
      Effect.gen(function* (): Effect.fn.Return<Option.Option<Answered>> {
        if (!readMethods.has(request.method)) return Option.none()
        const head = request.method === "HEAD"
        if (url.pathname === "/") {
          const html = acceptsHtml(request.headers.get("accept"))
          const headers = html ? pageHeaders : { "content-type": "text/plain; charset=utf-8" }
          const body = head ? null : html ? page : index
          return Option.some({ response: new Response(body, { headers: { ...headers, [REQUEST_ID_HEADER]: requestId } }), outcome: "index" })
        }
        if (url.pathname === "/health") {
          return Option.some({ response: ownJson(diagnostics.health(env), requestId, head), outcome: "health" })
        }
        if (url.pathname === "/_diagnostics" && (yield* diagnostics.allows(request))) {
          const report = yield* diagnostics.report(env, url.origin, url.searchParams.get("probe") === "1", requestId)
          return Option.some({ response: ownJson(report, requestId, head), outcome: "diagnostics" })
        }
        return Option.none()
      })
  }
})

/** Answers the router's own paths. */
export class OwnPages extends Context.Tag("app/OwnPages")<OwnPages, Effect.Effect.Success<typeof make>>() {
  static readonly Live = Layer.effect(this, make)
}
