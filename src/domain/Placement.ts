/**
 * Where an agent's Durable Objects live, per agent class: a jurisdiction (`eu`: the data stays in the EU)
 * and a location hint (where a new object is first created). The SDK's `routeAgentRequest` takes both;
 * the router reads them from two vars, `AGENTS_JURISDICTION` and `AGENTS_LOCATION_HINT`, each a
 * comma-separated list of `ClassName:value`.
 */
import { Either } from "effect"

/** Jurisdictions Durable Objects can be restricted to. */
export const JURISDICTIONS = ["eu", "fedramp", "fedramp-high", "us"] as const
/** Location hints for where a Durable Object is created. */
export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "apac-ne", "apac-se", "oc", "afr", "me"] as const

/** One agent's placement; an empty one is the platform's default. */
export interface Placement {
  readonly jurisdiction?: (typeof JURISDICTIONS)[number]
  readonly locationHint?: (typeof LOCATION_HINTS)[number]
}

const entryPattern = /^([A-Za-z_$][\w$]*):([a-z-]+)$/

/** Parses `ClassName:value, ...` against the allowed values; the error says which entry and what is allowed. */
export const parsePlacementList = <V extends string>(
  spec: string,
  allowed: ReadonlyArray<V>
): Either.Either<ReadonlyMap<string, V>, string> => {
  const placed = new Map<string, V>()
  for (const entry of spec.split(",").map((e) => e.trim()).filter((e) => e.length > 0)) {
    const match = entryPattern.exec(entry)
    const value = match?.[2]
    if (match === null || match[1] === undefined || value === undefined || !(allowed as ReadonlyArray<string>).includes(value)) {
      return Either.left(`"${entry.slice(0, 60)}" is not ClassName:value with value one of ${allowed.join(", ")}`)
    }
    if (placed.has(match[1])) return Either.left(`${match[1]} is named twice`)
    placed.set(match[1], value as V)
  }
  return Either.right(placed)
}

/** The placements of every agent named in either list. */
export const placements = (
  jurisdictions: ReadonlyMap<string, Placement["jurisdiction"] & string>,
  hints: ReadonlyMap<string, Placement["locationHint"] & string>
): ReadonlyMap<string, Placement> =>
  new Map(
    [...new Set([...jurisdictions.keys(), ...hints.keys()])].map((className): [string, Placement] => {
      const jurisdiction = jurisdictions.get(className)
      const locationHint = hints.get(className)
      return [className, { ...(jurisdiction === undefined ? {} : { jurisdiction }), ...(locationHint === undefined ? {} : { locationHint }) }]
    })
  )
