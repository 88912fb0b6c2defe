/**
 * Facts fixed when the Worker is built: the `agents` SDK version, the compatibility date and the classes
 * the Worker module exports. Shown by `/_diagnostics`.
 */
import { Context, Layer } from "effect"

declare const __AGENTS_SDK_VERSION__: string | undefined
declare const __COMPATIBILITY_DATE__: string | undefined

/** What the deployed bundle is made of. */
export class BuildInfo extends Context.Tag("app/BuildInfo")<
  BuildInfo,
  {
    readonly agentsSdkVersion: string
    readonly compatibilityDate: string
    readonly exportedClasses: ReadonlyArray<string>
  }
>() {
  /**
   * The facts from the constants wrangler.toml `[define]`s at bundle time, and the agent classes the
   * Worker module exports (`classes` is read when the runtime is built, after the module has evaluated).
   */
  static readonly layer = (classes: () => ReadonlyArray<string>): Layer.Layer<BuildInfo> =>
    Layer.sync(BuildInfo, () => ({
      // `typeof` keeps an unbundled run (no define) from throwing a ReferenceError.
      agentsSdkVersion: typeof __AGENTS_SDK_VERSION__ === "string" ? __AGENTS_SDK_VERSION__ : "unknown",
      compatibilityDate: typeof __COMPATIBILITY_DATE__ === "string" ? __COMPATIBILITY_DATE__ : "unknown",
      exportedClasses: classes()
    }))
}
