/** Reading settings in tests: which vars a configuration's failure names, for given vars. */
import { type Config, type ConfigError, ConfigProvider, Effect } from "effect"
import { configProblems } from "../../src/services/Settings.js"

/** The vars named by the failure to read `config` from `vars` (it must fail). */
export const varsNamedBy = (
  config: Config.Config<unknown> | Effect.Effect<unknown, ConfigError.ConfigError>,
  vars: Record<string, string>
): Promise<ReadonlyArray<string>> =>
  Effect.runPromise(
    Effect.flip(Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(vars))))).pipe(
      Effect.map((error) => configProblems(error).map((p) => p.setting))
    )
  )
