/**
 * Comparing a request's credential with a configured secret in constant time: both are hashed with
 * SHA-256 first, so neither the position of a difference nor the secret's length shows in the timing.
 */
import { Effect, Redacted } from "effect"
import { timingSafeEqual } from "../domain/ConstantTime.js"

const sha256 = (text: string) =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
    Effect.map((digest) => new Uint8Array(digest))
  )

/** A checker for `secret`, hashed once up front; the checker compares one candidate per call. */
export const secretMatcher = (secret: Redacted.Redacted) =>
  Effect.map(
    sha256(Redacted.value(secret)),
    (expected) => (candidate: string) => Effect.map(sha256(candidate), (digest) => timingSafeEqual(digest, expected))
  )
