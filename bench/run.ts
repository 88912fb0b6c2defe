/**
 * `npm run bench`: the router and the bare-SDK baseline side by side, in one run, on this machine.
 * The Workers run in local workerd through `wrangler dev` on free loopback ports; latency samples are
 * interleaved one per Worker in turn (bench/measure.ts `interleaved`: so drift, and workerd's eviction of
 * idle agents, hit all alike). A third Worker, the baseline plus the one log line per request
 * the product must write (bench/baseline/logged.ts), separates what that line costs under `wrangler dev`
 * from what the router costs. A fourth, the seed document's fix (bench/baseline/seed.ts), is the peer the
 * router must never be slower than. A fifth, the bare-SDK Worker again in its own process (A/A), measured
 * like the others: its ratio to the first bare Worker is the noise of this run, printed beside every ratio,
 * so a difference inside it is no difference. Prints one table and writes the figures to
 * bench/results/latest.json. `--check` then says, for a person, whether the targets hold in this run.
 *
 *   npm run bench -- [--rounds 8] [--connects 30] [--pings 200] [--gets 100] [--rps-total 1000]
 *                    [--concurrency 16] [--fanout 1000] [--starts 3] [--check] [--only baseline,again] [--reverse-start] [--raw]
 *
 * `--only` measures some columns alone (fewer Workers at once; no bundle, start-up or target report), to see
 * how much the other processes on the machine move the figures: `--only baseline,again` is a pure A/A run.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { gzipSync } from "node:zlib"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { startWranglerDev, type LocalWorker } from "../test/e2e/support/wranglerDev.js"
import { intOption, ms, options, quantile } from "../scripts/stats.js"
import type WebSocket from "ws"
import { closeSocket, concurrentOpen, connectLatency, httpLatency, httpThroughput, interleaved, openPingSocket, pingRoundTrip } from "./measure.js"

const root = resolve(import.meta.dirname, "..")
const opts = options(process.argv.slice(2))
const rounds = intOption(opts, "rounds", 8)
const connects = intOption(opts, "connects", 30)
const pings = intOption(opts, "pings", 200)
const gets = intOption(opts, "gets", 100)
const rpsTotal = intOption(opts, "rps-total", 1_000)
const concurrency = intOption(opts, "concurrency", 16)
const fanout = intOption(opts, "fanout", 1_000)
const starts = intOption(opts, "starts", 3)
const check = process.argv.includes("--check")

const configs = {
  ours: join(root, "wrangler.toml"),
  baseline: join(root, "bench/baseline/wrangler.toml"),
  logged: join(root, "bench/baseline/wrangler.toml"),
  seed: join(root, "bench/baseline/wrangler.toml"),
  // A/A: the same bare-SDK Worker as `baseline`, another process, measured as another column.
  again: join(root, "bench/baseline/wrangler.toml")
} as const
const scripts: Partial<Record<Side, string>> = {
  logged: join(root, "bench/baseline/logged.ts"),
  seed: join(root, "bench/baseline/seed.ts")
}
type Side = keyof typeof configs
const allSides: ReadonlyArray<Side> = ["ours", "baseline", "logged", "seed", "again"]
const only = opts.get("only")?.split(",").map((s) => s.trim())
const sides: ReadonlyArray<Side> = allSides.filter((side) => only === undefined || only.includes(side))
/** The two Workers whose bundle and start-up are compared (the logged baseline and the seed bundle like the baseline). */
const built: ReadonlyArray<Side> = ["ours", "baseline"]

/** Both bundles as `npm run deploy` builds them (`--minify`), raw and gzip bytes. */
const bundleSize = (side: Side) => {
  const code = readFileSync(join(bundleWorker({ config: configs[side], minify: true }), "worker.js"))
  return { raw: code.byteLength, gzip: gzipSync(code).byteLength }
}

/** Milliseconds from process start to the first answered agent request. */
const startupMs = async (side: Side) => {
  const started = performance.now()
  const worker = await startWranglerDev({
    config: configs[side],
    readyPath: "/agents/coder-agent/startup",
    pollMs: 20,
    output: "file"
  })
  const elapsed = performance.now() - started
  await worker.stop()
  return elapsed
}

const median = (values: ReadonlyArray<number>) => quantile(values, 0.5)

type Figures = Record<Side, { readonly connectP50Ms: number; readonly httpP50Ms: number; readonly bundleGzipBytes: number }>

/**
 * Whether the targets (DESIGN.md, "Cost budget") hold in this run, for a person: connect and GET p50 no
 * slower than the bare SDK plus one log line beyond the A/A noise of this run, never slower than the
 * seed's fix beyond it. Printed, never asserted.
 */
