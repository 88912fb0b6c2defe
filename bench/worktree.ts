/** A git ref checked out in a throw-away worktree that shares this checkout's node_modules. */
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const git = (...args: ReadonlyArray<string>) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim()

/** The short commit id of `ref`. */
export const shortRef = (ref: string): string => git("rev-parse", "--short", ref)

/** A table label for each of `refs`: its short id, and "again" for a ref named earlier too (A/A). */
export const refLabels = (refs: ReadonlyArray<string>): ReadonlyArray<string> =>
  refs.map((ref, i) => `${shortRef(ref)}${refs.indexOf(ref) < i ? " again" : ""}`)

/** Checks `ref` out; `remove` deletes the worktree again. */
export const openWorktree = (ref: string): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "agents-router-ref-"))
  git("worktree", "add", "--detach", "--force", dir, ref)
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))
  return {
    dir,
    remove: () => {
      git("worktree", "remove", "--force", dir)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** What `build` makes of the tree at `ref`: this checkout's working tree for `.`, else a throw-away worktree. */
export const atRef = <A>(ref: string, build: (dir: string) => A): A => {
  if (ref === ".") return build(root)
  const tree = openWorktree(ref)
  try {
    return build(tree.dir)
  } finally {
    tree.remove()
  }
}

/** Table labels for refs that may name the working tree (`.`), "again" for a ref named earlier too. */
export const treeLabels = (refs: ReadonlyArray<string>): ReadonlyArray<string> =>
  refs.map((ref, i) => `${ref === "." ? "working tree" : shortRef(ref)}${refs.indexOf(ref) < i ? " again" : ""}`)
