/**
 * Instructions by function from a callgrind run of Node (bench:count `--functions`). Callgrind names only
 * native code (V8's builtins, C++, libc); JavaScript compiled by V8 is known to it by address alone, so
 * those addresses are named from the `/tmp/perf-<pid>.map` Node writes with `--perf-basic-prof`. Each
 * function is charged its own instructions only (functions V8 inlined count in the one they were inlined
 * into): a flat profile, exact and summing to the count. Charging native callees to their JavaScript caller
 * was tried and left out: builtins such as `Call` and `JSON.stringify` run JavaScript too, which callgrind's
 * call costs cannot separate from their own.
 */

/** One code range of a perf map: `start size name`, addresses in hex. */
interface CodeRange {
  readonly start: number
  readonly end: number
  readonly name: string
}

/** The ranges of a perf map, sorted by start (a later entry for the same start wins). */
export const parsePerfMap = (text: string): ReadonlyArray<CodeRange> =>
  text
    .split("\n")
    .flatMap((line) => {
      const match = /^([0-9a-f]+) ([0-9a-f]+) (.+)$/.exec(line)
      if (match === null) return []
      const start = Number.parseInt(match[1]!, 16)
      return [{ start, end: start + Number.parseInt(match[2]!, 16), name: shortName(match[3]!) }]
    })
    .sort((a, b) => a.start - b.start)

/** `JS:*formatLogLine file:///x/bundle.mjs:12:3` -> `formatLogLine bundle.mjs:12`: tier marks and file paths go. */
const shortName = (name: string): string =>
  name
    .replace(/^(?:JS|Builtin|Handler|Bytecode|Stub|Function|LazyCompile):[*~^+']*/, "")
    .replace(/file:\/\/\/[^ ]*\/([^/ ]+:\d+):\d+$/, "$1")

/** The name of the code at `address`, or undefined outside every range. */
const nameAt = (ranges: ReadonlyArray<CodeRange>, address: number): string | undefined => {
  let low = 0
  let high = ranges.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    if (ranges[middle]!.start <= address) low = middle + 1
    else high = middle - 1
  }
  // Ranges can overlap when V8 reuses code space: the latest start below the address that covers it.
  for (let i = high; i >= 0 && i > high - 8; i--) if (address < ranges[i]!.end) return ranges[i]!.name
  return undefined
}

const unnamed = /^0x[0-9a-f]+$/

/**
 * Instructions by function in a callgrind output written with `--dump-instr=yes --compress-strings=no
 * --compress-pos=no`: each function's own (a call's inclusive cost is left to the functions it reaches), so
 * the table sums to the count. Compiled JavaScript and regular expressions are named from the perf map,
 * native code (V8's builtins and runtime, the collector, libc) by callgrind, marked `(native)`.
 */
export const instructionsByFunction = (callgrind: string, ranges: ReadonlyArray<CodeRange>): Map<string, number> => {
  const costs = new Map<string, number>()
  let fn = ""
  let compiled = false
  let callCostNext = false
  for (const line of callgrind.split("\n")) {
    if (line.startsWith("fn=")) {
      fn = line.slice(3)
      compiled = unnamed.test(fn)
    } else if (line.startsWith("calls=")) callCostNext = true
    else if (line.startsWith("0x")) {
      // The line after `calls=` holds the call's inclusive cost, not an instruction's own.
      if (callCostNext) {
        callCostNext = false
        continue
      }
      const [address, , cost] = line.split(" ")
      const name = compiled ? (nameAt(ranges, Number.parseInt(address!, 16)) ?? "(unnamed compiled code)") : `(native) ${fn}`
      costs.set(name, (costs.get(name) ?? 0) + Number(cost))
    }
  }
  return costs
}
