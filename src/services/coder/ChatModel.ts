/**
 * The language model behind CoderAgent, as an AI SDK `LanguageModel` chosen by the Worker's vars: an
 * OpenAI-compatible endpoint (`@ai-sdk/openai-compatible`), a Workers AI binding (`workers-ai-provider`),
 * or none (every turn then answers `model_unavailable` naming the settings to add; never a made-up reply).
 * Model failures are classified here into `ModelFailed`, whose detail is for the operator's log only.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible"
import { APICallError, type LanguageModel, RetryError } from "ai"
import { Config, ConfigError, Context, Effect, Either, Option, Redacted, Schema } from "effect"
import { createWorkersAI } from "workers-ai-provider"
import { chatErrorText, modelFailureCode, modelFailureSentence } from "../../domain/coder/ChatAnswers.js"
import { positiveInt } from "../Settings.js"

/** No model is configured; `setting` says what to add. */
export class ModelUnavailable extends Schema.TaggedError<ModelUnavailable>()("ModelUnavailable", {
  setting: Schema.String
}) {
  get code(): "model_unavailable" {
    return "model_unavailable"
  }

  /** What a client is told. */
  get text(): string {
    return chatErrorText(this.code, this.setting)
  }
}

/**
 * The model answered with an error, or stopped answering. `detail` is for the operator's log: it never
 * holds a URL (model URLs may carry credentials) or upstream content; clients get `text`.
 */
export class ModelFailed extends Schema.TaggedError<ModelFailed>()("ModelFailed", {
  reason: Schema.Literal("error", "timeout"),
  detail: Schema.String
}) {
  get code(): "model_error" | "model_timeout" {
    return modelFailureCode[this.reason]
  }

  /** What a client is told: a stable sentence per reason, nothing about the upstream. */
  get text(): string {
    return chatErrorText(this.code, modelFailureSentence[this.reason])
  }
}

/** What to add to get a model, in the words of the fix. */
export const MODEL_SETTINGS_HINT =
  "No model is configured: set the MODEL_BASE_URL and MODEL_NAME vars (and the MODEL_API_KEY secret) for an OpenAI-compatible endpoint, or bind Workers AI as AI ([ai] binding = \"AI\" in wrangler.toml)."

/** The model as the settings chose it. */
export interface ChatModelShape {
  /** Which backend answers, for logs and diagnostics; `none` when unconfigured. */
  readonly backend: "openai-compatible" | "workers-ai" | "none"
  /** The AI SDK model, or why there is none. */
  readonly model: Either.Either<LanguageModel, ModelUnavailable>
  /** The longest wait for the model's next chunk (the first included) before the turn is `model_timeout`. */
  readonly timeoutMs: number
  /** Retries of a failed model call (the AI SDK's, with backoff); 0 turns them off. */
  readonly maxRetries: number
}

/** The configured language model. */
export class ChatModel extends Context.Tag("app/ChatModel")<ChatModel, ChatModelShape>() {
  /**
   * The model the settings choose, read with `Config` from the current provider: an OpenAI-compatible
   * endpoint when `MODEL_BASE_URL` is set, else Workers AI when `ai` (the `AI` binding) is one, else none.
   */
  static readonly make = (ai: unknown): Effect.Effect<ChatModelShape, ConfigError.ConfigError> =>
    Effect.gen(function* () {
      // Read together, so every bad one is reported at once.
      const { baseUrl, maxRetries, timeoutMs } = yield* Config.all({
        timeoutMs: positiveInt("MODEL_TIMEOUT_MS", 30_000),
        maxRetries: Config.integer("MODEL_MAX_RETRIES").pipe(
          Config.validate({ message: "MODEL_MAX_RETRIES must be 0 to 5", validation: (n) => n >= 0 && n <= 5 }),
          Config.withDefault(2)
        ),
        baseUrl: Config.option(httpUrl("MODEL_BASE_URL"))
      })
      if (Option.isSome(baseUrl)) {
        const name = yield* Config.string("MODEL_NAME").pipe(
          Config.validate({ message: "MODEL_NAME must not be empty", validation: (n) => n.trim().length > 0 })
        )
        const apiKey = yield* Config.option(Config.redacted("MODEL_API_KEY"))
        const provider = createOpenAICompatible({
          name: "model",
          baseURL: baseUrl.value,
          includeUsage: true,
          ...Option.match(apiKey, { onNone: () => ({}), onSome: (key) => ({ apiKey: Redacted.value(key) }) })
        })
        return { backend: "openai-compatible" as const, model: Either.right(provider.chatModel(name)), timeoutMs, maxRetries }
      }
      if (isAiBinding(ai)) {
        const name = yield* Config.string("WORKERS_AI_MODEL").pipe(Config.withDefault("@cf/qwen/qwen2.5-coder-32b-instruct"))
        return { backend: "workers-ai" as const, model: Either.right(createWorkersAI({ binding: ai })(name)), timeoutMs, maxRetries }
      }
      return { backend: "none" as const, model: Either.left(new ModelUnavailable({ setting: MODEL_SETTINGS_HINT })), timeoutMs, maxRetries }
    })

}

/**
 * An http(s) URL var. Its error never repeats the value: a model URL may carry credentials
 * (`Config.url`'s own message would quote it).
 */
const httpUrl = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((value) => {
      const url = Either.getOrNull(Either.try(() => new URL(value)))
      return url !== null && (url.protocol === "https:" || url.protocol === "http:")
        ? Either.right(value.replace(/\/+$/, ""))
        : Either.left(ConfigError.InvalidData([], `${name} must be an http(s) URL`))
    })
  )

const isAiBinding = (value: unknown): value is Ai =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "run") === "function"

// Any URL in a message (a transport error names the request, credentials included) is dropped.
const urls = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)]+/gi
const failed = (detail: string) => new ModelFailed({ reason: "error", detail: detail.replace(urls, "[url]") })

const nameOf = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === "object" && error !== null ? "object" : typeof error

/**
 * What went wrong with a model call, for the operator: the upstream status, or that it was unreachable,
 * or the error's name. Upstream bodies and messages are left out (they may echo the prompt or a key).
 */
export const modelFailureOf = (error: unknown): ModelFailed => {
  if (error instanceof ModelFailed) return error
  if (RetryError.isInstance(error)) {
    const last = modelFailureOf(error.lastError)
    return new ModelFailed({ reason: last.reason, detail: `${last.detail} (after ${error.errors.length} attempts)` })
  }
  if (APICallError.isInstance(error)) {
    return failed(error.statusCode === undefined ? `upstream unreachable (${nameOf(error.cause)})` : `upstream answered ${error.statusCode}`)
  }
  if (error instanceof Error && error.name === "TimeoutError") return new ModelFailed({ reason: "timeout", detail: "the model call timed out" })
  return failed(`model call failed (${nameOf(error)})`)
}
