/**
 * Runs an async job one at a time: asked again while a run is under way, it runs once more right after it,
 * however often it was asked meanwhile. So updates that arrive together merge into one, and none is lost.
 * A failing run is reported and does not stop later ones. No `vscode` import.
 */
export class SerialRunner {
  private running: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly job: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
    private readonly stopped: () => boolean = () => false,
  ) {}

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
