/**
 * bench:micro's rows counted in instructions instead of timed: each row runs under `valgrind
 * --tool=callgrind` in a Node with V8 made deterministic (`--single-threaded --predictable`, fixed seeds;
 * V8's own GC schedule, since a fixed one collects far more often than Node does). `--warm` requests run
 * uninstrumented, then callgrind counts the next `--requests` only (turned on and off with
 * `callgrind_control` around them): instructions per request in the steady state, one run per row. The
 * router's steps are the pipeline's instructions over the floor's (the SDK call in the runtime with one
 * line); the µs column converts them at the ns per instruction of a timed run of the same bundle (an
 * estimate, as noisy as any timed run here). Earlier versions counted a window right
 * after a forced `gc()`, which threw away type feedback: every window then re-ran V8's compilers, and that
 * was most of what they counted (docs/performance.md). Identical code still lands in one of two states
 * (a pipeline of about 230k or about 355k instructions): count a surprising result again.
 *
 * `--functions N` also names where the instructions go: each run writes its callgrind output and Node its
 * perf map, and the N functions whose instructions per request differ most between the floor and the
 * pipeline are listed for each side (see bench/callgrindFunctions.ts).
 *
 *   npm run bench:count -- [--ref a,b] [--warm 40000] [--requests 10000] [--jobs 2] [--functions 25]
 */
import { execFile, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { build } from "esbuild"
import { intOption, options } from "../scripts/stats.js"
import { instructionsByFunction, parsePerfMap } from "./callgrindFunctions.js"
import { FLOOR, PIPELINE, treeModulePaths } from "./microRows.js"
import { openWorktree, refLabels } from "./worktree.js"

const run = promisify(execFile)
const opts = options(process.argv.slice(2))
const warm = intOption(opts, "warm", 40_000)
const requests = intOption(opts, "requests", 10_000)
const jobs = intOption(opts, "jobs", 2)
const functions = opts.has("functions") ? intOption(opts, "functions", 25) : 0
const root = resolve(import.meta.dirname, "..")
const deterministic = ["--single-threaded", "--predictable", "--hash-seed=1", "--random-seed=1"]

/**
 * A bundle of this checkout's `microRows` over the app modules of `dir`, run as `node bundle row warm count
 * [counted]`: `warm` requests, then `count` more, timed; with `counted`, it waits for a line on stdin before
 * the `count` requests and after them (see `instructions`).
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
      `import { createInterface } from "node:readline"`,
      `const timer = globalThis.setTimeout`,
      `globalThis.setTimeout = (run, ms, ...args) => (ms > 0 ? timer(run, ms, ...args) : setImmediate(run, ...args))`,
      `const [row, warm, count] = process.argv.slice(2).map(Number)`,
      `const counted = process.argv[5] === "counted"`,
      `const handle = rowsFrom({ ${Object.keys(treeModulePaths).join(", ")} })[row]`,
      `const warmed = await drive(handle, warm)`,
      // Counted: callgrind instruments only the requests between "ready" and the result (the parent turns it
      // on and off), so the warm-up runs at valgrind's uninstrumented speed and nothing else is counted.
      `const lines = counted ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined`,
      `if (lines !== undefined) { console.log("ready"); await lines.next() }`,
      `const started = performance.now()`,
      `const ok = warmed && (await drive(handle, count))`,
      `const us = ((performance.now() - started) * 1000) / count`,
      `console.log(JSON.stringify({ ok, us }))`,
      `await lines?.next()`,
      `process.exit(0)`
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

/** What one counted run gives: instructions per request, and with `--functions` the same by function. */
interface Counted {
  readonly perRequest: number
  readonly byFunction: ReadonlyMap<string, number>
}

/**
 * Instructions per request of `row`'s `requests` after `warm` uninstrumented ones, as callgrind counts them:
 * instrumentation is off until the bundle says "ready", on until it prints its result, then off again. With
 * `out` (a file for callgrind's output), also by function.
 */
const instructions = (bundle: string, row: number, out?: string): Promise<Counted> =>
  new Promise((done) => {
    const detail =
      out === undefined
        ? { valgrind: ["--callgrind-out-file=/dev/null"], node: [] }
        : {
            valgrind: ["--dump-instr=yes", "--compress-strings=no", "--compress-pos=no", `--callgrind-out-file=${out}`],
            node: ["--perf-basic-prof", "--no-perf-prof-unwinding-info"]
          }
    const child = spawn(
      "valgrind",
      [
        "--tool=callgrind",
        "--instr-atstart=no",
        ...detail.valgrind,
        process.execPath,
        ...deterministic,
        ...detail.node,
        bundle,
        String(row),
        String(warm),
        String(requests),
        "counted"
      ],
      { stdio: ["pipe", "pipe", "pipe"] }
    )
    let stderr = ""
    let ok = false
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    // Turns counting on or off, then lets the bundle go on; a failed toggle ends the run (NaN) rather than
    // leaving the bundle waiting on stdin.
    const instrument = (on: boolean) =>
      run("callgrind_control", ["-i", on ? "on" : "off", String(child.pid)]).then(
        () => child.stdin.write("\n"),
        () => child.kill()
      )
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "ready") void instrument(true)
      else if (line.startsWith("{")) {
        ok = (JSON.parse(line) as { ok: boolean }).ok
        void instrument(false)
      }
    })
    child.on("close", () => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1]
      const perRequest = ok && refs !== undefined ? Number(refs.replaceAll(",", "")) / requests : Number.NaN
      done({ perRequest, byFunction: out === undefined || Number.isNaN(perRequest) ? new Map() : byFunction(out, child.pid) })
    })
  })

