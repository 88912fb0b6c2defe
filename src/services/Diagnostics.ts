/**
 * Whether a request may see technical details (binding names, causes) in error bodies. Off unless the
 * `DIAGNOSTICS` var enables it, as in local development.
 */
import { Context, Effect, Layer } from "effect"
import { AppConfig } from "./AppConfig.js"

/** Decides, per request, whether technical details may be shown. */
export class Diagnostics extends Context.Tag("app/Diagnostics")<
  Diagnostics,
  { readonly allows: (request: Request) => boolean }
>() {
  /** Follows the `DIAGNOSTICS` var. */
  static readonly Live = Layer.effect(
    Diagnostics,
    Effect.map(AppConfig, (config) => ({ allows: () => config.diagnostics }))
  )
}
