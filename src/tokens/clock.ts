/** The time the token features go by. No `vscode` import. */
export interface Clock {
  now(): number;
}

/**
 * The system clock, whose source a test can swap (ExtensionMode.Test hooks only), e.g. for the EQP sandbox
 * server's clock so that advancing it expires tokens on both sides at once.
 */
export class SwitchableClock implements Clock {
  private source: () => number = Date.now;

  now(): number {
    return this.source();
  }

  use(source?: () => number): void {
    this.source = source ?? Date.now;
  }
}
