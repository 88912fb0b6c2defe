/**
 * Every validated var, given a bad value, stops start-up naming that var and only that var (a validation
 * placed after `withDefault` loses the path: "Invalid data at : ..."). One row per var, router and CoderAgent.
 */
import { describe, expect, it } from "vitest"
import { appSettings } from "../src/services/AppConfig.js"
import { ChatModel } from "../src/services/coder/ChatModel.js"
import { coderSettings } from "../src/services/coder/CoderSettings.js"
import { varsNamedBy } from "./support/Settings.js"

const SECRET = "an-hs256-secret-of-at-least-32-characters"



const router: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ["AGENTS_PREFIX", { AGENTS_PREFIX: "bad prefix" }],
  ["AGENTS", { AGENTS: "Coder Agent" }],
  ["DIAGNOSTICS", { DIAGNOSTICS: "maybe" }],
  ["DIAGNOSTICS_TOKEN", { DIAGNOSTICS_TOKEN: "short" }],
  ["AUTH_TOKEN", { AUTH_TOKEN: "short" }],
  ["AUTH_JWT_SECRET", { AUTH_JWT_SECRET: "too-short" }],
  ["AUTH_JWKS_URL", { AUTH_JWKS_URL: "not a url", AUTH_AUDIENCE: "agents" }],
  ["AUTH_AUDIENCE", { AUTH_JWKS_URL: "https://team.example/certs" }],
  ["AUTH_CLOCK_SKEW_S", { AUTH_JWT_SECRET: SECRET, AUTH_CLOCK_SKEW_S: "500" }],
  ["AUTH_MAX_TOKEN_LIFETIME_S", { AUTH_JWT_SECRET: SECRET, AUTH_MAX_TOKEN_LIFETIME_S: "0" }],
  ["AUTH_JWKS_COOLDOWN_MS", { AUTH_JWT_SECRET: SECRET, AUTH_JWKS_COOLDOWN_MS: "-1" }],
  ["ROUTING_MAX_ATTEMPTS", { ROUTING_MAX_ATTEMPTS: "zero" }],
  ["ROUTING_RETRY_BASE_MS", { ROUTING_RETRY_BASE_MS: "0" }],
  ["ROUTING_RETRY_BUDGET_MS", { ROUTING_RETRY_BUDGET_MS: "1.5" }],
  ["ROUTING_TIMEOUT_MS", { ROUTING_TIMEOUT_MS: "-5" }],
  ["AGENTS_JURISDICTION", { AGENTS_JURISDICTION: "CoderAgent:moon" }],
  ["AGENTS_LOCATION_HINT", { AGENTS_LOCATION_HINT: "CoderAgent:north" }]
]

const coder: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ["MAX_MESSAGE_CHARS", { MAX_MESSAGE_CHARS: "0" }],
  ["MAX_FRAME_MESSAGES", { MAX_FRAME_MESSAGES: "x" }],
  ["MAX_FRAME_BYTES", { MAX_FRAME_BYTES: "-1" }],
  ["MAX_HISTORY_MESSAGES", { MAX_HISTORY_MESSAGES: "0" }],
  ["MAX_HISTORY_BYTES", { MAX_HISTORY_BYTES: "many" }],
  ["CONTEXT_MESSAGES", { CONTEXT_MESSAGES: "0" }],
  ["MAX_CONTEXT_CHARS", { MAX_CONTEXT_CHARS: "0" }],
  ["MODEL_MAX_OUTPUT_TOKENS", { MODEL_MAX_OUTPUT_TOKENS: "0" }]
]

const model: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ["MODEL_TIMEOUT_MS", { MODEL_TIMEOUT_MS: "0" }],
  ["MODEL_MAX_RETRIES", { MODEL_MAX_RETRIES: "9" }],
  ["MODEL_BASE_URL", { MODEL_BASE_URL: "ftp://model.example" }],
  ["MODEL_NAME", { MODEL_BASE_URL: "https://model.example/v1", MODEL_NAME: " " }]
]

describe("a bad value names its var", () => {
  it.each(router)("%s (router)", async (name, vars) => {
    expect(await varsNamedBy(appSettings, vars)).toEqual([name])
  })
  it.each(coder)("%s (CoderAgent)", async (name, vars) => {
    expect(await varsNamedBy(coderSettings, vars)).toEqual([name])
  })
  it.each(model)("%s (CoderAgent's model)", async (name, vars) => {
    expect(await varsNamedBy(ChatModel.make(undefined), vars)).toEqual([name])
  })
})
