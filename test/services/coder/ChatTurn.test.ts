import { describe, expect, it } from "@effect/vitest"
import { APICallError, type UIMessage } from "ai"
import { MockLanguageModelV3, simulateReadableStream } from "ai/test"
import { Effect, Either, Layer, Schema } from "effect"
import { LogLine } from "../../../src/domain/coder/CoderEvents.js"
import { ChatModel, type ChatModelShape, MODEL_SETTINGS_HINT, ModelUnavailable } from "../../../src/services/coder/ChatModel.js"
import { chatTurn } from "../../../src/services/coder/ChatTurn.js"
import { collectLogs } from "../../support/Logs.js"

type StreamResult = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>
type V3Part = StreamResult["stream"] extends ReadableStream<infer P> ? P : never

const usage = {
  inputTokens: { total: 7, noCache: 7, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 3, text: 3, reasoning: undefined }
}
const textParts = (words: ReadonlyArray<string>): Array<V3Part> => [
  { type: "stream-start", warnings: [] },
  { type: "text-start", id: "t" },
  ...words.map((delta) => ({ type: "text-delta" as const, id: "t", delta })),
  { type: "text-end", id: "t" },
  { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage }
]

const streaming = (parts: Array<V3Part>, chunkDelayInMs: number | null = null) =>
  new MockLanguageModelV3({ doStream: async () => ({ stream: simulateReadableStream({ chunks: parts, chunkDelayInMs }) }) })

const layer = (model: ChatModelShape["model"], timeoutMs = 1_000): Layer.Layer<ChatModel> =>
  Layer.succeed(ChatModel, { backend: "openai-compatible", model, timeoutMs, maxRetries: 0 })

const user = (text: string, n: number): UIMessage => ({ id: `u${n}`, role: "user", parts: [{ type: "text", text }] })
const assistant = (text: string, n: number): UIMessage => ({ id: `a${n}`, role: "assistant", parts: [{ type: "text", text }] })

/** The UI message chunks of a turn's SSE body. */
const chunksOf = (response: Response) =>
  Effect.promise(async () =>
    (await response.text())
      .split("\n\n")
      .map((event) => event.replace(/^data: /, "").trim())
      .filter((data) => data.length > 0 && data !== "[DONE]")
      .map((data) => JSON.parse(data) as { type: string; delta?: string; errorText?: string; messageMetadata?: unknown })
  )

const run = (input: Partial<Parameters<typeof chatTurn>[0]>, model: Layer.Layer<ChatModel>, logs: Array<string>) =>
  chatTurn({
    messages: [user("hello", 1)],
    abortSignal: undefined,
    systemPrompt: "be brief",
    contextMessages: 20,
    maxContextChars: 48_000,
    maxOutputTokens: 2_048,
    logFields: { agent: "CoderAgent", instance: "i", chatRequestId: "r1", requestId: null, user: null },
    ...input
  }).pipe(Effect.flatMap(chunksOf), Effect.provide(model), collectLogs(logs))

/** The line of event `name`; every line must decode with the documented log schema. */
const event = (logs: Array<string>, name: string) => {
  for (const line of logs) expect(Either.isRight(decodeLine(line)), line).toBe(true)
  return logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line["event"] === name)
}
const decodeLine = Schema.decodeUnknownEither(Schema.parseJson(LogLine))