/**
 * Instructions per request by function, from callgrind's output and the perf map Node wrote (then removed);
 * empty, with a warning, when either file is missing, so one lost map does not end the run.
 */
const byFunction = (out: string, pid: number | undefined): Map<string, number> => {
  const map = `/tmp/perf-${pid}.map`
  if (pid === undefined || !existsSync(out) || !existsSync(map)) {
    process.stderr.write(`no callgrind output or perf map for process ${pid}: its functions are not listed\n`)
    return new Map()
  }
  const costs = instructionsByFunction(readFileSync(out, "utf8"), parsePerfMap(readFileSync(map, "utf8")))
  rmSync(map, { force: true })
  return new Map([...costs].map(([name, cost]) => [name, cost / requests]))
}

/** The `functions` functions whose instructions per request differ most between `floor` and `pipeline`. */
const functionTable = (floor: ReadonlyMap<string, number>, pipeline: ReadonlyMap<string, number>): Array<string> => {
  const names = [...new Set([...floor.keys(), ...pipeline.keys()])]
  const delta = (name: string) => (pipeline.get(name) ?? 0) - (floor.get(name) ?? 0)
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`.padStart(9)
  return names
    .sort((a, b) => Math.abs(delta(b)) - Math.abs(delta(a)))
    .slice(0, functions)
    .map((name) => `${k(floor.get(name) ?? 0)}${k(pipeline.get(name) ?? 0)}${k(delta(name))}  ${name.slice(0, 110)}`)
}

/** µs per request of a timed run of the bundle after its warm-up (median of three processes), for the conversion. */
const timed = async (bundle: string, row: number): Promise<number> => {
  const runs: Array<number> = []
  for (let i = 0; i < 3; i++) {
    const { stdout } = await run(process.execPath, [bundle, String(row), String(warm), String(requests)])
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
    const tasks = bundles.flatMap((bundle, i) =>
      [FLOOR, PIPELINE].map((row) => () => instructions(bundle, row, functions > 0 ? join(scratch, `${i}-${row}.callgrind`) : undefined))
    )
    process.stderr.write(`${tasks.length} callgrind runs, ${jobs} at a time (minutes each)...\n`)
    const counts = await pool(tasks)
    const counted = (side: number, row: number) => counts[side * 2 + (row === FLOOR ? 0 : 1)]
    const perRequest = (side: number, row: number) => counted(side, row)?.perRequest ?? Number.NaN
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
    if (functions > 0) {
      for (const [i, side] of sides.entries()) {
        console.log(`\n${side.name}: instructions per request by function, each its own (a flat profile)`)
        console.log(`${"floor".padStart(9)}${"pipeline".padStart(9)}${"delta".padStart(9)}  function`)
        for (const row of functionTable(counted(i, FLOOR)?.byFunction ?? new Map(), counted(i, PIPELINE)?.byFunction ?? new Map())) console.log(row)
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
    for (const tree of trees) tree.remove()
  }
}

void main()
