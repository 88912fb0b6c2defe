/**
 * `npm run bench:workerd`: what a change costs inside workerd, where the router runs, finer than
 * `npm run bench` can see. Deploy bundles (`--minify`) of git refs are each served by their own Miniflare
 * (no `wrangler dev` proxy, output dropped), beside the bare-SDK baseline, the baseline again (A/A) and the
 * baseline plus one log line (a printed line crosses from workerd to this process, so it costs here too);
 * GETs and WebSocket connects go one per Worker in turn, the order rotated every sample, and the table
 * gives each ref's median and mean over the baseline in microseconds. A ref is a commit (built in a
 * temporary git worktree) or `.` for the working tree.
 *
 *   npm run bench:workerd -- [--refs HEAD~1,.] [--gets 4000] [--connects 600] [--warm 300]
 */
import { join, resolve } from "node:path"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { intOption, options, quantile } from "../scripts/stats.js"
import { connectLatency, httpLatency, interleaved } from "./measure.js"
import { serveBundle } from "./serveBundle.js"
import { atRef, shortRef } from "./worktree.js"

const root = resolve(import.meta.dirname, "..")
const opts = options(process.argv.slice(2))
const refs = (opts.get("refs") ?? ".").split(",").map((ref) => ref.trim())
const gets = intOption(opts, "gets", 4_000)
const connects = intOption(opts, "connects", 600)
const warm = intOption(opts, "warm", 300)

/** The deploy bundle of `ref` (`.`: the working tree). */
const bundleOf = (ref: string): string => atRef(ref, (dir) => bundleWorker({ config: join(dir, "wrangler.toml"), minify: true }))

const main = async () => {
  console.error("bundling ...")
  const baselineConfig = join(root, "bench/baseline/wrangler.toml")
  const baselineBundle = bundleWorker({ config: baselineConfig, minify: true })
  const columns: Array<[string, string, string]> = [
    ["baseline", baselineBundle, "worker.js"],
    ["baseline again", baselineBundle, "worker.js"],
    ["baseline + line", bundleWorker({ config: baselineConfig, script: join(root, "bench/baseline/logged.ts"), minify: true }), "logged.js"],
    ...refs.map((ref): [string, string, string] => [ref === "." ? "working tree" : `${ref} (${shortRef(ref)})`, bundleOf(ref), "worker.js"])
  ]
  const workers = await Promise.all(columns.map(([, bundle, script], i) => serveBundle({ name: `w${i}`, bundle, script })))
  const sides = columns.map((_, i) => i)
  try {
    console.error("warming up ...")
    await interleaved(sides, warm, 0, (i) => httpLatency(workers[i]!.origin))
    await interleaved(sides, 30, 0, (i, n) => connectLatency(workers[i]!.wsOrigin, n))
    console.error(`${gets} GETs and ${connects} connects each ...`)
    const http = await interleaved(sides, gets, 0, (i) => httpLatency(workers[i]!.origin))
    const connect = await interleaved(sides, connects, 0, (i, n) => connectLatency(workers[i]!.wsOrigin, n))
    const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
    const us = (ms: number) => `${ms >= 0 ? "+" : ""}${(ms * 1000).toFixed(0)} µs`
    const width = Math.max(...columns.map(([name]) => name.length)) + 2
    const heads = ["GET p50", "over base", "GET mean", "over base", "WS p50", "over base"]
    console.log(`\n${gets} GETs, ${connects} connects per Worker, one per Worker in turn; deploy bundles under Miniflare\n`)
    console.log(`${"".padEnd(width)}${heads.map((h) => h.padStart(11)).join("")}`)
    const base = { get50: quantile(http[0]!, 0.5), getMean: mean(http[0]!), ws50: quantile(connect[0]!, 0.5) }
    columns.forEach(([name], i) => {
      const get50 = quantile(http[i]!, 0.5)
      const getMean = mean(http[i]!)
      const ws50 = quantile(connect[i]!, 0.5)
      const cells = [get50.toFixed(3), us(get50 - base.get50), getMean.toFixed(3), us(getMean - base.getMean), ws50.toFixed(3), us(ws50 - base.ws50)]
      console.log(`${name.padEnd(width)}${cells.map((c) => c.padStart(11)).join("")}`)
    })
    console.log("\n(ms; 'baseline again' over 'baseline' is the noise of this run)")
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
  }
}

void main()
