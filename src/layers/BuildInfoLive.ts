/** `BuildInfo` from the constants wrangler.toml `[define]`s at bundle time and the Worker's exports. */
import { Layer } from "effect"
import { BuildInfo } from "../services/BuildInfo.js"

declare const __AGENTS_SDK_VERSION__: string | undefined
declare const __COMPATIBILITY_DATE__: string | undefined

/** The build facts; `exports` are the Worker module's exported values (classes are functions). */
export const buildInfoLive = (exports: Readonly<Record<string, unknown>>) =>
  Layer.succeed(BuildInfo, {
    // `typeof` keeps an unbundled run (no define) from throwing a ReferenceError.
    agentsSdkVersion: typeof __AGENTS_SDK_VERSION__ === "string" ? __AGENTS_SDK_VERSION__ : "unknown",
    compatibilityDate: typeof __COMPATIBILITY_DATE__ === "string" ? __COMPATIBILITY_DATE__ : "unknown",
    exportedClasses: Object.keys(exports).filter((name) => typeof exports[name] === "function")
  })
