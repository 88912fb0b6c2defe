/**
 * The language model behind CoderAgent, as a service with one layer per backend: an OpenAI-compatible
 * chat-completions endpoint with streaming, a Workers AI binding, or none (every chat then answers
 * `model_unavailable` naming the settings to add; never a made-up reply).
 */
import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Config, type ConfigError, Context, Duration, Effect, Layer, Option, Redacted, Schema, Stream } from "effect"
import { positiveInt } from "./AppConfig.js"

/** One turn of the conversation sent to the model. */
export interface ChatTurn {
  readonly role: "system" | "user" | "assistant"
  readonly content: string
}

/** No model is configured; `setting` says what to add. */
export class ModelUnavailable extends Schema.TaggedError<ModelUnavailable>()("ModelUnavailable", {
  setting: Schema.String
}) {}

/**
 * The model answered with an error, or stopped answering. `detail` is for the operator's log: it never
 * holds a URL (model URLs may carry credentials) or upstream content; clients get `safeMessage`.
 */
export class ModelFailed extends Schema.TaggedError<ModelFailed>()("ModelFailed", {
  reason: Schema.Literal("error", "timeout"),
  detail: Schema.String
}) {
  /** What a client is told: a stable sentence per reason, nothing about the upstream. */
  get safeMessage(): string {
    return this.reason === "timeout"
      ? "The model stopped sending its reply in time. Try again."
      : "The model failed to answer. Try again; the operator's log has the details."
  }
}

/** What to add to get a model, in the words of the fix. */
export const MODEL_SETTINGS_HINT =
  "No model is configured: set the MODEL_BASE_URL and MODEL_NAME vars (and the MODEL_API_KEY secret) for an OpenAI-compatible endpoint, or bind Workers AI as AI ([ai] binding = \"AI\" in wrangler.toml)."

/** Streams a reply as text deltas. */
export class CodeModel extends Context.Tag("app/CodeModel")<
  CodeModel,
  {
    /** Which backend answers, for logs and diagnostics; `none` when unconfigured. */
    readonly backend: "openai-compatible" | "workers-ai" | "none"
    readonly stream: (turns: ReadonlyArray<ChatTurn>) => Stream.Stream<string, ModelUnavailable | ModelFailed>
  }
>() {
  /** No model: every stream fails with `ModelUnavailable`. */
  static readonly Unconfigured = Layer.succeed(CodeModel, {
    backend: "none",
    stream: () => Stream.fail(new ModelUnavailable({ setting: MODEL_SETTINGS_HINT }))
  })

  /**
   * The model the settings choose, read with `Config` from the current provider: an OpenAI-compatible
   * endpoint when `MODEL_BASE_URL` is set, else Workers AI when `ai` (the `AI` binding) is one, else none.
   */
  static readonly layerFor = (ai: unknown): Layer.Layer<CodeModel, ConfigError.ConfigError> =>
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
        if (isAiBinding(ai)) {
          const model = yield* Config.string("WORKERS_AI_MODEL").pipe(Config.withDefault("@cf/qwen/qwen2.5-coder-32b-instruct"))
          return workersAi(ai, model, timeoutMs)
        }
        return CodeModel.Unconfigured
      })
    )
}

const isAiBinding = (value: unknown): value is WorkersAiBinding =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "run") === "function"

/** Server-sent events: the `data:` payloads, until `[DONE]`. */
const ssePayloads = <E>(bytes: Stream.Stream<Uint8Array, E>): Stream.Stream<string, E> =>
  bytes.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.filterMap((line) => (line.startsWith("data:") ? Option.some(line.slice(5).trim()) : Option.none())),
    Stream.takeWhile((data) => data !== "[DONE]")
  )

const OpenAiChunk = Schema.parseJson(
  Schema.Struct({
    choices: Schema.Array(Schema.Struct({ delta: Schema.optional(Schema.Struct({ content: Schema.optional(Schema.NullOr(Schema.String)) })) }))
  })
)
const WorkersAiChunk = Schema.parseJson(Schema.Struct({ response: Schema.optional(Schema.String) }))

