/**
 * `npm run doctor -- <url> [--token <token>] [--diagnostics-token <token>]`: probes an agent URL
 * (`ws`, `wss`, `http` or `https`, e.g. the seed's `wss://<host>/agents/coderagent/default`) over HTTP and
 * WebSocket, and `/health` (and `/_diagnostics` with its token), then says in words what is wrong and what
 * to change. Exits 0 only when the agent answers. An Effect CLI (`@effect/cli`).
 */
import { Args, Command, Options } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Data, Effect, Option } from "effect"
import { diagnose, httpGet, targetOf, wsProbe } from "./doctorProbes.js"

/** The agent did not answer: the doctor exits non-zero after printing why. */
class AgentNotAnswering extends Data.TaggedError("AgentNotAnswering")<{ readonly url: string }> {}

/** The URL is not an agent URL the doctor can probe. */
class NotAUrl extends Data.TaggedError("NotAUrl")<{ readonly url: string }> {}

const url = Args.text({ name: "url" }).pipe(Args.withDescription("the agent URL: ws(s)://host/agents/{agent}/{instance} or http(s)://..."))
const token = Options.text("token").pipe(Options.optional, Options.withDescription("an access token (sent as ?token= and Authorization: Bearer)"))
const diagnosticsToken = Options.text("diagnostics-token").pipe(Options.optional, Options.withDescription("the DIAGNOSTICS_TOKEN, to read /_diagnostics"))

const doctor = Command.make("doctor", { url, token, diagnosticsToken }, (args) =>
  Effect.gen(function* () {
    const target = yield* Option.match(targetOf(args.url), {
      onNone: () => Effect.fail(new NotAUrl({ url: args.url })),
      onSome: Effect.succeed
    })
    const auth = Option.match(args.token, { onNone: () => ({}), onSome: (t) => ({ authorization: `Bearer ${t}` }) })
    const wsUrl = new URL(target.wsUrl)
    Option.map(args.token, (t) => wsUrl.searchParams.set("token", t))
    const [health, http, ws, diagnostics] = yield* Effect.all(
      [
        httpGet(new URL("/health", target.httpUrl), {}),
        httpGet(target.httpUrl, auth),
        wsProbe(wsUrl),
        Effect.transposeOption(Option.map(args.diagnosticsToken, (t) => httpGet(new URL("/_diagnostics", target.httpUrl), { "x-diagnostics-token": t })))
      ],
      { concurrency: "unbounded" }
    )
    const report = diagnose({ target: { ...target, wsUrl }, health, http, ws, diagnostics, tokenGiven: Option.isSome(args.token) })
    yield* Console.log(report.lines.join("\n"))
    if (!report.healthy) return yield* Effect.fail(new AgentNotAnswering({ url: args.url }))
  })
)

const cli = Command.run(doctor, { name: "agents-edge-router doctor", version: "0.1.0" })

cli(process.argv).pipe(
  Effect.catchTags({
    NotAUrl: (e) => Effect.zipRight(Console.error(`Not a URL the doctor can probe: ${e.url} (use ws://, wss://, http:// or https://)`), Effect.fail(e)),
    AgentNotAnswering: (e) => Effect.fail(e)
  }),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
