/**
 * `npm run bench:inside`: what the router adds per request inside workerd, around the real CoderAgent, with
 * less noise than HTTP samples. Each ref's deploy build serves one Worker; one request to it runs
 * `--requests` sequential agent GETs in a loop, either through the Worker's own fetch handler (ours) or
 * through the SDK's `routeAgentRequest` alone (bare), each answer read; timed from outside (workerd's clock
 * stands still while code runs). Rounds go through refs and both modes in turn, the order rotated; the table
 * gives medians per GET and ours - bare. The deferred log lines print while the loop waits on the agent, as
 * in the Worker; what a printed line costs across processes shows in bench:workerd, not here. Name one ref
 * twice for the noise; `.` is the working tree.
 *
 *   npm run bench:inside -- [--ref HEAD~1,.] [--requests 200] [--rounds 40]
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { bundleWorker } from "../test/e2e/support/miniflare.js"
import { intOption, options, quantile } from "../scripts/stats.js"
import { serveBundle } from "./serveBundle.js"
import { atRef, treeLabels } from "./worktree.js"

const root = resolve(import.meta.dirname, "..")
const opts = options(process.argv.slice(2))
const refs = (opts.get("ref") ?? ".").split(",").map((ref) => ref.trim())
const requests = intOption(opts, "requests", 200)
const rounds = intOption(opts, "rounds", 40)
const modes = ["bare", "ours"] as const

/** The Worker of the tree at `dir` with a loop entry: `/?mode=bare|ours&n=N`. */
const bundleLoop = (dir: string): string => {
  const out = mkdtempSync(join(tmpdir(), "agents-router-inside-"))
  const worker = JSON.stringify(join(dir, "src/worker.ts"))
  writeFileSync(
    join(out, "entry.ts"),
    [
      `import ours from ${worker}`,
      `import { routeAgentRequest } from ${JSON.stringify(join(root, "test/support/Sdk.ts"))}`,
      `export * from ${worker}`,
      `export default {`,
      `  fetch: async (request, env, ctx) => {`,
      `    const query = new URL(request.url).searchParams`,
      `    const target = new URL("/agents/coder-agent/bench-inside", request.url).href`,
      `    const bare = query.get("mode") === "bare"`,
      `    for (let i = 0, n = Number(query.get("n")); i < n; i++) {`,
      `      const get = new Request(target, { headers: { accept: "*/*", "user-agent": "bench" } })`,
      `      const response = bare ? await routeAgentRequest(get, env) : await ours.fetch(get, env, ctx)`,
      `      await response?.text()`,
      `      if (response?.status !== 200) return new Response(\`answered \${response?.status}\`, { status: 500 })`,
      `    }`,
      `    return new Response("ok")`,
      `  }`,
      `}`
    ].join("\n")
  )
  return bundleWorker({ config: join(dir, "wrangler.toml"), script: join(out, "entry.ts"), minify: true })
}

const main = async () => {
  console.error("bundling ...")
  const bundles = refs.map((ref) => atRef(ref, bundleLoop))
  const workers = await Promise.all(bundles.map((bundle, i) => serveBundle({ name: `inside${i}`, bundle, script: "entry.js" })))
  const labels = treeLabels(refs)
  /** Milliseconds for one request of `requests` GETs in `mode`. */
  const time = async (ref: number, mode: (typeof modes)[number]): Promise<number> => {
    const started = performance.now()
    const response = await fetch(`${workers[ref]!.origin}/?mode=${mode}&n=${requests}`)
    const body = await response.text()
    if (!response.ok) throw new Error(`${mode} of ${labels[ref]}: ${body}`)
    return performance.now() - started
  }
  try {
    console.error("warming up ...")
    for (let i = 0; i < 10; i++) for (const ref of refs.keys()) for (const mode of modes) await time(ref, mode)
    console.error(`${rounds} rounds ...`)
    const samples = refs.map(() => ({ bare: [] as Array<number>, ours: [] as Array<number> }))
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < refs.length; k++) {
        const ref = (k + round) % refs.length
        for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) samples[ref]![mode].push(await time(ref, mode))
      }
    }
    const us = (ref: number, mode: (typeof modes)[number]) => (quantile(samples[ref]![mode], 0.5) * 1000) / requests
    console.log(`\nworkerd (Miniflare), real CoderAgent; ${rounds} rounds of ${requests} sequential GETs per mode; µs per GET, medians\n`)
    const width = Math.max(...labels.map((label) => label.length)) + 2
    console.log(`${"".padEnd(width)}${["bare SDK", "ours", "ours - bare"].map((h) => h.padStart(13)).join("")}`)
    labels.forEach((label, ref) => {
      const cells = [us(ref, "bare"), us(ref, "ours"), us(ref, "ours") - us(ref, "bare")].map((v) => v.toFixed(1).padStart(13))
      console.log(`${label.padEnd(width)}${cells.join("")}`)
    })
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()))
  }
}

void main()
