import { describe, expect, it } from "vitest"
import { TurnGate } from "../../../src/agents/coder/TurnGate.js"

/** A turn that ends when `finish` is called. */
const pending = () => {
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  return { finish, turn: () => done }
}

describe("TurnGate", () => {
  it("admits one running and one waiting turn; a third is refused until one ends", async () => {
    const gate = new TurnGate()
    const order: Array<string> = []
    const first = pending()
    expect(gate.enter()).toBe(true)
    const a = gate.run(() => (order.push("a"), first.turn()), () => true, () => order.push("a dropped"))
    expect(gate.enter()).toBe(true)
    const b = gate.run(async () => void order.push("b"), () => true, () => order.push("b dropped"))
    expect(gate.enter()).toBe(false)
    await Promise.resolve()
    expect(order).toEqual(["a"])
    first.finish()
    await Promise.all([a, b])
    expect(order).toEqual(["a", "b"])
    expect(gate.enter()).toBe(true)
    gate.leave()
  })

  it("drops a waiting turn nobody wants any more, and gives its place back", async () => {
    const gate = new TurnGate()
    const first = pending()
    const seen: Array<string> = []
    gate.enter()
    const a = gate.run(first.turn, () => true, () => seen.push("a dropped"))
    gate.enter()
    let wanted = true
    const b = gate.run(async () => void seen.push("b ran"), () => wanted, () => seen.push("b dropped"))
    wanted = false
    first.finish()
    await Promise.all([a, b])
    expect(seen).toEqual(["b dropped"])
    expect(gate.enter() && gate.enter()).toBe(true)
  })

  it("a turn that fails still gives its place back and lets the next one run", async () => {
    const gate = new TurnGate()
    gate.enter()
    const a = gate.run(() => Promise.reject(new Error("boom")), () => true, () => undefined)
    gate.enter()
    let ran = false
    const b = gate.run(async () => void (ran = true), () => true, () => undefined)
    await expect(a).rejects.toThrow("boom")
    await b
    expect(ran).toBe(true)
    expect(gate.enter() && gate.enter()).toBe(true)
  })
})
