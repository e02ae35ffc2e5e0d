import * as assert from 'node:assert/strict';
import { type Clock, TimerSlot, sleep, systemClock } from '../../src/util/clock';

/** A clock whose time only moves when the test says, firing the timers that fall due. */
class ManualClock implements Clock {
  private time = 1_000_000;
  private readonly timers = new Set<{ due: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): { dispose(): void } {
    const t = { due: this.time + ms, fn };
    this.timers.add(t);
    return { dispose: () => this.timers.delete(t) };
  }

  advance(ms: number): void {
    this.time += ms;
    for (const t of [...this.timers].sort((a, b) => a.due - b.due)) {
      if (t.due <= this.time && this.timers.delete(t)) t.fn();
    }
  }

  get pending(): number {
    return this.timers.size;
  }
}

describe('clock: injected time and timers', () => {
  it('sleep waits the clock\'s time, not real time: two hours pass in one call', async () => {
    const clock = new ManualClock();
    let done = false;
    const waiting = sleep(clock, 2 * 3600_000, undefined, () => new Error('cancelled')).then(() => { done = true; });
    clock.advance(3600_000);
    await Promise.resolve();
    assert.equal(done, false, 'one hour in: still waiting');
    clock.advance(3600_000);
    await waiting;
    assert.equal(done, true);
  });

  it('sleep rejects with the given error as soon as the signal aborts, and cancels its timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const waiting = sleep(clock, 60_000, controller.signal, () => new Error('stopped'));
    assert.equal(clock.pending, 1);
    controller.abort();
    await assert.rejects(waiting, /stopped/);
    assert.equal(clock.pending, 0, 'no timer left behind');
    await assert.rejects(sleep(clock, 1, controller.signal, () => new Error('already')), /already/);
  });

  it('a TimerSlot holds one timer: set replaces, clear cancels, isSet says whether one waits', () => {
    const clock = new ManualClock();
    const slot = new TimerSlot(clock);
    const fired: string[] = [];
    slot.set(1000, () => fired.push('a'));
    slot.set(2000, () => fired.push('b'));
    assert.equal(clock.pending, 1, 'the second replaced the first');
    clock.advance(1500);
    assert.deepEqual([...fired], []);
    assert.equal(slot.isSet, true);
    clock.advance(500);
    assert.deepEqual([...fired], ['b']);
    assert.equal(slot.isSet, false, 'fired: nothing waits');
    slot.set(10, () => fired.push('c'));
    slot.clear();
    clock.advance(100);
    assert.deepEqual([...fired], ['b']);
  });

  it('the system clock fires its timers and clamps a delay Node would fire at once', async () => {
    const fired = await new Promise<boolean>((resolve) => { systemClock.setTimer(5, () => resolve(true)); });
    assert.equal(fired, true);
    let late = false;
    const far = systemClock.setTimer(2 ** 40, () => { late = true; });
    await new Promise((r) => setTimeout(r, 20));
    far.dispose();
    assert.equal(late, false, 'a delay beyond 2^31-1 ms does not fire at once');
  });
});
