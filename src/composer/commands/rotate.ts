import * as vscode from 'vscode';
import { confirmDestructive, isScripted, scriptedString } from '../../keys/commands/scripted';
import { UserError } from '../../util/errors';
import { type AuthJsonTarget, composerHost, globalTarget, projectTargets } from '../authJsonUsage';
import { type ComposerKeyRecord, labelProblem, nextLabel } from '../composerService';
import { type AuthJsonWritten, showAuthJsonError, writeKey } from './authJsonWriter';
import { type ComposerCommandDeps, envLabel, keyArgument, resolveKey, withProgress } from './common';

export interface RotateResult {
  key: ComposerKeyRecord;
  replaced: ComposerKeyRecord;
  written: AuthJsonWritten[];
  oldDisabled: boolean;
}

/**
 * `eqp.composer.rotate`: creates a new key (label suggested from the old one, same owner), writes it into every
 * auth.json that holds the old one (the workspace folders' and the global one), then offers to disable the old
 * key. Where the old key was written nowhere, it offers to write the new one. Scripted: `{environment, label,
 * uid?, newLabel?, disableOld?}`; returns both public records and the files written.
 */
export class RotateComposerKeyCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<RotateResult | undefined> {
    const scripted = isScripted(arg);
    const old = await resolveKey(this.deps, arg, 'Rotate Composer Key');
    if (!old) return undefined;
    const env = old.environment;
    const taken = (this.deps.model.keys(env) ?? []).filter((k) => k.uid === old.uid).map((k) => k.label);
    let label: string | undefined;
    if (scripted) {
      const a = arg as Record<string, unknown>;
      label = a.newLabel === undefined ? nextLabel(old.label, taken) : scriptedString(a, 'newLabel');
      const problem = labelProblem(label, taken);
      if (problem) throw new UserError(problem);
    } else {
      const suggested = nextLabel(old.label, taken);
      label = await vscode.window.showInputBox({
        title: `Rotate "${old.label}": Label of the New Key`,
        prompt: 'The new key replaces the old one in every auth.json that uses it; then you can disable the old one.',
        value: suggested,
        valueSelection: [0, suggested.length],
        ignoreFocusOut: true,
        validateInput: (v) => labelProblem(v, taken),
      });
      if (label === undefined) return undefined;
    }
    const host = composerHost(env);
    await this.deps.usage.refresh();
    const files = host === undefined ? [] : this.deps.usage.usedBy(env, old.userKey);
    const targets = await targetsFor(files);
    if (scripted) {
      const disableOld = (arg as Record<string, unknown>).disableOld === true;
      await confirmDestructive(
        arg,
        'Rotate',
        `Rotate the ${envLabel(env)} Composer key "${old.label}"?`,
        `A new key "${label}" is created` +
          (files.length > 0 ? ` and replaces "${old.label}" in ${files.join(', ')}` : '') +
          (disableOld ? `; then "${old.label}" is disabled, and anything else that still uses it stops working.` : '.'),
      );
    }
    const newLabel = label;
    const written: AuthJsonWritten[] = [];
    const created = await withProgress(`Rotating "${old.label}": creating "${newLabel}"…`, async (signal) => {
      const { record, password } = await this.deps.service.create(env, newLabel, old.uid, signal);
      this.deps.model.put(record);
      for (const target of targets) {
        try {
          const w = await writeKey(target, host!, record, () => Promise.resolve(password), { scripted: true, replace: true });
          if (w) written.push(w);
        } catch (e) {
          // The new key exists; say which file could not take it, and go on with the others.
          if (scripted) throw e;
          if (!showAuthJsonError(e)) void vscode.window.showErrorMessage(`Could not write "${newLabel}" to ${target.file}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      return record;
    });
    void this.deps.usage.refresh();
    this.deps.logger.info(`rotated Composer key "${old.label}" to "${created.label}" (${env}); written to ${written.length} auth.json file(s)`);
    let oldDisabled = false;
    if (scripted) {
      if ((arg as Record<string, unknown>).disableOld === true) {
        this.deps.model.put(await this.deps.service.setEnabled(env, old, false));
        oldDisabled = true;
      }
      return { key: created, replaced: old, written, oldDisabled };
    }
    await this.deps.reveal(created);
    if (written.length === 0) {
      const choice = await vscode.window.showInformationMessage(
        `Created "${created.label}" (${envLabel(env)}). "${old.label}" was not written in any auth.json EQP Keys can see, so nothing was replaced.`,
        'Write to auth.json…',
      );
      if (choice) await vscode.commands.executeCommand('eqp.composer.writeAuthJson', keyArgument(created));
      return { key: created, replaced: old, written, oldDisabled };
    }
    const choice = await vscode.window.showInformationMessage(
      `Rotated: "${created.label}" replaced "${old.label}" in ${written.map((w) => w.file).join(', ')}. Disable "${old.label}" now? Anything else that still uses it stops working.`,
      'Disable Old Key',
      'Keep Enabled',
    );
    if (choice === 'Disable Old Key') {
      const updated = await withProgress(`Disabling "${old.label}"…`, (signal) => this.deps.service.setEnabled(env, old, false, signal));
      this.deps.model.put(updated);
      oldDisabled = true;
    }
    return { key: created, replaced: old, written, oldDisabled };
  }
}

async function targetsFor(files: string[]): Promise<AuthJsonTarget[]> {
  const projects = await projectTargets();
  const global = globalTarget();
  return files.map((file) => projects.find((t) => t.file === file) ?? (file === global.file ? global : { file, kind: 'project' as const }));
}
