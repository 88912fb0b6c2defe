import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { cruise, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser"
import { describe, expect, it } from "vitest"
import { importRules } from "./support/ImportRules.js"

const root = resolve(import.meta.dirname, "..")

/** A scratch repository holding `files` (path -> source), its folders made as needed. */
const scratchTree = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "import-rules-"))
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
  }
  return dir
}

/** The violations of `rules` in `dir`'s `src` tree, as "rule: from -> to". */
const violations = async (dir: string, rules: ReadonlyArray<IForbiddenRuleType>) => {
  const { output } = await cruise(["src"], {
    baseDir: dir,
    ruleSet: { forbidden: [...rules] },
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    validate: true
  }, { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } })
  const result = output as ICruiseResult
  return {
    modules: result.modules.filter((m) => m.source.startsWith("src/")).length,
    list: result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
  }
}

describe("import direction", () => {
  it("src follows the rules: domain <- services <- layers <- agents, worker.ts; no cycles, no test code", async () => {
    const { list, modules } = await violations(root, importRules)
    expect(modules).toBeGreaterThan(30)
    expect(list).toEqual([])
  })

  it("catches a backwards import (a domain module reaching into layers, a service into layers)", async () => {
    const dir = scratchTree({
      "src/layers/Wiring.ts": "export const wiring = 1\n",
      "src/domain/Rule.ts": 'import { wiring } from "../layers/Wiring.js"\nexport const rule = wiring\n',
      "src/services/Thing.ts": 'import { wiring } from "../layers/Wiring.js"\nexport const thing = wiring\n'
    })
    const { list } = await violations(dir, importRules)
    expect(list.sort()).toEqual([
      "domain-imports-only-domain: src/domain/Rule.ts -> src/layers/Wiring.ts",
      "services-import-domain-and-services: src/services/Thing.ts -> src/layers/Wiring.ts"
    ])
  })

  it("keeps the two wings apart: the router imports no coder code; coder code imports only shared modules", async () => {
    const dir = scratchTree({
      "src/domain/coder/Chat.ts": "export const chat = 1\n",
      "src/services/Router.ts": 'import { chat } from "../domain/coder/Chat.js"\nexport const router = chat\n',
      "src/services/Settings.ts": "export const shared = 1\n",
      "src/services/coder/Turn.ts": 'import { router } from "../Router.js"\nimport { shared } from "../Settings.js"\nexport const turn = router + shared\n'
    })
    const { list } = await violations(dir, importRules)
    expect(list.sort()).toEqual([
      "coder-imports-coder-or-shared: src/services/coder/Turn.ts -> src/services/Router.ts",
      "router-never-imports-coder: src/services/Router.ts -> src/domain/coder/Chat.ts"
    ])
  })

  it("catches a cycle between two modules, and lets an entry read its own exports", async () => {
    const dir = scratchTree({
      "src/domain/A.ts": 'import { b } from "./B.js"\nexport const a = () => b\n',
      "src/domain/B.ts": 'import { a } from "./A.js"\nexport const b = () => a\n',
      "src/entry.ts": 'import * as entry from "./entry.js"\nexport const names = () => Object.keys(entry)\n'
    })
    const { list } = await violations(dir, importRules)
    // The cycle, once; nothing about the entry's self-import.
    expect(list).toHaveLength(1)
    expect(list[0]).toMatch(/^no-cycles: src\/domain\/[AB]\.ts -> src\/domain\/[AB]\.ts$/)
  })
})
