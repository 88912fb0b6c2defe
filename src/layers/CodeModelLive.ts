/**
 * Chooses the CoderAgent's model from the Worker's settings: an OpenAI-compatible endpoint when
 * `MODEL_BASE_URL` is set, else Workers AI when an `AI` binding exists, else none (`model_unavailable`).
 */
import { Config, Effect, Layer, Option } from "effect"
import { positiveInt } from "../services/AppConfig.js"
import { CodeModel, openAiCompatible, workersAi, type WorkersAiBinding } from "../services/CodeModel.js"
import { configProviderFrom } from "./AppLive.js"
import type { WorkerEnv } from "./WorkerContext.js"

/** CoderAgent settings besides the model's. */
export interface CoderSettings {
  readonly maxMessageChars: number
  readonly contextMessages: number
  readonly systemPrompt: string
}

/** The CoderAgent settings, read from the Worker's vars. */
export const coderSettings: Config.Config<CoderSettings> = Config.all({
  maxMessageChars: positiveInt("MAX_MESSAGE_CHARS", 8_000),
  contextMessages: positiveInt("CONTEXT_MESSAGES", 20),
  systemPrompt: Config.string("SYSTEM_PROMPT").pipe(
    Config.withDefault("You are CoderAgent, a concise and careful coding assistant.")
  )
})

const isAiBinding = (value: unknown): value is WorkersAiBinding =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "run") === "function"

/** The model layer for this `env`. */
export const codeModelFrom = (env: WorkerEnv) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const baseUrl = yield* Config.option(Config.string("MODEL_BASE_URL"))
      const timeoutMs = yield* positiveInt("MODEL_TIMEOUT_MS", 30_000)
      if (Option.isSome(baseUrl)) {
        return openAiCompatible({
          baseUrl: baseUrl.value,
          model: yield* Config.string("MODEL_NAME"),
          apiKey: yield* Config.option(Config.redacted("MODEL_API_KEY")),
          timeoutMs
        })
      }
      const ai = env["AI"]
      if (isAiBinding(ai)) {
        const model = yield* Config.string("WORKERS_AI_MODEL").pipe(Config.withDefault("@cf/qwen/qwen2.5-coder-32b-instruct"))
        return workersAi(ai, model, timeoutMs)
      }
      return CodeModel.Unconfigured
    }).pipe(Effect.withConfigProvider(configProviderFrom(env)))
  )
