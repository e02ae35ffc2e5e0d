import { type Clock, TimerSlot, systemClock } from './clock';

/**
 * Runs an async job one at a time: asked again while a run is under way, it runs once more right after it,
 * however often it was asked meanwhile. So updates that arrive together merge into one, and none is lost.
 * `schedule()` also merges the asks of a short window into one run. A failing run is reported and does not stop
 * later ones. No `vscode` import.
 */
export class SerialRunner {
  private running: Promise<void> | undefined;
  private dirty = false;
  private readonly timer: TimerSlot;

  constructor(
    private readonly job: () => Promise<void> | void,
    private readonly onError: (e: unknown) => void,
    private readonly stopped: () => boolean = () => false,
    private readonly mergeMs = 30,
    clock: Clock = systemClock,
  ) {
    this.timer = new TimerSlot(clock);
  }

  /** Asks for a run within `mergeMs`; every ask until then is served by that one run. */
  schedule(): void {
    if (this.stopped() || this.timer.isSet) return;
    this.timer.set(this.mergeMs, () => void this.run());
  }

  /** Runs now instead of a scheduled run; resolves once the job has run after this call. */
  flush(): Promise<void> {
    this.cancel();
    return this.run();
  }

  /** Drops a scheduled run (a run under way finishes). */
  cancel(): void {
    this.timer.clear();
  }

  /** Resolves once the job has run after this call (possibly merged with other calls). */
  run(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.dirty = false;
        try {
          await this.job();
        } catch (e) {
          this.onError(e);
        }
      } while (this.dirty && !this.stopped());
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
