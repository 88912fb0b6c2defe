/** Configuration from the Worker's vars: the `ConfigProvider` every `Config` of the Worker and its agents reads. */
import { ConfigProvider } from "effect"
import type { WorkerEnv } from "../domain/Worker.js"

/** A `ConfigProvider` over the string vars of `env` (bindings and other values are not config). */
export const configProviderFrom = (env: WorkerEnv): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])))
  )
