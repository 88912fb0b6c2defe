/** Small statistics helpers for the load and benchmark scripts. */

/** The `q` quantile (0..1) of `values`, by nearest rank; NaN when empty. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

/** Milliseconds with two decimals, for tables. */
export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : "n/a")

/** `--name value` and `--flag` command-line options. */
export const options = (argv: ReadonlyArray<string>): Map<string, string> => {
  const parsed = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    if (!arg.startsWith("--")) continue
    const next = argv[i + 1]
    if (next === undefined || next.startsWith("--")) parsed.set(arg.slice(2), "true")
    else {
      parsed.set(arg.slice(2), next)
      i++
    }
  }
  return parsed
}

/** A positive integer option, or `fallback`. */
export const intOption = (opts: Map<string, string>, name: string, fallback: number): number => {
  const value = Number(opts.get(name) ?? fallback)
  return Number.isInteger(value) && value > 0 ? value : fallback
}
