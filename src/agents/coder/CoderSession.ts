/**
 * One Effect runtime per CoderAgent instance, built from a Layer under the instance's `env`: the JSON
 * logger and the session, its settings and model read once with `Config`. Settings that cannot start a
 * session are a `SettingsInvalid` naming every bad var, never its value (logged once, as
 * `agent.settings_invalid`). The agent disposes the runtime in `destroy`.
 */
import { Cause, type ConfigError, Context, Effect, Either, Exit, Layer, ManagedRuntime, Option } from "effect"
import { chatErrorText } from "../../domain/coder/ChatAnswers.js"
import { clip } from "../../domain/Clip.js"
import { JsonLoggerLive } from "../../layers/Logging.js"
import { configProviderFrom } from "../../layers/WorkerVars.js"
import { configProblems } from "../../services/Settings.js"
import { ChatModel, type ChatModelShape } from "../../services/coder/ChatModel.js"
import { coderSettings, type CoderSettings } from "../../services/coder/CoderSettings.js"
import { AgentSettingsInvalid } from "../../domain/coder/CoderEvents.js"
import { agentEvent } from "../AgentLog.js"

/** The instance's settings and model. */
export interface Session {
  readonly settings: CoderSettings
  readonly model: ChatModelShape
}

/** Why the settings cannot start a session: the text clients get, and what the operator's log gets. */
export interface SettingsInvalid {
  readonly text: string
  readonly detail: string
}

/** What to tell clients and the operator about settings that failed to load. */
const settingsInvalid = (cause: Cause.Cause<ReadonlyArray<ConfigError.ConfigError>>): SettingsInvalid => {
  const problems = [...Cause.failures(cause)].flat().flatMap(configProblems)
  return problems.length === 0
    ? {
        text: chatErrorText("model_unavailable", "The agent could not start its model. The operator's log has the details."),
        detail: clip(Cause.pretty(cause), 500)
      }
    : {
        text: chatErrorText(
          "model_unavailable",
          `The agent's settings are invalid: ${[...new Set(problems.map((p) => p.setting))].join(", ")}. The operator's log has the details.`
        ),
        detail: problems.map((p) => `${p.setting}: ${p.message}`).join("; ")
      }
}

/** The instance's session, or why its settings cannot start one. */
export class CoderSession extends Context.Tag("coder/CoderSession")<CoderSession, Either.Either<Session, SettingsInvalid>>() {}

/** Reads the settings and the model from `env` once; invalid settings are logged and kept as the answer. */
const readSession = (env: Record<string, unknown>, instance: () => string): Effect.Effect<Either.Either<Session, SettingsInvalid>> => {
  // Both are read even when the first fails ("validate"), so every bad var is named at once.
  const read = Effect.all([coderSettings, ChatModel.make(env["AI"])], { mode: "validate" }).pipe(
    Effect.mapError((errors) => errors.flatMap((e) => Option.toArray(e))),
    Effect.withConfigProvider(configProviderFrom(env))
  )
  return Effect.flatMap(Effect.exit(read), (exit): Effect.Effect<Either.Either<Session, SettingsInvalid>> => {
    if (Exit.isSuccess(exit)) return Effect.succeed(Either.right({ settings: exit.value[0], model: exit.value[1] }))
    const answer = settingsInvalid(exit.cause)
    return Effect.as(
      agentEvent(AgentSettingsInvalid, "WARN", { event: "agent.settings_invalid", agent: "CoderAgent", instance: instance(), detail: answer.detail }),
      Either.left(answer)
    )
  })
}

/** The runtime of one CoderAgent instance: the JSON logger, and the session read from `env` when first used. */
export const coderRuntime = (env: Record<string, unknown>, instance: () => string) =>
  ManagedRuntime.make(Layer.provideMerge(Layer.effect(CoderSession, readSession(env, instance)), JsonLoggerLive))

/** The runtime type `coderRuntime` builds. */
export type CoderRuntime = ReturnType<typeof coderRuntime>