describe("chatTurn", () => {
  it.live("streams the reply, attaches finish reason and usage, and logs agent.chat_completed", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const model = streaming(textParts(["You ", "said: ", "hello"]))
      const chunks = yield* run({}, layer(Either.right(model)), logs)
      expect(chunks.filter((c) => c.type === "text-delta").map((c) => c.delta)).toEqual(["You ", "said: ", "hello"])
      const metadata = { finishReason: "stop", usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 } }
      expect(chunks.slice(-2)).toEqual([
        { type: "message-metadata", messageMetadata: metadata },
        { type: "finish", finishReason: "stop", messageMetadata: metadata }
      ])
      expect(model.doStreamCalls[0]?.prompt[0]).toEqual({ role: "system", content: "be brief" })
      expect(event(logs, "agent.chat_completed")).toMatchObject({
        status: "completed",
        code: null,
        finishReason: "stop",
        inputTokens: 7,
        outputTokens: 3,
        totalTokens: 10,
        chatRequestId: "r1",
        durationMs: expect.any(Number)
      })
    })
  )

  it.live("the model sees the system prompt and only the newest contextMessages messages", () =>
    Effect.gen(function* () {
      const model = streaming(textParts(["ok"]))
      const messages = [user("one", 1), assistant("two", 2), user("three", 3), assistant("four", 4), user("five", 5)]
      yield* run({ messages, contextMessages: 3 }, layer(Either.right(model)), [])
      const prompt = model.doStreamCalls[0]?.prompt ?? []
      expect(prompt.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"])
      expect(JSON.stringify(prompt)).not.toContain("two")
      expect(JSON.stringify(prompt)).toContain("five")
    })
  )

  it.live("an upstream error is the model_error chunk; the log has the status, never the URL or its credentials", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const url = "https://modeluser:SECRET@models.example/v1/chat/completions"
      const model = new MockLanguageModelV3({
        doStream: async () => {
          throw new APICallError({ message: `failed ${url}`, url, requestBodyValues: {}, statusCode: 500, responseBody: "key sk-123 leaked" })
        }
      })
      const chunks = yield* run({}, layer(Either.right(model)), logs)
      const error = chunks.find((c) => c.type === "error")
      expect(error?.errorText).toBe("model_error: The model failed to answer. Try again; the operator's log has the details.")
      expect(event(logs, "agent.model_failed")).toMatchObject({ reason: "error", detail: "upstream answered 500" })
      expect(event(logs, "agent.chat_completed")).toMatchObject({ status: "error", code: "model_error", finishReason: null })
      expect(logs.join("\n") + JSON.stringify(chunks)).not.toMatch(/SECRET|sk-123|models\.example/)
    })
  )

  it.live("a model that stops sending is model_timeout after timeoutMs, and the model call is aborted", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      let signal: AbortSignal | undefined
      const model = new MockLanguageModelV3({
        doStream: async (options) => {
          signal = options.abortSignal
          return { stream: new ReadableStream<V3Part>({ start: (c) => c.enqueue({ type: "stream-start", warnings: [] }) }) }
        }
      })
      const chunks = yield* run({}, layer(Either.right(model), 200), logs)
      expect(chunks.at(-1)).toEqual({ type: "error", errorText: "model_timeout: The model stopped sending its reply in time. Try again." })
      expect(signal?.aborted).toBe(true)
      expect(event(logs, "agent.model_failed")).toMatchObject({ reason: "timeout", detail: "no chunk from the model for 200 ms" })
      expect(event(logs, "agent.chat_completed")).toMatchObject({ status: "error", code: "model_timeout" })
    })
  )

  it.live("a turn cancelled through the SDK's abort signal ends with abort and is logged aborted", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const cancel = new AbortController()
      const model = streaming(textParts(Array.from({ length: 50 }, (_, i) => `w${i} `)), 20)
      setTimeout(() => cancel.abort(), 100)
      const chunks = yield* run({ abortSignal: cancel.signal }, layer(Either.right(model)), logs)
      expect(chunks.some((c) => c.type === "abort")).toBe(true)
      expect(chunks.filter((c) => c.type === "text-delta").length).toBeLessThan(50)
      expect(event(logs, "agent.chat_completed")).toMatchObject({ status: "aborted", code: null })
    })
  )

  it.live("without a model the turn is one model_unavailable chunk naming the settings to add", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const chunks = yield* run({}, layer(Either.left(new ModelUnavailable({ setting: MODEL_SETTINGS_HINT }))), logs)
      expect(chunks).toEqual([{ type: "error", errorText: `model_unavailable: ${MODEL_SETTINGS_HINT}` }])
      expect(event(logs, "agent.chat_completed")).toMatchObject({ status: "error", code: "model_unavailable", backend: "openai-compatible" })
    })
  )
})
