/**
 * One CoderAgent chat turn, as an Effect that answers the SDK's `onChatMessage` with a UI message stream
 * `Response`. The bounded text context (`modelContext`) and the system prompt go to the model through the
 * AI SDK's `streamText`, with an output limit and no downloads; the SDK's abort signal cancels it. Around the AI SDK's stream, Effect adds what it
 * lacks: a bounded wait for each chunk (`model_timeout`), failures turned into the chat protocol's error
 * chunk with safe text, and one `agent.chat_completed` line when the turn ends, however it ends.
 */
import { convertToModelMessages, createUIMessageStreamResponse, type LanguageModel, streamText, type UIMessage, type UIMessageChunk } from "ai"
import { Clock, Duration, Effect, Either, Option, Ref, Stream } from "effect"
import { modelContext } from "../../domain/coder/ChatScreen.js"
import { ModelFailed, modelFailureOf, type ModelUnavailable, ChatModel } from "./ChatModel.js"

/** What one turn needs besides the model. */
export interface TurnInput {
  /** The conversation as the SDK keeps it, newest last. */
  readonly messages: ReadonlyArray<UIMessage>
  readonly abortSignal: AbortSignal | undefined
  readonly systemPrompt: string
  /** How many of the newest messages the model sees. */
  readonly contextMessages: number
  /** The most characters of conversation the model request carries. */
  readonly maxContextChars: number
  /** The most tokens the model may write in this turn. */
  readonly maxOutputTokens: number
  /** Fields every line of this turn carries (agent, instance, chat request id, request id, user). */
  readonly logFields: Readonly<Record<string, string | null>>
}

/** What a turn's stream saw. */
interface Seen {
  readonly finishReason: string | null
  readonly usage: Usage | null
  readonly failure: ModelFailed | ModelUnavailable | null
  readonly aborted: boolean
}

interface Usage {
  readonly inputTokens: number | null
  readonly outputTokens: number | null
  readonly totalTokens: number | null
}

/** What the model reports at the end of a turn, attached to the reply's metadata (and so persisted with it). */
export interface ReplyMetadata {
  readonly finishReason: string
  readonly usage: Usage
}

const numberOrNull = (n: number | undefined) => (typeof n === "number" && Number.isFinite(n) ? n : null)

const metadataOf = (chunk: UIMessageChunk): Option.Option<ReplyMetadata> => {
  const meta: unknown = "messageMetadata" in chunk ? chunk.messageMetadata : undefined
  return typeof meta === "object" && meta !== null && "usage" in meta && "finishReason" in meta
    ? Option.some(meta as ReplyMetadata)
    : Option.none()
}

/**
 * The SDK broadcasts a `finish` chunk with its metadata replaced by the finish reason (it persists ours); a
 * `message-metadata` chunk just before it brings the usage to live clients too.
 */
const withLiveMetadata = (chunk: UIMessageChunk): ReadonlyArray<UIMessageChunk> =>
  chunk.type === "finish" && chunk.messageMetadata !== undefined
    ? [{ type: "message-metadata", messageMetadata: chunk.messageMetadata }, chunk]
    : [chunk]

/** A turn's answer when it cannot start: the UI message stream of one error chunk. */
export const errorOnlyResponse = (text: string): Response =>
  createUIMessageStreamResponse({
    stream: new ReadableStream<UIMessageChunk>({
      start(controller) {
        controller.enqueue({ type: "error", errorText: text })
        controller.close()
      }
    })
  })

