// Polling submissions in review (src/submissions/pollSchedule.ts): 1 minute, doubling to 10, back to 1 on a change,
// and only while someone can see the result.
import * as assert from 'node:assert/strict';
import { POLL_MAX_MS, POLL_MIN_MS, PollBackoff, nextPollDelay, shouldPoll } from '../../src/submissions/pollSchedule';

const MIN = 60_000;

describe('submissions: poll schedule', () => {
  it('1, 2, 4, 8, 10, 10 minutes while nothing changes; 1 minute after a change', () => {
    let now = 1_000_000;
    const b = new PollBackoff({ now: () => now });
    assert.equal(b.delayMs, MIN);
    assert.equal(b.dueAt, now + MIN);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      now = b.dueAt;
      assert.equal(b.isDue(), true);
      waits.push(b.polled(false) / MIN);
    }
    assert.deepEqual(waits, [2, 4, 8, 10, 10, 10]);
    now = b.dueAt;
    assert.equal(b.polled(true), MIN);
    assert.equal(b.dueAt, now + MIN);
  });

  it('due times follow the injected clock; reset starts over', () => {
    let now = 0;
    const b = new PollBackoff({ now: () => now });
    b.polled(false);
    now = 30_000;
    assert.equal(b.isDue(), false);
    assert.equal(b.msUntilDue(), 2 * MIN - 30_000);
    now = 5 * MIN;
    assert.equal(b.msUntilDue(), 0);
    b.reset();
    assert.equal(b.delayMs, MIN);
    assert.equal(b.dueAt, 6 * MIN);
  });

  it('nextPollDelay: the rule alone, with other bounds', () => {
    assert.equal(POLL_MIN_MS, MIN);
    assert.equal(POLL_MAX_MS, 10 * MIN);
    assert.equal(nextPollDelay(MIN, false), 2 * MIN);
    assert.equal(nextPollDelay(8 * MIN, false), 10 * MIN);
    assert.equal(nextPollDelay(10 * MIN, true), MIN);
    assert.equal(nextPollDelay(0, false), MIN, 'below the minimum starts at the minimum');
    assert.equal(nextPollDelay(Number.NaN, false), MIN);
    assert.equal(nextPollDelay(100, false, 100, 250), 200);
    assert.equal(nextPollDelay(200, false, 100, 250), 250);
  });

  it('shouldPoll: never, nothing in review, unfocused window, or a hidden view with whenVisible: no', () => {
    const yes = { notify: 'whenVisible', viewVisible: true, windowFocused: true, anyInReview: true } as const;
    assert.equal(shouldPoll(yes), true);
    assert.equal(shouldPoll({ ...yes, notify: 'never' }), false);
    assert.equal(shouldPoll({ ...yes, anyInReview: false }), false);
    assert.equal(shouldPoll({ ...yes, windowFocused: false }), false);
    assert.equal(shouldPoll({ ...yes, viewVisible: false }), false);
    assert.equal(shouldPoll({ ...yes, notify: 'always', viewVisible: false }), true);
    assert.equal(shouldPoll({ ...yes, notify: 'always', viewVisible: false, windowFocused: false }), false);
    assert.equal(shouldPoll({ ...yes, notify: 'always', anyInReview: false }), false);
  });
});
