/**
 * `npm run token -- <user> [--scope "agents:admin"] [--expires 1h] [--issuer ...] [--audience ...]`: mints an
 * HS256 user token with `jose`, signed with `AUTH_JWT_SECRET`: the environment variable, else the line in
 * `.dev.vars` (the file `npm run dev` gives the Worker, so both sign and check with one value). For local development and examples; production tokens come from your
 * identity provider or Cloudflare Access.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as jose from "jose"
import { options } from "./stats.js"

const argv = process.argv.slice(2)
const user = argv.find((arg) => !arg.startsWith("--"))
const opts = options(argv.filter((arg) => arg !== user))

/** AUTH_JWT_SECRET from `.dev.vars` (KEY=value lines, as wrangler reads them), when the environment has none. */
const fromDevVars = (): string | undefined => {
  const file = join(import.meta.dirname, "..", ".dev.vars")
  if (!existsSync(file)) return undefined
  const line = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => /^\s*AUTH_JWT_SECRET\s*=\s*(.*?)\s*$/.exec(l)?.[1])
    .find((value) => value !== undefined)
  return line?.replace(/^(["'])(.*)\1$/, "$2")
}

const secret = process.env["AUTH_JWT_SECRET"] ?? fromDevVars() ?? ""

if (user === undefined || secret.length < 32) {
  console.error(
    'usage: npm run token -- <user> [--scope "agents:admin"] [--expires 1h]\n' +
      "AUTH_JWT_SECRET (32+ characters) comes from the environment or from .dev.vars (see .dev.vars.example)."
  )
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
