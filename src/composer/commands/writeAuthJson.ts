import * as path from 'node:path';
import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import { UserError } from '../../util/errors';
import { type AuthJsonTarget, globalTarget, projectTargets } from '../authJsonUsage';
import type { ComposerKeyRecord } from '../composerService';
import { type AuthJsonWritten, checkGit, hostFor, showAuthJsonError, writeKey } from './authJsonWriter';
import { type ComposerCommandDeps, envLabel, resolveKey, withProgress } from './common';

export interface WriteAuthJsonResult extends AuthJsonWritten {
  key: ComposerKeyRecord;
}

/**
 * `eqp.composer.writeAuthJson`: puts a key into Composer's auth.json under `http-basic` → the environment's host
 * (repo.magento.com for production; the sandbox's host is asked once). The target is the project's auth.json
 * beside a workspace folder's composer.json (asked when there are several), or the global one in the Composer
 * home. Git is asked first (see checkGit); afterwards the file is shown and the message says which file and host.
 * Scripted: `{environment, label, uid?, target?: "project" | "global", folder?, replace?, addToGitignore?,
 * allowTracked?}`; returns the file, host and the key's public record.
 */
export class WriteAuthJsonCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<WriteAuthJsonResult | undefined> {
    const scripted = isScripted(arg);
    const key = await resolveKey(this.deps, arg, 'Write Composer Key to auth.json', (k) => k.isEnabled);
    if (!key) return undefined;
    const host = await hostFor(key, scripted);
    if (!host) return undefined;
    let target = scripted ? await scriptedTarget(arg as Record<string, unknown>) : await this.pickTarget(key);
    if (!target) return undefined;
    const flags = scripted ? (arg as Record<string, unknown>) : {};
    const opts = { scripted, replace: flags.replace === true, addToGitignore: flags.addToGitignore === true, allowTracked: flags.allowTracked === true };
    try {
      target = await checkGit(this.deps, target, key, opts);
      if (!target) return undefined;
      const chosen = target;
      const written = await withProgress(`Writing "${key.label}" to ${chosen.file}…`, async (signal) =>
        writeKey(chosen, host, key, async () => (await this.deps.service.privateKey(key.environment, key, signal)).password, opts),
      );
      if (!written) return undefined;
      void this.deps.usage.refresh();
      this.deps.logger.info(`wrote Composer key "${key.label}" (${key.environment}) for ${host} to ${written.file}${written.changed ? '' : ' (unchanged)'}`);
      if (!scripted) {
        await vscode.window.showTextDocument(vscode.Uri.file(written.file), { preview: true, preserveFocus: false });
        void vscode.window.showInformationMessage(
          written.changed
            ? `Wrote the ${envLabel(key.environment)} Composer key "${key.label}" for ${host} to ${written.file}.`
            : `${written.file} already holds the Composer key "${key.label}" for ${host}: nothing to change.`,
        );
      }
      return { ...written, key };
    } catch (e) {
      if (!scripted && showAuthJsonError(e)) return undefined;
      throw e;
    }
  }

  private async pickTarget(key: ComposerKeyRecord): Promise<AuthJsonTarget | undefined> {
    const projects = await projectTargets();
    if (projects.length === 0) return globalTarget();
    if (projects.length === 1) return projects[0];
    const global = globalTarget();
    const items = [...projects, global].map((t) => ({
      label: t.kind === 'project' ? `$(folder) ${t.folder?.name ?? path.basename(path.dirname(t.file))}` : '$(home) Global Composer auth.json',
      description: t.file,
      target: t,
    }));
    return (await vscode.window.showQuickPick(items, { title: `Write "${key.label}" to auth.json`, placeHolder: 'Which auth.json? (a project\'s lies beside its composer.json)' }))?.target;
  }
}

async function scriptedTarget(arg: Record<string, unknown>): Promise<AuthJsonTarget> {
  const want = arg.target ?? 'project';
  if (want === 'global') return globalTarget();
  if (want !== 'project') throw new UserError('"target" must be "project" or "global".');
  const projects = await projectTargets();
  if (typeof arg.folder === 'string') {
    const folder = path.resolve(arg.folder);
    const found = projects.find((t) => path.dirname(t.file) === folder);
    if (!found) throw new UserError(`${folder} is not a workspace folder with a composer.json.`);
    return found;
  }
  if (projects.length === 1) return projects[0]!;
  throw new UserError(projects.length === 0 ? 'No workspace folder has a composer.json: pass "target": "global".' : 'Several workspace folders have a composer.json: pass "folder".');
}
