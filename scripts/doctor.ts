/**
 * `npm run doctor -- <url> [--token <token>] [--diagnostics-token <token>] [--timeout-ms <ms>] [--max-bytes <n>]`:
 * probes an agent URL (`ws`, `wss`, `http` or `https`, e.g. the seed's `wss://<host>/agents/coderagent/default`)
 * over HTTP and WebSocket, and `/health` (and `/_diagnostics` with its token), then says in words what is
 * wrong and what to change. Exits 0 only when the agent's WebSocket introduced itself. Everything a server
 * sends is hostile: each probe has a time and size limit, redirects are reported, not followed, and control
 * characters are printed escaped. An Effect CLI (`@effect/cli`).
 */
import { Args, Command, Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect, Layer, Option } from "effect"
import { DEFAULT_LIMITS, diagnose, httpGet, printable, targetOf, wsProbe } from "./doctorProbes.js"

/** The agent did not answer: the doctor exits non-zero after printing why. */
class AgentNotAnswering extends Data.TaggedError("AgentNotAnswering")<{ readonly url: string }> {}

/** The URL is not an agent URL the doctor can probe. */
class NotAUrl extends Data.TaggedError("NotAUrl")<{ readonly url: string }> {}

const url = Args.text({ name: "url" }).pipe(Args.withDescription("the agent URL: ws(s)://host/agents/{agent}/{instance} or http(s)://..."))
const token = Options.text("token").pipe(Options.optional, Options.withDescription("an access token (sent as ?token= and Authorization: Bearer)"))
const diagnosticsToken = Options.text("diagnostics-token").pipe(Options.optional, Options.withDescription("the DIAGNOSTICS_TOKEN, to read /_diagnostics"))
const timeoutMs = Options.integer("timeout-ms").pipe(
  Options.withDefault(DEFAULT_LIMITS.timeoutMs),
  Options.withDescription("how long each probe may take, in milliseconds, before it is reported as timed out")
)
const maxBytes = Options.integer("max-bytes").pipe(
  Options.withDefault(DEFAULT_LIMITS.maxBytes),
  Options.withDescription("the most bytes read from any one answer or frame; a larger one is reported, not read")
)

const doctor = Command.make("doctor", { url, token, diagnosticsToken, timeoutMs, maxBytes }, (args) =>
  Effect.gen(function* () {
    const target = yield* Option.match(targetOf(args.url), {
      onNone: () => Effect.fail(new NotAUrl({ url: args.url })),
      onSome: Effect.succeed
    })
    const limits = { timeoutMs: Math.max(1, args.timeoutMs), maxBytes: Math.max(1, args.maxBytes) }
    const auth = Option.match(args.token, { onNone: () => ({}), onSome: (t) => ({ authorization: `Bearer ${t}` }) })
    const wsUrl = new URL(target.wsUrl)
    Option.map(args.token, (t) => wsUrl.searchParams.set("token", t))
    const [health, http, ws, diagnostics] = yield* Effect.all(
      [
        httpGet(new URL("/health", target.httpUrl), {}, limits),
        httpGet(target.httpUrl, auth, limits),
        wsProbe(wsUrl, limits),
        Effect.transposeOption(
          Option.map(args.diagnosticsToken, (t) => httpGet(new URL("/_diagnostics", target.httpUrl), { "x-diagnostics-token": t }, limits))
        )
      ],
      { concurrency: "unbounded" }
    )
    const report = diagnose({ target: { ...target, wsUrl }, health, http, ws, diagnostics, tokenGiven: Option.isSome(args.token) })
    yield* Console.log(report.lines.join("\n"))
    if (!report.healthy) return yield* Effect.fail(new AgentNotAnswering({ url: args.url }))
  })
)

const cli = Command.run(doctor, { name: "agents-edge-router doctor", version: "0.1.0" })

const ansiStyle = /\u001b\[[0-9;]*m/g
const plain = (arg: unknown) => (typeof arg === "string" ? arg.replace(ansiStyle, "") : arg)

/** @effect/cli always styles its help with ANSI codes: plain text when the output is not a terminal (or NO_COLOR). */
const plainWhenPiped = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined
    ? effect
    : Console.consoleWith((console) =>
        Console.withConsole(effect, {
          ...console,
          log: (...args: ReadonlyArray<unknown>) => console.log(...args.map(plain)),
          error: (...args: ReadonlyArray<unknown>) => console.error(...args.map(plain))
        })
      )

plainWhenPiped(cli(process.argv)).pipe(
  Effect.catchTags({
    NotAUrl: (e) => Effect.zipRight(Console.error(`Not a URL the doctor can probe: ${printable(e.url)} (use ws://, wss://, http:// or https://)`), Effect.fail(e)),
    AgentNotAnswering: (e) => Effect.fail(e)
  }),
  Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer)),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
