/**
 * bench:micro's rows counted in instructions instead of timed: each row's requests run under
 * `valgrind --tool=callgrind` in a Node with V8 made deterministic (`--single-threaded --predictable`, fixed
 * seeds), once with `--warm` requests and once with `--warm` + `--requests`, a full collection before and
 * after the counted ones; the difference over `--requests` is the row's instructions per request. The same
 * commit counted twice: within 0.02% at `--warm 2000`, 1.5% at `--warm 10000`, whatever else the host was
 * doing, where timed steps here moved 23-86 µs between processes. Windows before about 10,000 requests are
 * still JIT warm-up and rank changes differently (docs/performance.md). The router's steps are the
 * pipeline's instructions over the floor's (the SDK call in the runtime with one line); the µs column
 * converts them at the ns per instruction of a timed run of the same bundle (an estimate, as noisy as any
 * timed run here). About two minutes per valgrind run at the default sizes.
 *
 *   npm run bench:count -- [--ref a,b] [--warm 10000] [--requests 2000] [--jobs 2]
 */
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { intOption, options } from "../scripts/stats.js"
import { FLOOR, PIPELINE, treeModulePaths } from "./microRows.js"
import { openWorktree, refLabels } from "./worktree.js"

const run = promisify(execFile)
const opts = options(process.argv.slice(2))
const warm = intOption(opts, "warm", 10_000)
const requests = intOption(opts, "requests", 2_000)
const jobs = intOption(opts, "jobs", 2)
const root = resolve(import.meta.dirname, "..")
const deterministic = ["--single-threaded", "--predictable", "--hash-seed=1", "--random-seed=1", "--expose-gc"]

/**
 * A bundle of this checkout's `microRows` over the app modules of `dir`, run as `node bundle row warm count`:
 * `warm` requests, then `count` more, timed.
 */
const bundleFor = async (dir: string, out: string) => {
  const entry = join(out, "entry.ts")
  const from = (path: string) => JSON.stringify(join(dir, path))
  writeFileSync(
    entry,
    [
      `import { drive, rowsFrom } from ${JSON.stringify(join(root, "bench/microRows.ts"))}`,
      ...Object.entries(treeModulePaths).map(([name, path]) => `import * as ${name} from ${from(path)}`),
      // A zero-delay timer (Effect's yield, the deferred log flush) fires after 1 ms of wall time, which
      // under callgrind is many requests' worth: how many lines pile up between flushes, and so what the
      // collector does, then depends on the host's speed. setImmediate keeps the order and not the clock.
      `const timer = globalThis.setTimeout`,
      `globalThis.setTimeout = (run, ms, ...args) => (ms > 0 ? timer(run, ms, ...args) : setImmediate(run, ...args))`,
      `const [row, warm, count] = process.argv.slice(2).map(Number)`,
      `const handle = rowsFrom({ ${Object.keys(treeModulePaths).join(", ")} })[row]`,
      `const warmed = await drive(handle, warm)`,
      // A full collection on each side of the counted requests: a major GC lands in one window and not in
      // another (the same two commits counted 475k and 138k apart without), so the counted run ends by
      // collecting what its requests left, and both runs start from the same heap.
      `globalThis.gc?.()`,
      `const started = performance.now()`,
      `const ok = warmed && (await drive(handle, count))`,
      `const us = ((performance.now() - started) * 1000) / count`,
      `globalThis.gc?.()`,
      `console.log(JSON.stringify({ ok, us }))`
    ].join("\n")
  )
  const bundle = join(out, "bundle.mjs")
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    outfile: bundle,
    logLevel: "warning",
    // As vite.config.ts does for tests: the `agents` entry loads only in workerd.
    plugins: [
      {
        name: "agents-for-node",
        setup: (b) => {
          b.onResolve({ filter: /^agents$/ }, () => ({ path: join(dir, "test/support/agentsEntryForNode.ts") }))
        }
      }
    ]
  })
  return bundle
}

