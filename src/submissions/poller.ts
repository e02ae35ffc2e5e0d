import * as vscode from 'vscode';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import type { Submission } from '../eqp/submissions';
import { type Clock, TimerSlot } from '../util/clock';
import { describeError } from '../util/errors';
import { Disposable, toDisposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import type { SubmissionsModel } from './model';
import { PollBackoff, shouldPoll } from './pollSchedule';
import { changeSentence, isInReview, submissionTitle } from './presentation';
import { unlinkText } from '../util/markdown';
import type { SubmissionsService } from './service';

export type NotifyMode = 'whenVisible' | 'always' | 'never';

export interface PollerDeps {
  model: SubmissionsModel;
  service: Pick<SubmissionsService, 'get'>;
  clock: Clock;
  logger: Logger;
  environments(): EnvironmentId[];
  mode(): NotifyMode;
  view: Pick<vscode.TreeView<unknown>, 'visible' | 'onDidChangeVisibility'>;
  /** Brings a submission into view (the notification's Show). */
  show(env: EnvironmentId, submissionId: string): Promise<void>;
  /** The window has focus; default VS Code's window state. */
  focused?: () => boolean;
}

/**
 * Follows the submissions that are in review: reads each again with backoff (1 minute, doubling to at most 10,
 * back to 1 after a change), only while the window has focus and, unless `eqp.submissions.notify` is `always`,
 * only while the Submissions view is visible. A changed technical or marketing status updates the row and is
 * told in a notification with Show. Nothing in review (or nothing loaded): no timer, no request.
 */
export class SubmissionsPoller extends Disposable {
  private readonly timer: TimerSlot;
  private readonly schedule: PollBackoff;
  private running: AbortController | undefined;
  /** Polls made (each reads every submission in review once), for tests and the log. */
  polls = 0;

  constructor(private readonly deps: PollerDeps) {
    super();
    this.timer = new TimerSlot(deps.clock);
    this.schedule = new PollBackoff(deps.clock);
    this.register({ dispose: () => { this.timer.clear(); this.running?.abort(); } });
    this.register(toDisposable(deps.model.onDidChange(() => this.update())));
    this.register(deps.view.onDidChangeVisibility(() => this.update()));
    this.register(vscode.window.onDidChangeWindowState(() => this.update()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('eqp.submissions.notify')) this.update(); }));
  }

  /** When the next poll is due (ms from now), or undefined when none is planned. */
  get nextPollInMs(): number | undefined {
    return this.timer.isSet ? this.dueAt - this.deps.clock.now() : undefined;
  }

  /** A poll is reading the submissions in review right now. */
  get polling(): boolean {
    return this.running !== undefined;
  }

  private dueAt = 0;

  private inReview(): { env: EnvironmentId; submission: Submission }[] {
    return this.deps.environments().flatMap((env) => this.deps.model.items(env).filter((s) => isInReview(s)).map((submission) => ({ env, submission })));
  }

  private wanted(): boolean {
    return shouldPoll({
      notify: this.deps.mode(),
      viewVisible: this.deps.view.visible,
      windowFocused: this.deps.focused ? this.deps.focused() : vscode.window.state.focused,
      anyInReview: this.inReview().length > 0,
    });
  }

  /** Plans the next poll, or stops planning, as the conditions are now. */
  update(): void {
    if (this.isDisposed) return;
    if (this.running) {
      // Hidden, unfocused or switched off mid-poll: the rest of its requests are not made.
      if (!this.wanted()) this.running.abort();
      return;
    }
    if (!this.wanted()) {
      if (this.timer.isSet) this.timer.clear();
      // Back in front later, the first poll comes a minute after, as if new.
      this.schedule.reset();
      return;
    }
    if (this.timer.isSet) return;
    const delay = this.schedule.delayMs;
    this.dueAt = this.deps.clock.now() + delay;
    this.timer.set(delay, () => void this.poll());
  }

  private async poll(): Promise<void> {
    if (this.isDisposed || !this.wanted()) return this.update();
    const controller = new AbortController();
    this.running = controller;
    this.polls++;
    let changed = false;
    try {
      for (const { env, submission } of this.inReview()) {
        if (controller.signal.aborted) break;
        try {
          const now = await this.deps.service.get(env, submission.submissionId, controller.signal, true);
          if (controller.signal.aborted || this.isDisposed) break;
          const change = changeSentence(now, submission.status, now.status);
          if (change || JSON.stringify(now.status) !== JSON.stringify(submission.status)) changed = true;
          this.deps.model.put(env, now);
          if (change) {
            // A stage passed may have added test runs: the ones shown are read again.
            if (this.deps.model.runs(env, now.submissionId)) void this.deps.model.ensureRuns(env, now.submissionId, true);
            this.notify(env, now, change);
          }
        } catch (e) {
          if (e instanceof EqpError && e.status === 404) {
            this.deps.model.remove(env, submission.submissionId);
            changed = true;
          } else if (!(e instanceof EqpError && e.kind === 'cancelled')) {
            this.deps.logger.warn(`submissions: could not follow ${submission.submissionId}: ${describeError(e)}`);
          }
        }
      }
    } finally {
      this.running = undefined;
    }
    this.schedule.polled(changed);
    this.update();
  }

  private notify(env: EnvironmentId, submission: Submission, change: string): void {
    if (this.deps.mode() === 'never') return;
    // With both environments followed, the same product and version can be in review in each: say which changed
    // ("Example Module 1.0.2 (Sandbox): technical review is now …").
    const title = submissionTitle(submission);
    const text = this.deps.environments().length > 1 && change.startsWith(title) ? `${title} (${environmentInfo(env).label})${change.slice(title.length)}` : change;
    void vscode.window.showInformationMessage(unlinkText(text), 'Show').then((choice) => {
      if (choice === 'Show') void this.deps.show(env, submission.submissionId);
    });
  }
}
