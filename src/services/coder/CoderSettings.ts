/** CoderAgent's settings besides the model's, read with `Config` from the Worker's vars. */
import { Config } from "effect"
import type { ChatLimits } from "../../domain/coder/ChatScreen.js"
import { positiveInt } from "../Settings.js"

/** CoderAgent settings besides the model's. */
export interface CoderSettings {
  /** What a client may store and send (README, CoderAgent: the bounds). */
  readonly limits: ChatLimits
  /** How many of the newest messages the model sees (`CONTEXT_MESSAGES`). */
  readonly contextMessages: number
  /** The most characters of conversation one model request carries (`MAX_CONTEXT_CHARS`). */
  readonly maxContextChars: number
  /** The most tokens the model may write in one turn (`MODEL_MAX_OUTPUT_TOKENS`). */
  readonly maxOutputTokens: number
  readonly systemPrompt: string
}

export const DEFAULT_SYSTEM_PROMPT = "You are CoderAgent, a concise and careful coding assistant."

/**
 * The defaults, and why: 8,000 characters is a long prompt with code pasted in; 200 messages of that
 * size would not fit the bytes cap, which is what bounds the work: 256 KiB of history (a whole
 * conversation is re-sent in every chat request, escaped once inside its body, hence frames of twice
 * that), loaded, screened and stored by the instance in milliseconds rather than the seconds 10,000
 * messages took; 48,000 characters (about 12,000 tokens) per model request and 2,048 tokens per reply
 * keep one turn's spend bounded on any model.
 */
export const DEFAULT_LIMITS: ChatLimits = {
  maxMessageChars: 8_000,
  maxFrameMessages: 200,
  maxFrameBytes: 524_288,
  maxHistoryMessages: 200,
  maxHistoryBytes: 262_144
}

/** The CoderAgent settings. */
export const coderSettings: Config.Config<CoderSettings> = Config.all({
  limits: Config.all({
    maxMessageChars: positiveInt("MAX_MESSAGE_CHARS", DEFAULT_LIMITS.maxMessageChars),
    maxFrameMessages: positiveInt("MAX_FRAME_MESSAGES", DEFAULT_LIMITS.maxFrameMessages),
    maxFrameBytes: positiveInt("MAX_FRAME_BYTES", DEFAULT_LIMITS.maxFrameBytes),
    maxHistoryMessages: positiveInt("MAX_HISTORY_MESSAGES", DEFAULT_LIMITS.maxHistoryMessages),
    maxHistoryBytes: positiveInt("MAX_HISTORY_BYTES", DEFAULT_LIMITS.maxHistoryBytes)
  }),
  contextMessages: positiveInt("CONTEXT_MESSAGES", 20),
  maxContextChars: positiveInt("MAX_CONTEXT_CHARS", 48_000),
  maxOutputTokens: positiveInt("MODEL_MAX_OUTPUT_TOKENS", 2_048),
  systemPrompt: Config.string("SYSTEM_PROMPT").pipe(Config.withDefault(DEFAULT_SYSTEM_PROMPT))
})