/** Instructions `node bundle row warm count` executes, as callgrind counts them. */
const instructions = async (bundle: string, row: number, count: number): Promise<number> => {
  const { stderr, stdout } = await run(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath, ...deterministic, bundle, String(row), String(warm), String(count)],
    { maxBuffer: 1 << 26 }
  )
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1]
  if (!(JSON.parse(stdout.trim()) as { ok: boolean }).ok || refs === undefined) return Number.NaN
  return Number(refs.replaceAll(",", ""))
}

/** Requests to warm and then to time in the timed runs (native speed: bench:micro's JIT warm-up). */
const TIMED = 20_000

/** µs per request of a timed run of the bundle after its warm-up (median of three processes), for the conversion. */
const timed = async (bundle: string, row: number): Promise<number> => {
  const runs: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const { stdout } = await run(process.execPath, [bundle, String(row), String(TIMED), String(TIMED)])
    runs.push((JSON.parse(stdout.trim()) as { us: number }).us)
  }
  return runs.sort((a, b) => a - b)[1] ?? Number.NaN
}

/** Runs `tasks` at most `jobs` at a time (instruction counts do not depend on what runs beside them). */
const pool = async <A>(tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const results: Array<A> = []
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
      process.stderr.write(`run ${i + 1}/${tasks.length} done\n`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker))
  return results
}

/** valgrind's version line, or undefined when it is not installed. */
const valgrindVersion = async (): Promise<string | undefined> =>
  run("valgrind", ["--version"]).then(
    ({ stdout }) => stdout.trim(),
    () => undefined
  )

const main = async () => {
  if ((await valgrindVersion()) === undefined) {
    console.error("bench:count needs valgrind on the PATH (Debian: apt-get install valgrind).")
    process.exitCode = 1
    return
  }
  const refs = opts.get("ref")?.split(",").map((ref) => ref.trim()) ?? []
  const trees = refs.map(openWorktree)
  const scratch = mkdtempSync(join(tmpdir(), "agents-router-count-"))
  try {
    const labels = refLabels(refs)
    const sides = refs.length === 0 ? [{ name: "working tree", dir: root }] : refs.map((_, i) => ({ name: labels[i]!, dir: trees[i]!.dir }))
    const bundles: Array<string> = []
    for (const [i, side] of sides.entries()) {
      const out = join(scratch, String(i))
      mkdirSync(out)
      bundles.push(await bundleFor(side.dir, out))
    }
    const tasks = bundles.flatMap((bundle) =>
      [FLOOR, PIPELINE].flatMap((row) => [0, requests].map((count) => () => instructions(bundle, row, count)))
    )
    process.stderr.write(`${tasks.length} callgrind runs, ${jobs} at a time (minutes each)...\n`)
    const counts = await pool(tasks)
    const perRequest = (side: number, row: number) => {
      const at = side * 4 + (row === FLOOR ? 0 : 2)
      return ((counts[at + 1] ?? NaN) - (counts[at] ?? NaN)) / requests
    }
    console.log(`Node ${process.version}; instructions per request, requests ${warm + 1}..${warm + requests} of each row\n`)
    console.log(`${"".padEnd(16)}${"floor".padStart(12)}${"pipeline".padStart(12)}${"steps".padStart(12)}${"steps ≈ µs".padStart(12)}`)
    for (const [i, side] of sides.entries()) {
      const floor = perRequest(i, FLOOR)
      const pipeline = perRequest(i, PIPELINE)
      const nsPerInstruction = ((await timed(bundles[i]!, PIPELINE)) * 1000) / pipeline
      const k = (n: number) => `${(n / 1000).toFixed(1)}k`
      console.log(`${side.name.padEnd(16)}${k(floor).padStart(12)}${k(pipeline).padStart(12)}${k(pipeline - floor).padStart(12)}${(((pipeline - floor) * nsPerInstruction) / 1000).toFixed(1).padStart(12)}`)
    }
    console.log(`\nsteps: the pipeline's instructions over the floor's; target 15 µs`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    for (const tree of trees) tree.remove()
  }
}

void main()