/** The turn's `Response`: the reply's UI message stream, or only the error chunk saying why there is none. */
export const chatTurn = (input: TurnInput): Effect.Effect<Response, never, ChatModel> =>
  Effect.gen(function* () {
    const settings = yield* ChatModel
    const startedAt = yield* Clock.currentTimeMillis
    const seen = yield* Ref.make<Seen>({ finishReason: null, usage: null, failure: null, aborted: false })
    // Ends the model call when the turn's stream ends first (a timeout, or the SDK cancelling the reader).
    const stop = new AbortController()

    /** The reply's chunks; a model error chunk becomes the failure it stands for. */
    const modelChunks = (model: LanguageModel): Stream.Stream<UIMessageChunk, ModelFailed> => {
      // The AI SDK hands its errors to `onError` and streams only the text it returns; the failure
      // itself is kept here so the error chunk can be logged with it.
      const failures: Array<ModelFailed> = []
      const modelMessages = Effect.tryPromise({
        try: () => convertToModelMessages(modelContext(input.messages, input.contextMessages, input.maxContextChars)),
        catch: () => new ModelFailed({ reason: "error", detail: "the stored messages could not be converted for the model" })
      })
      const uiStream = (messages: Awaited<ReturnType<typeof convertToModelMessages>>) =>
        streamText({
          model,
          system: input.systemPrompt,
          messages,
          maxRetries: settings.maxRetries,
          maxOutputTokens: input.maxOutputTokens,
          // Never fetch a URL for a client: the context holds only text, and should a URL reach the AI SDK
          // anyway, its download fails the turn instead of reaching out.
          experimental_download: (requests) =>
            requests.length === 0 ? Promise.resolve([]) : Promise.reject(new Error("CoderAgent downloads nothing")),
          // The AI SDK's default prints the whole error, model URL and request included; the error chunk's
          // `onError` below logs it classified instead.
          onError: () => undefined,
          abortSignal: input.abortSignal === undefined ? stop.signal : AbortSignal.any([input.abortSignal, stop.signal])
        }).toUIMessageStream({
          messageMetadata: ({ part }): ReplyMetadata | undefined =>
            part.type === "finish"
              ? {
                  finishReason: part.finishReason,
                  usage: {
                    inputTokens: numberOrNull(part.totalUsage.inputTokens),
                    outputTokens: numberOrNull(part.totalUsage.outputTokens),
                    totalTokens: numberOrNull(part.totalUsage.totalTokens)
                  }
                }
              : undefined,
          onError: (error) => {
            const failure = modelFailureOf(error)
            failures.push(failure)
            return failure.text
          }
        })
      return Stream.unwrap(
        Effect.map(modelMessages, (messages) =>
          Stream.fromReadableStream<UIMessageChunk, ModelFailed>({ evaluate: () => uiStream(messages), onError: modelFailureOf })
        )
      ).pipe(
        Stream.mapEffect((chunk) => (chunk.type === "error" ? Effect.fail(failures.at(-1) ?? modelFailureOf(chunk)) : Effect.succeed(chunk)))
      )
    }

    const record = (chunk: UIMessageChunk) =>
      chunk.type === "abort"
        ? Ref.update(seen, (s) => ({ ...s, aborted: true }))
        : Option.match(metadataOf(chunk), {
            onNone: () => Effect.void,
            onSome: (meta) => Ref.update(seen, (s) => ({ ...s, finishReason: meta.finishReason, usage: meta.usage }))
          })

    const failWith = (failure: ModelFailed | ModelUnavailable) =>
      Ref.update(seen, (s) => ({ ...s, failure })).pipe(
        Effect.zipRight(
          failure._tag === "ModelFailed"
            ? // The detail is the operator's; the client gets a stable code and a safe sentence.
              Effect.logWarning({ event: "agent.model_failed", ...input.logFields, reason: failure.reason, detail: failure.detail })
            : Effect.void
        ),
        Effect.as<UIMessageChunk>({ type: "error", errorText: failure.text })
      )

    const logEnd = Effect.gen(function* () {
      const s = yield* Ref.get(seen)
      const durationMs = (yield* Clock.currentTimeMillis) - startedAt
      const status = s.failure !== null ? "error" : s.aborted || s.finishReason === null ? "aborted" : "completed"
      yield* Effect.logInfo({
        event: "agent.chat_completed",
        ...input.logFields,
        backend: settings.backend,
        status,
        code: s.failure?.code ?? null,
        durationMs,
        finishReason: s.finishReason,
        inputTokens: s.usage?.inputTokens ?? null,
        outputTokens: s.usage?.outputTokens ?? null,
        totalTokens: s.usage?.totalTokens ?? null
      })
    })

    const turn = Either.match(settings.model, {
      onLeft: (unavailable) => Stream.fromEffect(failWith(unavailable)),
      onRight: (model) =>
        modelChunks(model).pipe(
          Stream.timeoutFail(
            () => new ModelFailed({ reason: "timeout", detail: `no chunk from the model for ${settings.timeoutMs} ms` }),
            Duration.millis(settings.timeoutMs)
          ),
          Stream.tap(record),
          Stream.mapConcat(withLiveMetadata),
          Stream.catchAll((failure) => Stream.fromEffect(failWith(failure)))
        )
    }).pipe(Stream.ensuring(Effect.zipRight(Effect.sync(() => stop.abort()), logEnd)))
    return createUIMessageStreamResponse({ stream: yield* Stream.toReadableStreamEffect(turn) })
  })
