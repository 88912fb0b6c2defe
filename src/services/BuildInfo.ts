/**
 * Facts fixed when the Worker is built: the `agents` SDK version, the compatibility date and the classes
 * the Worker module exports. Shown by `/_diagnostics`.
 */
import { Context } from "effect"

/** What the deployed bundle is made of. */
export class BuildInfo extends Context.Tag("app/BuildInfo")<
  BuildInfo,
  {
    readonly agentsSdkVersion: string
    readonly compatibilityDate: string
    readonly exportedClasses: ReadonlyArray<string>
  }
>() {}