// Any URL in an error message (a transport error names the request, credentials included) is dropped.
const urls = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)]+/gi
const failed = (detail: string) => new ModelFailed({ reason: "error", detail: detail.replace(urls, "[url]") })

/**
 * The text deltas of a server-sent event stream: each `data:` payload until `[DONE]`, decoded with
 * `chunk` and reduced to its text by `text`. The wait for each payload is bounded: an upstream that goes
 * quiet is a timeout, not a hang.
 */
const textDeltas = <C, I>(
  bytes: Stream.Stream<Uint8Array, ModelFailed>,
  chunk: Schema.Schema<C, I>,
  text: (chunk: C) => string,
  timeoutMs: number
): Stream.Stream<string, ModelFailed> => {
  const decode = Schema.decodeUnknown(chunk)
  return ssePayloads(bytes).pipe(
    Stream.timeoutFail(
      () => new ModelFailed({ reason: "timeout", detail: `no data from the model for ${timeoutMs} ms` }),
      Duration.millis(timeoutMs)
    ),
    Stream.mapEffect((data) => decode(data).pipe(Effect.mapError(() => failed(`unreadable chunk (${data.length} characters)`)))),
    Stream.map(text),
    Stream.filter((delta) => delta.length > 0)
  )
}

/** Settings of an OpenAI-compatible endpoint. */
export interface OpenAiSettings {
  readonly baseUrl: string
  readonly model: string
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly timeoutMs: number
}

/** A model behind an OpenAI-compatible `/chat/completions` endpoint with `stream: true`. */
export const openAiCompatible = (settings: OpenAiSettings): Layer.Layer<CodeModel> =>
  Layer.effect(
    CodeModel,
    Effect.map(HttpClient.HttpClient, (client) => ({
      backend: "openai-compatible" as const,
      stream: (turns: ReadonlyArray<ChatTurn>) => {
        const base = HttpClientRequest.post(`${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`).pipe(
          HttpClientRequest.bodyUnsafeJson({ model: settings.model, messages: turns, stream: true })
        )
        const request = Option.match(settings.apiKey, {
          onNone: () => base,
          onSome: (key) => HttpClientRequest.bearerToken(base, Redacted.value(key))
        })
        const response = client.execute(request).pipe(
          Effect.flatMap(HttpClientResponse.filterStatusOk),
          Effect.mapError((error) => failed(error._tag === "ResponseError" ? `upstream answered ${error.response.status}` : `upstream unreachable (${error.reason})`))
        )
        const bytes = HttpClientResponse.stream(response).pipe(
          Stream.mapError((error) => (error instanceof ModelFailed ? error : failed(`upstream stream failed (${error.reason})`)))
        )
        return textDeltas(bytes, OpenAiChunk, (chunk) => chunk.choices[0]?.delta?.content ?? "", settings.timeoutMs)
      }
    }))
  ).pipe(Layer.provide(FetchHttpClient.layer))

/** The part of a Workers AI binding this uses. */
export interface WorkersAiBinding {
  readonly run: (model: string, input: { messages: ReadonlyArray<ChatTurn>; stream: true }) => Promise<unknown>
}

/** A model behind a Workers AI binding (`env.AI`), streaming. */
export const workersAi = (binding: WorkersAiBinding, model: string, timeoutMs: number): Layer.Layer<CodeModel> =>
  Layer.succeed(CodeModel, {
    backend: "workers-ai",
    stream: (turns) => {
      const body = Effect.tryPromise({
        try: () => binding.run(model, { messages: turns, stream: true }),
        catch: (error) => failed(`Workers AI: ${error instanceof Error ? error.message : String(error)}`)
      }).pipe(
        Effect.flatMap((result) =>
          result instanceof ReadableStream ? Effect.succeed(result as ReadableStream<Uint8Array>) : Effect.fail(failed("Workers AI did not stream"))
        )
      )
      const bytes = Stream.unwrap(
        Effect.map(body, (readable) => Stream.fromReadableStream({ evaluate: () => readable, onError: (error) => failed(String(error)) }))
      )
      return textDeltas(bytes, WorkersAiChunk, (chunk) => chunk.response ?? "", timeoutMs)
    }
  })
