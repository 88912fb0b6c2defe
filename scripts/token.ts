/**
 * `npm run token -- <user> [--scope "agents:admin"] [--expires 1h] [--issuer ...] [--audience ...]`: mints an
 * HS256 user token with `jose`, signed with the `AUTH_JWT_SECRET` environment variable (the same value the
 * Worker has, e.g. from `.dev.vars`). For local development and examples; production tokens come from your
 * identity provider or Cloudflare Access.
 */
import * as jose from "jose"
import { options } from "./stats.js"

const argv = process.argv.slice(2)
const user = argv.find((arg) => !arg.startsWith("--"))
const opts = options(argv.filter((arg) => arg !== user))
const secret = process.env["AUTH_JWT_SECRET"] ?? ""

if (user === undefined || secret.length < 32) {
  console.error('usage: AUTH_JWT_SECRET=<32+ characters> npm run token -- <user> [--scope "agents:admin"] [--expires 1h]')
  process.exitCode = 2
} else {
  let jwt = new jose.SignJWT({ sub: user, ...(opts.has("scope") ? { scope: opts.get("scope") } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(opts.get("expires") ?? "1h")
  const issuer = opts.get("issuer")
  const audience = opts.get("audience")
  if (issuer !== undefined) jwt = jwt.setIssuer(issuer)
  if (audience !== undefined) jwt = jwt.setAudience(audience)
  console.log(await jwt.sign(new TextEncoder().encode(secret)))
}
