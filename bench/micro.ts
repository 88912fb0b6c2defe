/**
 * Micro-benchmark of the pipeline alone, in Node (no runtime): the Worker's own fetch handler (`makeHandler`,
 * as src/worker.ts builds it) over a fake namespace, against a direct call of the SDK's `routeAgentRequest`
 * on the same fake namespace. The log line is formatted and deferred as in the Worker; only the console
 * write is dropped (I/O, not pipeline cost). Two reference rows show the floor any Effect pipeline that
 * logs pays on this machine: the SDK call inside `ManagedRuntime.runPromise` (the design spike's "trivial
 * pipeline"), and that plus one `request.completed` line through the same `RequestLog`. Interleaved
 * rounds; prints requests/s and per-request cost, and the router's steps: the pipeline over the floor.
 *
 * `--ref a,b` compares git refs: each ref's rows come from its own modules (a throw-away worktree), one ref
 * per process, `--processes` processes per ref taken in turn, and the steps compared as medians over the
 * processes: two copies of the same code in one process measured 15 µs apart, the one loaded first the
 * faster. On this host one commit's steps still ranged 23-86 µs over six processes: for the few µs a change
 * is worth, count instructions with bench:count. Name one ref twice to see the noise (`--ref HEAD,HEAD`).
 *
 *   npm run bench:micro -- [--requests 20000] [--rounds 5] [--ref HEAD~1,HEAD [--processes 6]]
 */
import { execFileSync } from "node:child_process"
import { join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { intOption, options, quantile } from "../scripts/stats.js"
import { DIRECT, drive, FLOOR, type Handle, PIPELINE, rowLabels, rowsFrom, treeModulePaths, type TreeModules } from "./microRows.js"
import { openWorktree, refLabels } from "./worktree.js"

const opts = options(process.argv.slice(2))
const requests = intOption(opts, "requests", 20_000)
const rounds = intOption(opts, "rounds", 5)
const root = resolve(import.meta.dirname, "..")

/** The rows as the tree at `dir` builds them. */
const contendersAt = async (dir: string): Promise<ReadonlyArray<Handle>> => {
  const modules: Record<string, unknown> = {}
  for (const [name, path] of Object.entries(treeModulePaths)) modules[name] = await import(join(dir, path))
  return rowsFrom(modules as unknown as TreeModules)
}

/** Microseconds per request over `requests` sequential requests (NaN if one was not answered 200). */
const time = async (handle: Handle): Promise<number> => {
  const started = performance.now()
  const ok = await drive(handle, requests)
  return ok ? ((performance.now() - started) * 1000) / requests : Number.NaN
}

/** Median µs/request of each contender over interleaved rounds (the order reversed every other round). */
const measure = async (contenders: ReadonlyArray<Handle>): Promise<ReadonlyArray<number>> => {
  for (const handle of contenders) await time(handle)
  const perRequest = contenders.map(() => [] as Array<number>)
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => (round % 2 === 0 ? i : contenders.length - 1 - i))
    for (const i of order) perRequest[i]?.push(await time(contenders[i]!))
  }
  return perRequest.map((xs) => quantile(xs, 0.5))
}

/** The router's steps in one process: the pipeline over the floor with its line. */
const stepsOf = (medians: ReadonlyArray<number>) => (medians[PIPELINE] ?? NaN) - (medians[FLOOR] ?? NaN)

const us = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a")

const printOne = (medians: ReadonlyArray<number>) => {
  const direct = medians[DIRECT] ?? Number.NaN
  console.log(`Node ${process.version}; ${rounds} interleaved rounds of ${requests} requests; medians\n`)
  console.log(`${"".padEnd(28)}${"µs/request".padStart(12)}${"requests/s".padStart(12)}${"over direct".padStart(13)}`)
  rowLabels.forEach((label, i) => {
    const value = medians[i] ?? Number.NaN
    const over = i === 0 ? "-" : `${us(value - direct)} µs`
    console.log(`${label.padEnd(28)}${us(value).padStart(12)}${(1e6 / value).toFixed(0).padStart(12)}${over.padStart(13)}`)
  })
  console.log(`\nthe router's steps (pipeline over the floor with its line): ${us(stepsOf(medians))} µs; target 15`)
}

/** One process per ref in turn, `processes` times; the steps of each process, then their medians. */
const compareRefs = (refs: ReadonlyArray<string>) => {
  const processes = intOption(opts, "processes", 6)
  const trees = refs.map(openWorktree)
  const labels = refLabels(refs)
  try {
    const steps = refs.map(() => [] as Array<number>)
    const floors = refs.map(() => [] as Array<number>)
    for (let p = 0; p < processes; p++) {
      // Rotate the order so no ref always runs first (or right after another).
      for (let k = 0; k < refs.length; k++) {
        const i = (p + k) % refs.length
        const out = execFileSync(
          process.execPath,
          [join(root, "node_modules/vite-node/vite-node.mjs"), "--root", root, join(root, "bench/micro.ts"), "--", "--tree", trees[i]!.dir, "--requests", String(requests), "--rounds", String(rounds)],
          { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
        )
        const medians = JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as ReadonlyArray<number>
        steps[i]!.push(stepsOf(medians))
        floors[i]!.push((medians[FLOOR] ?? NaN) - (medians[DIRECT] ?? NaN))
        process.stderr.write(`process ${p + 1}/${processes} ${labels[i]}: steps ${us(steps[i]!.at(-1)!)} µs\n`)
      }
    }
    console.log(`Node ${process.version}; per ref ${processes} processes, each ${rounds} interleaved rounds of ${requests} requests\n`)
    console.log(`${"ref".padEnd(16)}${"steps: median".padStart(15)}${"min".padStart(9)}${"max".padStart(9)}${"floor over direct".padStart(20)}`)
    labels.forEach((name, i) => {
      const s = steps[i]!
      console.log(`${name.padEnd(16)}${`${us(quantile(s, 0.5))} µs`.padStart(15)}${us(Math.min(...s)).padStart(9)}${us(Math.max(...s)).padStart(9)}${`${us(quantile(floors[i]!, 0.5))} µs`.padStart(20)}`)
    })
    console.log(`\nsteps: the pipeline over the floor with its line, in each process; target 15 µs`)
  } finally {
    for (const tree of trees) tree.remove()
  }
}

const main = async () => {
  const tree = opts.get("tree")
  const refs = opts.get("ref")?.split(",").map((ref) => ref.trim()) ?? []
  if (tree !== undefined) console.log(JSON.stringify(await measure(await contendersAt(tree))))
  else if (refs.length > 0) compareRefs(refs)
  else printOne(await measure(await contendersAt(root)))
}

void main()
