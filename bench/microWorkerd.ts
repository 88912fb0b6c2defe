/**
 * `npm run bench:micro:workerd`: bench:micro's four rows (microRows.ts: the SDK call, that in a runtime, that
 * plus one log line, the Worker's handler) run inside workerd, where the router runs. Each ref's rows are
 * bundled into one Worker (wrangler, minified, `keep_names` off as deployed) and served by its own Miniflare;
 * one request drives `--requests` sequential calls of one row over the fake Durable Object, timed from
 * outside (workerd's clock stands still while code runs). Rounds go through refs and rows in turn, the order
 * rotated; medians. Name one ref twice for the noise (`--ref .,.`); `.` is the working tree.
 *
 *   npm run bench:micro:workerd -- [--ref HEAD~1,.] [--requests 1000] [--rounds 20]
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { intOption, options, quantile } from "../scripts/stats.js"
import { FLOOR, PIPELINE, rowLabels, treeModulePaths } from "./microRows.js"
import { serveBundle } from "./serveBundle.js"
import { atRef, treeLabels } from "./worktree.js"

const root = resolve(import.meta.dirname, "..")
const opts = options(process.argv.slice(2))
const refs = (opts.get("ref") ?? ".").split(",").map((ref) => ref.trim())
const requests = intOption(opts, "requests", 1_000)
const rounds = intOption(opts, "rounds", 20)

/** A Worker running this checkout's rows over the modules of the tree at `dir`: `/?row=R&n=N`. */
const bundleRows = (dir: string): string => {
  const out = mkdtempSync(join(tmpdir(), "agents-router-micro-"))
  const from = (path: string) => JSON.stringify(join(dir, path))
  writeFileSync(
    join(out, "entry.ts"),
    [
      `import { drive, rowsFrom } from ${JSON.stringify(join(root, "bench/microRows.ts"))}`,
      ...Object.entries(treeModulePaths).map(([name, path]) => `import * as ${name} from ${from(path)}`),
      // Built at the first request: workerd allows no timers in the global scope.
      `let rows`,
      `export default {`,
      `  fetch: async (request) => {`,
      `    rows ??= rowsFrom({ ${Object.keys(treeModulePaths).join(", ")} })`,
      `    const query = new URL(request.url).searchParams`,
      `    const ok = await drive(rows[Number(query.get("row"))], Number(query.get("n")))`,
      `    return new Response(ok ? "ok" : "not answered 200", { status: ok ? 200 : 500 })`,
      `  }`,
      `}`
    ].join("\n")
  )
  const config = join(out, "wrangler.toml")
  writeFileSync(
    config,
    ['name = "micro-rows"', 'main = "entry.ts"', 'compatibility_date = "2026-11-17"', 'compatibility_flags = ["nodejs_compat"]', "keep_names = false"].join("\n")
  )
  return bundleWorker({ config, minify: true })
}

const main = async () => {
  console.error("bundling ...")
  const bundles = refs.map((ref) => atRef(ref, bundleRows))
  const workers = await Promise.all(bundles.map((bundle, i) => serveBundle({ name: `rows${i}`, bundle, script: "entry.js" })))
  const labels = refs.length === 1 ? ["rows"] : treeLabels(refs)
  const rows = rowLabels.map((_, i) => i)
  /** Milliseconds for one request of `requests` calls of `row`. */
  const time = async (ref: number, row: number): Promise<number> => {
    const started = performance.now()
    const response = await fetch(`${workers[ref]!.origin}/?row=${row}&n=${requests}`)
    const body = await response.text()
    if (!response.ok) throw new Error(`row ${row} of ${labels[ref]}: ${body}`)
    return performance.now() - started
  }
  try {
    console.error("warming up ...")
    for (let i = 0; i < 5; i++) for (const ref of refs.keys()) for (const row of rows) await time(ref, row)
    console.error(`${rounds} rounds ...`)
    const samples = refs.map(() => rows.map(() => [] as Array<number>))
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < refs.length; k++) {
        const ref = (k + round) % refs.length
        for (const row of round % 2 === 0 ? rows : [...rows].reverse()) samples[ref]![row]!.push(await time(ref, row))
      }
    }
    const us = (ref: number, row: number) => (quantile(samples[ref]![row]!, 0.5) * 1000) / requests
    console.log(`\nworkerd (Miniflare); ${rounds} rounds of ${requests} sequential calls per row; µs per call, medians\n`)
    const width = Math.max(...rowLabels.map((label) => label.length)) + 2
    const cell = Math.max(...labels.map((label) => label.length)) + 2
    console.log(`${"".padEnd(width)}${labels.map((label) => label.padStart(cell)).join("")}`)
    rowLabels.forEach((label, row) => console.log(`${label.padEnd(width)}${refs.map((_, ref) => us(ref, row).toFixed(2).padStart(cell)).join("")}`))
    const steps = refs.map((_, ref) => us(ref, PIPELINE) - us(ref, FLOOR))
    console.log(`${"steps (pipeline - floor)".padEnd(width)}${steps.map((s) => s.toFixed(2).padStart(cell)).join("")}`)
    console.log(`\nsteps: the pipeline over the floor with its line; target 15 µs`)
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()))
  }
}

void main()
