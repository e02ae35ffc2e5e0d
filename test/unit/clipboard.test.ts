// The clipboard clearer in plain Node (code-server's clipboard cannot show it): a fake clipboard that records its
// reads and writes, and a clock whose timers fire when the test says.
import * as assert from 'node:assert/strict';
import { type ClipboardAccess, ClipboardClearer } from '../../src/tokens/clipboardClearer';
import type { Clock } from '../../src/util/clock';

class FakeClipboard implements ClipboardAccess {
  text = '';
  reads = 0;
  writes: string[] = [];
  /** ms each call takes (a clipboard over IPC answers later). */
  delayMs = 0;
  fail = false;

  private async pause(): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fail) throw new Error('clipboard unavailable');
  }

  async readText(): Promise<string> {
    this.reads++;
    await this.pause();
    return this.text;
  }

  async writeText(value: string): Promise<void> {
    await this.pause();
    this.writes.push(value);
    this.text = value;
  }
}

class ManualClock implements Clock {
  time = 1_000_000;
  readonly timers = new Set<{ due: number; fn: () => void }>();
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
    for (const t of [...this.timers]) {
      if (t.due <= this.time) {
        this.timers.delete(t);
        t.fn();
      }
    }
  }
}

describe('ClipboardClearer (plain Node)', () => {
  let clipboard: FakeClipboard;
  let clock: ManualClock;
  let seconds: number;
  let canRead: boolean;
  const clearer = (): ClipboardClearer => new ClipboardClearer(() => seconds, () => canRead, clipboard, clock);
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

  beforeEach(() => {
    clipboard = new FakeClipboard();
    clock = new ManualClock();
    seconds = 60;
    canRead = true;
  });

  it('clears after the delay when the clipboard still holds the text (the timer path, unchanged)', async () => {
    const guard = clearer();
    assert.equal(await guard.copy('TOKEN'), clock.now() + 60_000);
    assert.equal(guard.pending, true);
    clock.advance(60_000);
    await settle();
    assert.equal(clipboard.text, '');
    assert.equal(guard.pending, false);
  });

  it('close (deactivation) inside the clear window clears at once, and resolves only once the clipboard is cleared', async () => {
    const guard = clearer();
    await guard.copy('TOKEN');
    clock.advance(10_000);
    clipboard.delayMs = 20; // read and write go over IPC: close must wait for both
    const closed = guard.close();
    assert.equal(guard.pending, false, 'the timer is gone');
    assert.equal(clipboard.text, 'TOKEN', 'not cleared yet');
    await closed;
    assert.equal(clipboard.text, '', 'cleared by the time close resolved');
    assert.deepEqual(clipboard.writes, ['TOKEN', '']);
    assert.equal(clock.timers.size, 0, 'no timer left behind');
  });

  it('close leaves alone what the user copied meanwhile', async () => {
    const guard = clearer();
    await guard.copy('TOKEN');
    await clipboard.writeText('something the user copied');
    await guard.close();
    assert.equal(clipboard.text, 'something the user copied');
    assert.equal(clipboard.reads, 1);
  });

  it('close with nothing pending reads nothing: already cleared, clearing off, or a clipboard that cannot be read silently', async () => {
    const fired = clearer();
    await fired.copy('TOKEN');
    clock.advance(60_000);
    await settle();
    const readsAfterTimer = clipboard.reads;
    await fired.close();
    assert.equal(clipboard.reads, readsAfterTimer, 'the timer had already cleared it');

    seconds = 0;
    const off = clearer();
    await off.copy('TOKEN');
    await off.close();
    assert.equal(clipboard.text, 'TOKEN', 'clearing is off (0 seconds): the token stays');

    seconds = 60;
    canRead = false;
    const web = clearer();
    await web.copy('TOKEN');
    await web.close();
    assert.equal(clipboard.reads, readsAfterTimer, 'no read where the clipboard cannot be read silently (the web UI)');
    assert.equal(clipboard.text, 'TOKEN');
  });

  it('close never rejects, only once clears, and a copy after it schedules no clear', async () => {
    const guard = clearer();
    await guard.copy('TOKEN');
    clipboard.fail = true;
    await guard.close(); // resolves although the clipboard fails
    clipboard.fail = false;
    assert.equal(clipboard.text, 'TOKEN');
    await guard.close();
    assert.equal(clipboard.reads, 1, 'a second close does not read again');
    assert.equal(await guard.copy('LATER'), undefined);
    assert.equal(guard.pending, false);
    assert.equal(clock.timers.size, 0);
  });

  it('dispose (a subscription) does the same without waiting', async () => {
    const guard = clearer();
    await guard.copy('TOKEN');
    guard.dispose();
    assert.equal(guard.pending, false);
    await settle();
    assert.equal(clipboard.text, '');
  });

  it('a new copy replaces the pending clear: close clears the newer text only', async () => {
    const guard = clearer();
    await guard.copy('FIRST');
    await guard.copy('SECOND');
    assert.equal(clock.timers.size, 1);
    await guard.close();
    assert.equal(clipboard.text, '');
    assert.deepEqual(clipboard.writes, ['FIRST', 'SECOND', '']);
  });
});
