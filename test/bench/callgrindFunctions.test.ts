import { describe, expect, it } from "@effect/vitest"
import { instructionsByFunction, parsePerfMap } from "../../bench/callgrindFunctions.js"

const perfMap = [
  "1000 100 JS:*formatLogLine file:///tmp/x/bundle.mjs:120:21",
  "2000 80 RegExp.> src: 'a|b' flags: 'i'",
  "3000 40 JS:~finish file:///tmp/x/bundle.mjs:300:9",
  "2100 10 JS:*set node:internal/deps/undici/undici:11554:10"
].join("\n")

// Compiled functions by address, a builtin they call, and compiled code outside the perf map. A call's
// line (after `calls=`) holds its inclusive cost, which the callee's own lines already count.
const callgrind = [
  "fn=0x0000000000001000",
  "0x1000 0 5",
  "0x1010 0 7",
  "cfn=Builtins_JsonStringify",
  "calls=1 0x9000",
  "0x1020 0 300",
  "fn=0x0000000000003000",
  "0x3000 0 110",
  "fn=0x0000000000002000",
  "0x2004 0 11",
  "0x2104 0 3",
  "fn=Builtins_JsonStringify",
  "0x9000 0 300",
  "fn=0x0000000000005000",
  "0x5000 0 2"
].join("\n")

describe("instructionsByFunction", () => {
  it("charges each function its own instructions, compiled code named from the perf map", () => {
    const costs = instructionsByFunction(callgrind, parsePerfMap(perfMap))
    expect(Object.fromEntries(costs)).toEqual({
      "formatLogLine bundle.mjs:120": 12,
      "finish bundle.mjs:300": 110,
      "RegExp.> src: 'a|b' flags: 'i'": 11,
      "set node:internal/deps/undici/undici:11554:10": 3,
      "(native) Builtins_JsonStringify": 300,
      "(unnamed compiled code)": 2
    })
  })
})
