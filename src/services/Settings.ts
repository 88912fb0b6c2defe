/**
 * The config helpers the router and CoderAgent share: how a numeric var is read (validated before its
 * default, so a failure names the var) and how a `ConfigError` becomes one problem per var.
 */
import { Config, ConfigError } from "effect"

/** An integer var of at least 1, with a default; a malformed value fails start-up naming the var. */
export const positiveInt = (name: string, fallback: number) =>
  // Validated before the default, so a failure names the var (a validation after `withDefault` has no path).
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be a positive integer`, validation: (n) => n >= 1 }),
    Config.withDefault(fallback)
  )

/** One problem in a `ConfigError`: the var it is about and what is wrong with it. */
export interface ConfigProblem {
  readonly setting: string
  readonly message: string
}

/** The problems in a `ConfigError`, one per var, in the order they were found. */
export const configProblems = (error: ConfigError.ConfigError): ReadonlyArray<ConfigProblem> => {
  const leaf = (_: unknown, path: Array<string>, message: string): ReadonlyArray<ConfigProblem> => [{ setting: path.join("."), message }]
  return ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left, right) => [...left, ...right],
    orCase: (_, left, right) => [...left, ...right],
    invalidDataCase: leaf,
    missingDataCase: leaf,
    sourceUnavailableCase: leaf,
    unsupportedCase: leaf
  })
}
