/**
 * The time the extension goes by, and its timers: every wait (a countdown, a merge of updates, a retry's backoff)
 * is a timer of one injected Clock, so a test can run minutes of waiting in milliseconds. No `vscode` import.
 */
export interface Clock {
  /** ms since epoch. */
  now(): number;
  /** Calls `fn` once after `ms` of this clock's time; `dispose()` cancels it. */
  setTimer(ms: number, fn: () => void): { dispose(): void };
}

/** The longest delay Node's timers take (a longer one would fire at once). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The system clock and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.min(Math.max(0, ms), MAX_DELAY_MS));
    return { dispose: () => clearTimeout(handle) };
  },
};

/**
 * Waits `ms` of `clock`'s time; rejects with `onAbort()`'s error as soon as `signal` aborts (the timer is
 * cancelled).
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(onAbort());
      return;
    }
    const abort = (): void => {
      timer.dispose();
      reject(onAbort());
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    });
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * One timer slot: `set` replaces whatever was set before, `clear` cancels it. For a render that wakes up once
 * for the next change it shows.
 */
export class TimerSlot {
  private timer: { dispose(): void } | undefined;

  constructor(private readonly clock: Clock) {}

  set(ms: number, fn: () => void): void {
    this.clear();
    this.timer = this.clock.setTimer(ms, () => {
      this.timer = undefined;
      fn();
    });
  }

  clear(): void {
    this.timer?.dispose();
    this.timer = undefined;
  }

  /** A timer is set. */
  get isSet(): boolean {
    return this.timer !== undefined;
  }
}
