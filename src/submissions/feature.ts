import * as vscode from 'vscode';
import type { Settings } from '../config';
import { COMMANDS, SUBMISSIONS_VIEW_ID } from '../constants';
import { ENVIRONMENT_IDS, type EnvironmentId } from '../eqp/environments';
import type { KeyStore } from '../keys/keyStore';
import { userSetting } from '../config';
import type { Clock } from '../util/clock';
import type { SubmitCommandId } from '../submit/feature';
import { Disposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import type { SubmissionsCommandDeps } from './commands/common';
import { CopySubmissionIdCommand, OpenSubmissionsInPortalCommand } from './commands/misc';
import { LoadMoreSubmissionsCommand, RefreshSubmissionsCommand } from './commands/refresh';
import { ClearProblemsCommand, OpenReportCommand, OpenReportJsonCommand, ShowProblemsCommand } from './commands/report';
import { ReportDocuments } from './documents';
import { SubmissionsModel } from './model';
import { type NotifyMode, SubmissionsPoller } from './poller';
import { PhpcsProblems } from './problems';
import { type SubmissionsClient, SubmissionsService, type SubmissionsTokenSource } from './service';
import { SubmissionsTreeProvider, type SubmissionsTreeNode } from './tree';

type Handler = (...args: unknown[]) => unknown;
/** The Submissions view's commands (submit, build and init belong to src/submit/). */
type SubmissionsCommandId = Exclude<(typeof COMMANDS)[keyof typeof COMMANDS] & `eqp.submissions.${string}`, SubmitCommandId>;

export interface SubmissionsFeatureParts {
  client: SubmissionsClient;
  tokens: SubmissionsTokenSource;
  store: Pick<KeyStore, 'activeKeyRef' | 'onDidChange'>;
  settings: Pick<Settings, 'activeEnvironment' | 'portalUrl'>;
  logger: Logger;
  clock: Clock;
  /** Whether the window has focus; default VS Code's window state. */
  focused?: () => boolean;
}

/**
 * The Submissions view, its report documents, the Problems panel's code sniffer findings and the commands. Nothing
 * is read at activation: the view loads its first page when it is first shown, and follows submissions in review
 * only while it (or, by setting, the window) is in front of the user.
 */
export class SubmissionsFeature extends Disposable {
  readonly service: SubmissionsService;
  readonly model: SubmissionsModel;
  readonly tree: SubmissionsTreeProvider;
  readonly problems: PhpcsProblems;
  readonly documents: ReportDocuments;
  readonly poller: SubmissionsPoller;
  /** The Submissions tree view (its visibility and selection, for the poller and tests). */
  readonly view: vscode.TreeView<SubmissionsTreeNode>;
  private readonly deps: SubmissionsCommandDeps;
  private readonly reveal: (env: EnvironmentId, submissionId: string) => Promise<void>;

  constructor(parts: SubmissionsFeatureParts) {
    super();
    const { store } = parts;
    this.service = new SubmissionsService(parts.client, parts.tokens);
    this.model = new SubmissionsModel(this.service, () => userSetting<boolean>('submissions.loadAll') === true);
    this.register({ dispose: () => this.model.dispose() });
    const environments = {
      activeKeyId: (env: (typeof ENVIRONMENT_IDS)[number]) => store.activeKeyRef(env)?.keyId,
      onDidChange: (listener: () => void) => store.onDidChange(listener),
    };
    this.tree = this.register(new SubmissionsTreeProvider(this.model, environments));
    const view = this.register(vscode.window.createTreeView<SubmissionsTreeNode>(SUBMISSIONS_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true }));
    this.view = view;
    this.problems = this.register(new PhpcsProblems());
    this.documents = this.register(new ReportDocuments());
    this.reveal = async (env: (typeof ENVIRONMENT_IDS)[number], submissionId: string): Promise<void> => {
      const node = this.tree.nodeFor(env, submissionId);
      if (node) await view.reveal(node, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
    };
    this.poller = this.register(new SubmissionsPoller({
      model: this.model,
      service: this.service,
      clock: parts.clock,
      logger: parts.logger,
      environments: () => ENVIRONMENT_IDS.filter((e) => store.activeKeyRef(e) !== undefined),
      mode: () => notifyMode(),
      view,
      focused: parts.focused,
      show: (env, submissionId) => this.show(env, submissionId),
    }));
    this.deps = {
      service: this.service,
      model: this.model,
      documents: this.documents,
      problems: this.problems,
      environments: () => ENVIRONMENT_IDS.filter((e) => store.activeKeyRef(e) !== undefined),
      activeEnvironment: () => parts.settings.activeEnvironment,
      portalUrl: (env) => parts.settings.portalUrl(env),
    };
  }

  /** Brings a submission's row into view, selected (a notification's Show). */
  async show(env: EnvironmentId, submissionId: string): Promise<void> {
    await Promise.resolve(vscode.commands.executeCommand(`${SUBMISSIONS_VIEW_ID}.focus`)).catch(() => undefined);
    // A view shown for the first time reads its list first: the row exists only then.
    await this.model.ensure(env);
    await this.reveal(env, submissionId);
  }

  /** The command handlers, for the one registry (src/registerCommands.ts). */
  handlers(): Record<SubmissionsCommandId, Handler> {
    const d = this.deps;
    const refresh = new RefreshSubmissionsCommand(d);
    const more = new LoadMoreSubmissionsCommand(d);
    const open = new OpenReportCommand(d);
    const json = new OpenReportJsonCommand(d);
    const show = new ShowProblemsCommand(d);
    const clear = new ClearProblemsCommand(d);
    const portal = new OpenSubmissionsInPortalCommand(d);
    const copy = new CopySubmissionIdCommand(d);
    return {
      [COMMANDS.submissionsRefresh]: (arg) => refresh.run(arg),
      [COMMANDS.submissionsLoadMore]: (arg) => more.run(arg),
      [COMMANDS.submissionsOpenReport]: (arg) => open.run(arg),
      [COMMANDS.submissionsOpenReportJson]: (arg) => json.run(arg),
      [COMMANDS.submissionsShowProblems]: (arg) => show.run(arg),
      [COMMANDS.submissionsClearProblems]: (arg) => clear.run(arg),
      [COMMANDS.submissionsOpenInPortal]: (arg) => portal.run(arg),
      [COMMANDS.submissionsCopySubmissionId]: (arg) => copy.run(arg),
    };
  }
}

function notifyMode(): NotifyMode {
  const v = userSetting<string>('submissions.notify');
  return v === 'always' || v === 'never' ? v : 'whenVisible';
}
