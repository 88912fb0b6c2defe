import { describe, expect, it } from "@effect/vitest"
import { APICallError, RetryError } from "ai"
import { ConfigProvider, Effect, Either } from "effect"
import { configProblems } from "../../../src/services/Settings.js"
import { ChatModel, MODEL_SETTINGS_HINT, modelFailureOf, ModelFailed } from "../../../src/services/coder/ChatModel.js"
import { chatTurn } from "../../../src/services/coder/ChatTurn.js"

const withVars = (vars: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
const fakeAi = (run: (...args: ReadonlyArray<unknown>) => Promise<unknown>) => ({ run })

describe("ChatModel.make", () => {
  it.effect("MODEL_BASE_URL chooses the OpenAI-compatible endpoint, with the timeout and retries", () =>
    Effect.gen(function* () {
      const model = yield* ChatModel.make(undefined).pipe(
        withVars({ MODEL_BASE_URL: "https://models.example/v1/", MODEL_NAME: "m", MODEL_TIMEOUT_MS: "5000", MODEL_MAX_RETRIES: "0" })
      )
      expect(model).toMatchObject({ backend: "openai-compatible", timeoutMs: 5_000, maxRetries: 0 })
      expect(Either.isRight(model.model)).toBe(true)
    })
  )

  it.effect("an AI binding chooses Workers AI when no MODEL_BASE_URL is set; neither is none, naming the settings", () =>
    Effect.gen(function* () {
      expect((yield* ChatModel.make(fakeAi(async () => null)).pipe(withVars({}))).backend).toBe("workers-ai")
      const none = yield* ChatModel.make(undefined).pipe(withVars({}))
      expect(none.backend).toBe("none")
      expect(Either.getLeft(none.model).pipe((e) => e._tag === "Some" && e.value.text)).toBe(`model_unavailable: ${MODEL_SETTINGS_HINT}`)
    })
  )

  it.effect("bad settings are all named at once, and a URL's value (credentials) is never repeated", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ChatModel.make(undefined).pipe(withVars({ MODEL_BASE_URL: "ftp://user:SECRET@models.example", MODEL_TIMEOUT_MS: "0", MODEL_MAX_RETRIES: "9" }))
      )
      const problems = configProblems(error)
      expect(problems.map((p) => p.setting).sort()).toEqual(["MODEL_BASE_URL", "MODEL_MAX_RETRIES", "MODEL_TIMEOUT_MS"])
      expect(JSON.stringify(problems)).not.toMatch(/SECRET|models\.example/)
      const missingName = yield* Effect.flip(ChatModel.make(undefined).pipe(withVars({ MODEL_BASE_URL: "https://models.example/v1" })))
      expect(configProblems(missingName).map((p) => p.setting)).toEqual(["MODEL_NAME"])
    })
  )

  it.live("Workers AI streams through workers-ai-provider from the binding's server-sent events", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      const sse = ['data: {"response":"Hello"}\n\n', 'data: {"response":" there"}\n\n', "data: [DONE]\n\n"]
      const ai = fakeAi(async (...args) => {
        seen.push(args[0])
        return new ReadableStream({ start: (c) => (sse.forEach((s) => c.enqueue(new TextEncoder().encode(s))), c.close()) })
      })
      const model = yield* ChatModel.make(ai).pipe(withVars({ WORKERS_AI_MODEL: "@cf/test/model" }))
      const response = yield* chatTurn({
        messages: [{ id: "u1", role: "user", parts: [{ type: "text", text: "hi" }] }],
        abortSignal: undefined,
        systemPrompt: "s",
        contextMessages: 20,
        maxContextChars: 48_000,
        maxOutputTokens: 2_048,
        logFields: { agent: "CoderAgent", instance: "i", chatRequestId: "r", requestId: null, user: null }
      }).pipe(Effect.provideService(ChatModel, model))
      const body = yield* Effect.promise(() => response.text())
      const text = [...body.matchAll(/"delta":"([^"]*)"/g)].map((m) => m[1]).join("")
      expect(text).toBe("Hello there")
      expect(seen).toEqual(["@cf/test/model"])
    })
  )
})

describe("modelFailureOf", () => {
  const url = "https://user:SECRET@models.example/v1/chat/completions"
  const apiError = (statusCode?: number) =>
    new APICallError({ message: `call to ${url} failed`, url, requestBodyValues: {}, ...(statusCode === undefined ? {} : { statusCode }), cause: new TypeError("fetch failed") })

  it("names the upstream status, an unreachable upstream, the attempts, and a timeout; never the URL", () => {
    expect(modelFailureOf(apiError(503))).toMatchObject({ reason: "error", detail: "upstream answered 503" })
    expect(modelFailureOf(apiError())).toMatchObject({ reason: "error", detail: "upstream unreachable (TypeError)" })
    const retried = new RetryError({ message: `gave up on ${url}`, reason: "maxRetriesExceeded", errors: [apiError(500), apiError(500), apiError(502)] })
    expect(modelFailureOf(retried)).toMatchObject({ reason: "error", detail: "upstream answered 502 (after 3 attempts)" })
    expect(modelFailureOf(new DOMException("slow", "TimeoutError"))).toMatchObject({ reason: "timeout" })
    expect(modelFailureOf(new Error(`body said ${url} sk-123`))).toMatchObject({ reason: "error", detail: "model call failed (Error)" })
    const existing = new ModelFailed({ reason: "timeout", detail: "x" })
    expect(modelFailureOf(existing)).toBe(existing)
  })

  it("gives clients only the fixed sentences", () => {
    expect(new ModelFailed({ reason: "error", detail: url }).text).toBe("model_error: The model failed to answer. Try again; the operator's log has the details.")
    expect(new ModelFailed({ reason: "timeout", detail: url }).text).toBe("model_timeout: The model stopped sending its reply in time. Try again.")
  })
})
