import { type Clock, systemClock } from '../../src/util/clock';

interface Pending {
  due: number;
  fn: () => void;
  real: { dispose(): void };
}

/**
 * The clock the test entry gives the extension: the system clock and real timers, except that a test can make
 * `now()` follow another source (the EQP sandbox server's clock, so advancing it expires tokens on both sides)
 * and fire the timers that are due by that time at once (`fireDue()`), so a test of a two-hour countdown or a
 * long backoff takes milliseconds. It also says how many timers are pending.
 */
export class TestClock implements Clock {
  private source: () => number = () => systemClock.now();
  private readonly pending = new Set<Pending>();

  now(): number {
    return this.source();
  }

  setTimer(ms: number, fn: () => void): { dispose(): void } {
    const entry: Pending = {
      due: this.now() + ms,
      fn,
      real: systemClock.setTimer(ms, () => this.fire(entry)),
    };
    this.pending.add(entry);
    return {
      dispose: () => {
        entry.real.dispose();
        this.pending.delete(entry);
      },
    };
  }

  /** Follow `source` for `now()` (undefined: the system clock again). */
  use(source?: () => number): void {
    this.source = source ?? (() => systemClock.now());
  }

  /** Fires, oldest first, every timer due by `now()` (after a test moved the source's time on); returns how many. */
  fireDue(): number {
    const due = [...this.pending].filter((p) => p.due <= this.now()).sort((a, b) => a.due - b.due);
    for (const p of due) this.fire(p);
    return due.length;
  }

  /** Timers pending longer than `minMs` from now (the countdowns, not the 30 ms merges of updates). */
  timersLongerThan(minMs: number): number {
    const now = this.now();
    return [...this.pending].filter((p) => p.due - now > minMs).length;
  }

  private fire(entry: Pending): void {
    if (!this.pending.delete(entry)) return;
    entry.real.dispose();
    entry.fn();
  }
}
