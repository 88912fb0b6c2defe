/**
 * What a CoderAgent instance runs its chat turns on: its settings and model, read once from the Worker's
 * vars with `Config`, and a runtime with the model and the JSON logger. Settings that cannot start a session
 * are a `SettingsInvalid` naming every bad var, never its value.
 */
import { Cause, type ConfigError, Effect, Either, Exit, Layer, ManagedRuntime, Option } from "effect"
import { chatErrorText } from "../../domain/coder/ChatAnswers.js"
import { clip } from "../../domain/Clip.js"
import { JsonLoggerLive } from "../../layers/Logging.js"
import { configProviderFrom } from "../../layers/WorkerVars.js"
import { configProblems } from "../../services/Settings.js"
import { ChatModel, type ChatModelShape } from "../../services/coder/ChatModel.js"
import { coderSettings, type CoderSettings } from "../../services/coder/CoderSettings.js"

/** The instance's settings and model, and the runtime its turns run on. */
export interface Session {
  readonly settings: CoderSettings
  readonly model: ChatModelShape
  readonly runtime: ManagedRuntime.ManagedRuntime<ChatModel, never>
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

/** Reads the settings and the model from `env`; `invalid` hears the operator's detail when they fail. */
export const startSession = (
  env: Record<string, unknown>,
  invalid: (detail: string) => void
): Promise<Either.Either<Session, SettingsInvalid>> => {
  // Both are read even when the first fails ("validate"), so every bad var is named at once.
  const read = Effect.all([coderSettings, ChatModel.make(env["AI"])], { mode: "validate" }).pipe(
    Effect.mapError((errors) => errors.flatMap((e) => Option.toArray(e))),
    Effect.withConfigProvider(configProviderFrom(env))
  )
  const start = Effect.map(read, ([settings, model]): Session => ({
    settings,
    model,
    runtime: ManagedRuntime.make(Layer.merge(Layer.succeed(ChatModel, model), JsonLoggerLive))
  }))
  return Effect.runPromiseExit(start).then((exit) => {
    if (Exit.isSuccess(exit)) return Either.right(exit.value)
    const answer = settingsInvalid(exit.cause)
    invalid(answer.detail)
    return Either.left(answer)
  })
}
