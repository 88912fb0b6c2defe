/**
 * Comparing a request's credential with a configured secret in constant time: both are hashed with
 * SHA-256 first, so neither the position of a difference nor the secret's length shows in the timing.
 */
import { Effect, Redacted } from "effect"

/** True when `a` and `b` hold the same bytes; every byte is visited whatever the inputs. */
export const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  let difference = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}

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
