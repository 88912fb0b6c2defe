/** CoderAgent's settings besides the model's, read with `Config` from the Worker's vars. */
import { Config } from "effect"
import { positiveInt } from "./AppConfig.js"

/** CoderAgent settings besides the model's. */
export interface CoderSettings {
  /** The longest user message, in characters (`MAX_MESSAGE_CHARS`). */
  readonly maxMessageChars: number
  /** How many of the newest messages the model sees (`CONTEXT_MESSAGES`). */
  readonly contextMessages: number
  readonly systemPrompt: string
}

export const DEFAULT_SYSTEM_PROMPT = "You are CoderAgent, a concise and careful coding assistant."

/** The CoderAgent settings. */
export const coderSettings: Config.Config<CoderSettings> = Config.all({
  maxMessageChars: positiveInt("MAX_MESSAGE_CHARS", 8_000),
  contextMessages: positiveInt("CONTEXT_MESSAGES", 20),
  systemPrompt: Config.string("SYSTEM_PROMPT").pipe(Config.withDefault(DEFAULT_SYSTEM_PROMPT))
})
