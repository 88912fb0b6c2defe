/**
 * The optional access check before any agent is touched. With the `AUTH_TOKEN` secret set, an agent
 * request must carry it as `Authorization: Bearer <token>` or, for browser WebSockets that cannot set
 * headers, as `?token=<token>`; it is compared in constant time and removed before forwarding. Without
 * the secret every request passes, as with the bare SDK.
 */
import { Context, Effect, Layer, Option } from "effect"
import { Unauthorized } from "../domain/Errors.js"
import { AppConfig } from "./AppConfig.js"
import { secretMatcher } from "./Secrets.js"

/** The query parameter that may carry the access token. */
export const TOKEN_PARAM = "token"

const bearer = (header: string | null): string | undefined => {
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** Checks credentials and strips them from what is forwarded. */
export class Authenticator extends Context.Tag("app/Authenticator")<
  Authenticator,
  {
    /** Succeeds when no token is configured or the request carries it. */
    readonly check: (request: Request, url: URL) => Effect.Effect<void, Unauthorized>
    /** Whether the router consumes credentials (so the enricher removes them). */
    readonly enabled: boolean
  }
>() {
  static readonly Live = Layer.effect(
    Authenticator,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const matches = yield* Effect.transposeMapOption(config.authToken, secretMatcher)
      return {
        enabled: Option.isSome(matches),
        check: (request, url) => {
          if (Option.isNone(matches)) return Effect.void
          const given = bearer(request.headers.get("authorization")) ?? url.searchParams.get(TOKEN_PARAM)
          if (given === undefined || given === null || given.length === 0) {
            return Effect.fail(new Unauthorized({ reason: "missing_credentials" }))
          }
          return Effect.flatMap(matches.value(given), (ok) =>
            ok ? Effect.void : Effect.fail(new Unauthorized({ reason: "invalid_credentials" }))
          )
        }
      }
    })
  )
}