const targetReport = (f: Figures): string => {
  const noise = (key: "connectP50Ms" | "httpP50Ms") => Math.abs(f.again[key] / f.baseline[key] - 1)
  const verdict = (label: string, key: "connectP50Ms" | "httpP50Ms", peer: "logged" | "seed") => {
    const r = f.ours[key] / f[peer][key]
    const slack = noise(key)
    const holds = r <= 1 + slack
    return `${holds ? "holds" : "MISSED"}  ${label}: ours/${peer === "logged" ? "(bare + line)" : "seed fix"} ${r.toFixed(3)}, allowed up to ${(1 + slack).toFixed(3)} (A/A noise ${(slack * 100).toFixed(1)}%)`
  }
  return [
    "Targets in this run:",
    verdict("WS connect p50", "connectP50Ms", "logged"),
    verdict("HTTP GET p50", "httpP50Ms", "logged"),
    verdict("WS connect p50", "connectP50Ms", "seed"),
    verdict("HTTP GET p50", "httpP50Ms", "seed"),
    `${f.ours.bundleGzipBytes - f.baseline.bundleGzipBytes <= 100 * 1024 ? "holds" : "MISSED"}  bundle: ours is ${((f.ours.bundleGzipBytes - f.baseline.bundleGzipBytes) / 1024).toFixed(1)} KB gzip over the bare SDK (allowed 100)`
  ].join("\n")
}

