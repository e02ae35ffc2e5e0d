import * as vscode from 'vscode';
import { type GitTracking, gitTracking } from '../composer/gitTracking';
import { userSetting } from '../config';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import type { Clock } from '../util/clock';
import { describeError } from '../util/errors';
import type { Logger } from '../util/logger';

/** `eqp.token.confirmInsertIntoTrackedFiles`: which tokens ask before going into a file git tracks. */
export type ConfirmInsertMode = 'production' | 'always' | 'never';

export const INSERT_ANYWAY = 'Insert anyway';

/** The whole check (finding git, asking it) gets this long; then the person is asked (fail safe). */
const CHECK_TIMEOUT_MS = 1500;
/** How long a click waits for the git extension's activation before it goes by `git` on PATH. */
const GIT_EXTENSION_WAIT_MS = 500;

/** The part of the built-in git extension's exports (vscode.git, API version 1) used here. */
interface GitExtensionExports {
  readonly enabled: boolean;
  getAPI(version: 1): { readonly git: { readonly path: string } };
}

/** Application-scoped, and read from the user settings only: a workspace cannot turn the question off. */
export function confirmInsertMode(): ConfirmInsertMode {
  const v = userSetting<string>('token.confirmInsertIntoTrackedFiles');
  return v === 'always' || v === 'never' ? v : 'production';
}

/**
 * Before a token is inserted into a saved file that git tracks (in the index) and does not ignore, asks with a
 * modal warning naming the file and the environment: production tokens by default, sandbox ones too with
 * `always`, none with `never`. Untitled documents and files that are ignored, untracked or outside a repository
 * are never asked about. When git cannot answer in time (CHECK_TIMEOUT_MS) or fails, the person is asked.
 *
 * The answer comes from git itself (`gitTracking`: `ls-files --error-unmatch`, then `check-ignore`), run with the
 * executable the built-in git extension uses (its API's `git.path`; the extension's activation is started once and
 * cached, and a click waits for it at most GIT_EXTENSION_WAIT_MS before using `git` from PATH). The extension's
 * repository state cannot say "tracked" for an unchanged file: it lists changes only.
 */
export class TrackedFileGuard {
  private gitPath: Promise<string | undefined> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** True: insert. False: the person chose Cancel, and has been told that nothing was inserted. */
  async confirm(document: vscode.TextDocument, env: EnvironmentId): Promise<boolean> {
    const mode = confirmInsertMode();
    if (mode === 'never' || (mode === 'production' && env !== 'production')) return true;
    if (document.isUntitled || document.uri.scheme !== 'file') return true;
    const tracking = await this.tracking(document.uri.fsPath);
    if (tracking !== 'tracked' && tracking !== 'unknown') return true;
    const label = environmentInfo(env).label;
    const name = vscode.workspace.asRelativePath(document.uri, false);
    const why =
      tracking === 'tracked'
        ? `Git tracks "${name}", so the ${label} session token could be committed and pushed with it.`
        : `EQP Keys could not find out in time whether git tracks "${name}"; if it does, the ${label} session token could be committed and pushed with it.`;
    const answer = await vscode.window.showWarningMessage(
      `Insert the ${label} session token into "${name}"?`,
      { modal: true, detail: `${why} Turn this question off with the eqp.token.confirmInsertIntoTrackedFiles setting.` },
      INSERT_ANYWAY,
    );
    if (answer === INSERT_ANYWAY) return true;
    void vscode.window.showInformationMessage(`Nothing was inserted: the ${label} session token was not put into "${name}".`);
    return false;
  }

  /** How git treats the file, or 'unknown' when it could not tell within CHECK_TIMEOUT_MS. */
  private async tracking(file: string): Promise<GitTracking | 'unknown'> {
    const started = this.clock.now();
    let timer: { dispose(): void } | undefined;
    const late = new Promise<'unknown'>((resolve) => {
      timer = this.clock.setTimer(CHECK_TIMEOUT_MS, () => resolve('unknown'));
    });
    const check = this.gitExecutable()
      .then((git) => gitTracking(file, { git, timeoutMs: CHECK_TIMEOUT_MS }))
      .catch((e: unknown) => {
        this.logger.warn(`insert: could not ask git whether the file is tracked, so the person is asked: ${describeError(e)}`);
        return 'unknown' as const;
      });
    try {
      const result = await Promise.race([check, late]);
      this.logger.debug(`insert: git says ${result} (${this.clock.now() - started} ms)`);
      return result;
    } finally {
      timer?.dispose();
    }
  }

  /** The git executable the git extension uses; undefined: `git` from PATH. */
  private async gitExecutable(): Promise<string | undefined> {
    this.gitPath ??= findGitPath();
    let timer: { dispose(): void } | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = this.clock.setTimer(GIT_EXTENSION_WAIT_MS, () => resolve(undefined));
    });
    try {
      return await Promise.race([this.gitPath, late]);
    } finally {
      timer?.dispose();
    }
  }
}

async function findGitPath(): Promise<string | undefined> {
  try {
    const extension = vscode.extensions.getExtension<GitExtensionExports>('vscode.git');
    if (!extension) return undefined;
    const exports = extension.isActive ? extension.exports : await extension.activate();
    if (!exports.enabled) return undefined;
    const path = exports.getAPI(1).git.path;
    return typeof path === 'string' && path !== '' ? path : undefined;
  } catch {
    // Disabled, or an API version it no longer has: git from PATH.
    return undefined;
  }
}
