/**
 * Model spend per instance: at most one chat turn running and one waiting. A turn admitted while another
 * runs waits here, not in the SDK's queue, so it can be dropped when nobody is left to read it.
 */
export class TurnGate {
  private admitted = 0
  private last: Promise<void> = Promise.resolve()

  constructor(private readonly capacity = 2) {}

  /** Takes a place for one turn, or false when one is running and one is waiting already. */
  enter(): boolean {
    if (this.admitted >= this.capacity) return false
    this.admitted++
    return true
  }

  /** Gives back a place taken by `enter` for a turn that will not run. */
  leave(): void {
    this.admitted--
  }

  /**
   * Runs an entered turn after the turns before it. `wanted` is asked when its turn comes: false drops it
   * (`dropped` runs instead). The place is given back however the turn ends.
   */
  async run(turn: () => Promise<void>, wanted: () => boolean, dropped: () => void): Promise<void> {
    const before = this.last
    let done: () => void = () => undefined
    this.last = new Promise((resolve) => (done = resolve))
    try {
      await before
      if (wanted()) await turn()
      else dropped()
    } finally {
      this.admitted--
      done()
    }
  }
}
