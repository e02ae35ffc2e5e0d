import * as vscode from 'vscode';
import { COMPOSER_VIEW_ID } from '../../constants';
import { ENVIRONMENT_IDS } from '../../eqp/environments';
import { isScripted, scriptedEnvironment } from '../../keys/commands/scripted';
import { ComposerEnvironmentNode, ComposerErrorNode } from '../tree';
import type { ComposerCommandDeps } from './common';

/**
 * `eqp.composer.refresh`: reads the lists again (the title bar's Refresh: every environment; an error row's Retry
 * or `{environment}`: that one) and the auth.json files that mark keys in use. Failures show as the error row.
 */
export class RefreshComposerKeysCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<void> {
    let envs = this.deps.environments();
    if (arg instanceof ComposerEnvironmentNode || arg instanceof ComposerErrorNode) {
      const env = arg instanceof ComposerEnvironmentNode ? arg.environment : arg.parent.environment;
      envs = envs.filter((e) => e === env);
    } else if (isScripted(arg) && arg.environment !== undefined) {
      const env = scriptedEnvironment(arg)!;
      envs = ENVIRONMENT_IDS.filter((e) => e === env && envs.includes(e));
    }
    // The view's progress bar while the lists are read again (their old rows stay meanwhile).
    await vscode.window.withProgress({ location: { viewId: COMPOSER_VIEW_ID } }, () =>
      Promise.all([this.deps.usage.refresh(), ...envs.map((e) => this.deps.model.reload(e))]),
    );
  }
}
