/**
 * When to ask the server again about submissions still in review: after 1 minute, then 2, 4, 8 and at most 10
 * minutes while nothing changes; back to 1 minute as soon as a status changes. Polling happens only while
 * someone can see the result (HOUSE_STYLE: polling stops when nobody is looking). Pure: time comes from an
 * injected clock; the caller owns the timer.
 */

export const POLL_MIN_MS = 60_000;
export const POLL_MAX_MS = 10 * 60_000;

/** The wait after `previousMs`: the minimum after a change, else double, never above the maximum. */
export function nextPollDelay(previousMs: number, changed: boolean, minMs = POLL_MIN_MS, maxMs = POLL_MAX_MS): number {
  if (changed || !(previousMs >= minMs)) return minMs;
  return Math.min(previousMs * 2, maxMs);
}

/** The backoff of one poller. */
export class PollBackoff {
  private delay: number;
  private due: number;

  constructor(
    private readonly clock: { now(): number },
    private readonly minMs = POLL_MIN_MS,
    private readonly maxMs = POLL_MAX_MS,
  ) {
    this.delay = minMs;
    this.due = clock.now() + minMs;
  }

  /** The wait the next poll is scheduled with. */
  get delayMs(): number {
    return this.delay;
  }

  /** When the next poll is due (clock ms). */
  get dueAt(): number {
    return this.due;
  }

  /** How long until the next poll (0 when due). */
  msUntilDue(): number {
    return Math.max(0, this.due - this.clock.now());
  }

  isDue(): boolean {
    return this.clock.now() >= this.due;
  }

  /** A poll finished: `changed` when any status differs from the last answer. Returns the wait until the next. */
  polled(changed: boolean): number {
    this.delay = nextPollDelay(this.delay, changed, this.minMs, this.maxMs);
    this.due = this.clock.now() + this.delay;
    return this.delay;
  }

  /** Start over at the minimum (a status changed elsewhere, the user refreshed, or polling resumes). */
  reset(): void {
    this.delay = this.minMs;
    this.due = this.clock.now() + this.minMs;
  }
}

export type PollNotify = 'whenVisible' | 'always' | 'never';

export interface PollConditions {
  /** The setting: poll only while the Submissions view is visible, always (while the window has focus), or never. */
  notify: PollNotify;
  viewVisible: boolean;
  windowFocused: boolean;
  /** At least one listed submission is in review (`isInReview`). */
  anyInReview: boolean;
}

/** Whether to poll now: never when set to never, when nothing is in review, when the window is not focused, or when set to whenVisible and the view is hidden. */
export function shouldPoll(c: PollConditions): boolean {
  if (c.notify === 'never') return false;
  if (!c.anyInReview) return false;
  if (!c.windowFocused) return false;
  if (c.notify === 'whenVisible' && !c.viewVisible) return false;
  return true;
}