const main = async () => {
  const samples = Object.fromEntries(
    allSides.map((side) => [side, { connect: [] as Array<number>, ping: [] as Array<number>, http: [] as Array<number>, rps: [] as Array<number> }])
  ) as Record<Side, { connect: Array<number>; ping: Array<number>; http: Array<number>; rps: Array<number> }>

  const workers = {} as Record<Side, LocalWorker>
  // Output goes to files: reading every printed line here would cost this process CPU on the side that
  // prints more, beside the clients being timed.
  // --reverse-start starts the Workers in the opposite order (does the first started measure differently?).
  for (const side of process.argv.includes("--reverse-start") ? [...sides].reverse() : sides) {
    workers[side] = await startWranglerDev({
      config: configs[side],
      ...(scripts[side] === undefined ? {} : { script: scripts[side] }),
      readyPath: "/agents/coder-agent/warm",
      output: "file"
    })
  }
  try {
    const connect = (side: Side, i: number) => connectLatency(workers[side].wsOrigin, i)
    const get = (side: Side) => httpLatency(workers[side].origin)
    console.error("warming up ...")
    await interleaved(sides, 20, 0, connect)
    await interleaved(sides, 50, 0, get)
    const add = (kind: "connect" | "ping" | "http", taken: Record<Side, Array<number>>) => {
      for (const side of sides) samples[side][kind].push(...taken[side])
    }
    for (let round = 1; round <= rounds; round++) {
      console.error(`round ${round}/${rounds}`)
      console.error(`  connect ...`)
      // One sample of each Worker in turn (see `interleaved`); the round shifts which Worker starts.
      // Agents idle for ~10 s were evicted during the other phases: wake the ten instances first, untimed,
      // so the timed connects measure routing to a warm agent on every Worker.
      await interleaved(sides, 10, round, connect)
      add("connect", await interleaved(sides, connects, round, connect))
      console.error(`  ping ...`)
      // A fresh connection per round: one idle for minutes is not what a ping measures.
      const pingSockets = {} as Record<Side, WebSocket | undefined>
      for (const side of sides) pingSockets[side] = await openPingSocket(workers[side].wsOrigin)
      add("ping", await interleaved(sides, pings, round, async (side) => {
        const socket = pingSockets[side]
        return socket === undefined ? undefined : pingRoundTrip(socket)
      }))
      for (const side of sides) {
        const socket = pingSockets[side]
        if (socket !== undefined) await closeSocket(socket)
      }
      console.error(`  get ...`)
      await interleaved(sides, 3, round, get)
      add("http", await interleaved(sides, gets, round, get))
      console.error(`  throughput ...`)
      // Throughput needs one Worker at a time; alternate which goes first.
      for (const side of round % 2 === 1 ? sides : [...sides].reverse()) {
        samples[side].rps.push(await httpThroughput(workers[side].origin, rpsTotal, concurrency))
      }
    }
    console.error(`opening ${fanout} concurrent connections on each ...`)
    const fan: Partial<Record<Side, { elapsedMs: number; failed: number }>> = {}
    for (const side of sides) fan[side] = await concurrentOpen(workers[side].wsOrigin, fanout, `${side}-${Date.now()}`)

    for (const side of sides) await workers[side].stop()
    const complete = only === undefined
    const none = { raw: Number.NaN, gzip: Number.NaN }
    if (complete) console.error("bundling ...")
    const bundles = complete ? { ours: bundleSize("ours"), baseline: bundleSize("baseline") } : { ours: none, baseline: none }
    const startup: Record<Side, Array<number>> = { ours: [], baseline: [], logged: [], seed: [], again: [] }
    if (complete) {
      console.error(`timing ${starts} start-ups each ...`)
      for (let i = 0; i < starts; i++) for (const side of i % 2 === 0 ? built : [...built].reverse()) startup[side].push(await startupMs(side))
    }

    const figure = (side: Side) => ({
      connectP50Ms: quantile(samples[side].connect, 0.5),
      connectP90Ms: quantile(samples[side].connect, 0.9),
      connectP99Ms: quantile(samples[side].connect, 0.99),
      pingP50Ms: quantile(samples[side].ping, 0.5),
      pingP99Ms: quantile(samples[side].ping, 0.99),
      httpP50Ms: quantile(samples[side].http, 0.5),
      httpP99Ms: quantile(samples[side].http, 0.99),
      httpRps: median(samples[side].rps),
      fanoutMs: fan[side]?.elapsedMs ?? Number.NaN,
      fanoutFailed: fan[side]?.failed ?? Number.NaN,
      bundleRawBytes: side === "ours" || side === "baseline" ? bundles[side].raw : Number.NaN,
      bundleGzipBytes: side === "ours" || side === "baseline" ? bundles[side].gzip : Number.NaN,
      startupMs: side === "ours" || side === "baseline" ? median(startup[side]) : Number.NaN
    })
    const figures = { ours: figure("ours"), baseline: figure("baseline"), logged: figure("logged"), seed: figure("seed"), again: figure("again") }
    type Key = keyof (typeof figures)["ours"]
    const rows: Array<[string, Key, (v: number) => string]> = [
      ["WS connect -> first frame p50 (ms)", "connectP50Ms", ms],
      ["WS connect -> first frame p90 (ms)", "connectP90Ms", ms],
      ["WS connect -> first frame p99 (ms)", "connectP99Ms", ms],
      ["WS ping -> pong p50 (ms)", "pingP50Ms", ms],
      ["WS ping -> pong p99 (ms)", "pingP99Ms", ms],
      ["HTTP GET p50 (ms)", "httpP50Ms", ms],
      ["HTTP GET p99 (ms)", "httpP99Ms", ms],
      [`HTTP GET req/s at concurrency ${concurrency}`, "httpRps", (v) => v.toFixed(0)],
      [`open ${fanout} connections at once (ms)`, "fanoutMs", (v) => v.toFixed(0)],
      [`  of which failed`, "fanoutFailed", (v) => v.toFixed(0)],
      ["bundle, --minify, raw (KB)", "bundleRawBytes", (v) => (v / 1024).toFixed(1)],
      ["bundle, --minify, gzip (KB)", "bundleGzipBytes", (v) => (v / 1024).toFixed(1)],
      [`start-up to first answer, median of ${starts} (ms)`, "startupMs", (v) => v.toFixed(0)]
    ]
    const cell = (v: number, format: (v: number) => string) => (Number.isNaN(v) ? "-" : format(v))
    const ratio = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) || b === 0 ? "-" : (a / b).toFixed(3))
    const width = Math.max(...rows.map(([label]) => label.length))
    const header = ["ours", "baseline", "ours/base", "base+line", "ours/(b+l)", "seed fix", "ours/seed", "A/A"]
    const lines = [
      `${"".padEnd(width)}${header.map((h) => h.padStart(12)).join("")}`,
      ...rows.map(([label, key, format]) => {
        const [o, b, l, f, a] = [figures.ours[key], figures.baseline[key], figures.logged[key], figures.seed[key], figures.again[key]]
        const cells = [cell(o, format), cell(b, format), ratio(o, b), cell(l, format), ratio(o, l), cell(f, format), ratio(o, f), ratio(a, b)]
        return `${label.padEnd(width)}${cells.map((c) => c.padStart(12)).join("")}`
      })
    ]
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`
    console.log(`\n${machine}; ${rounds} interleaved rounds${complete ? "" : `; only ${sides.join(", ")}`}\n`)
    console.log(lines.join("\n"))
    console.log("\nbase+line: the baseline plus one console.info JSON line per request, printed as ours prints it.")
    console.log("seed fix: the seed document's fix (header copy, routeAgentRequest({ cors, prefix }), a console.log per step, 503 fallback).")
    console.log("A/A: the bare-SDK Worker again, in its own process, over the first: how far apart two identical Workers measure in this run.")
    if (check && complete) console.log(`\n${targetReport(figures)}`)
    const result = {
      date: new Date().toISOString(),
      machine,
      settings: { rounds, connects, pings, gets, rpsTotal, concurrency, fanout, starts },
      samples: Object.fromEntries(sides.map((s) => [s, { connect: samples[s].connect.length, ping: samples[s].ping.length, http: samples[s].http.length }])),
      // --raw keeps every latency sample, in the order taken, for a closer look at a surprising ratio.
      ...(process.argv.includes("--raw") ? { raw: Object.fromEntries(sides.map((s) => [s, { connect: samples[s].connect, http: samples[s].http }])) } : {}),
      ...figures
    }
    mkdirSync(join(root, "bench/results"), { recursive: true })
    // A partial run (--only) never replaces the full table's figures.
    const file = complete ? "bench/results/latest.json" : "bench/results/partial.json"
    writeFileSync(join(root, file), `${JSON.stringify(result, null, 2)}\n`)
    console.log(`\nwrote ${file}`)
  } finally {
    for (const side of sides) await workers[side]?.stop()
  }
}

void main()
