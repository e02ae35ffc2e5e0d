// Writing a Composer key into an auth.json the way Composer expects, with the git and overwrite questions asked.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../util/errors';
import { AuthJsonError, basicAuthFor, mergeBasicAuth, parseAuthJson, readAuthJson, writeAuthJson } from '../authJson';
import { gitTracking, withGitignoreEntry } from '../gitTracking';
import { type AuthJsonTarget, SANDBOX_HOST_SETTING, composerHost, globalTarget, hostProblem } from '../authJsonUsage';
import type { ComposerKeyRecord } from '../composerService';
import { type ComposerCommandDeps, envLabel, keyArgument } from './common';

/** What a write did (no private key in it). */
export interface AuthJsonWritten {
  file: string;
  host: string;
  kind: AuthJsonTarget['kind'];
  /** false: the file already held this very key for the host. */
  changed: boolean;
}

export interface WriteOptions {
  /** A script: no questions; what a question would decide comes from these flags (default: refuse). */
  scripted: boolean;
  /** Replace an entry of the host that holds another key. */
  replace?: boolean;
  /** For a project file git would track: add it to .gitignore first. */
  addToGitignore?: boolean;
  /** For a project file git already tracks: write anyway. */
  allowTracked?: boolean;
}

/** The host an environment's keys go under; for the sandbox asked once and kept in the user settings. */
export async function hostFor(key: ComposerKeyRecord, scripted: boolean): Promise<string | undefined> {
  const known = composerHost(key.environment);
  if (known !== undefined) return known;
  const why = `Which Composer repository serves the ${envLabel(key.environment)} keys is not documented.`;
  if (scripted) throw new UserError(`${why} Set "eqp.${SANDBOX_HOST_SETTING}" to its host name first.`);
  const host = await vscode.window.showInputBox({
    title: 'Composer Repository Host for Sandbox Keys',
    prompt: `${why} Type its host name (e.g. the one your Adobe contact gave you). It is saved in your user settings (eqp.${SANDBOX_HOST_SETTING}).`,
    placeHolder: 'repo.example.com',
    ignoreFocusOut: true,
    validateInput: hostProblem,
  });
  if (host === undefined) {
    void vscode.window.showInformationMessage(`Nothing was written: sandbox keys need the host of their Composer repository (setting eqp.${SANDBOX_HOST_SETTING}).`);
    return undefined;
  }
  await vscode.workspace.getConfiguration('eqp').update(SANDBOX_HOST_SETTING, host.trim(), vscode.ConfigurationTarget.Global);
  return host.trim();
}

/**
 * Checks a project target against git before anything is written: a file git would track gets "Add to
 * .gitignore and Write" or "Write Global Instead"; a file git tracks already is said to be exposed, with Rotate
 * offered, and is written only after a modal confirmation. Returns the target to write, or undefined (cancelled).
 */
export async function checkGit(deps: ComposerCommandDeps, target: AuthJsonTarget, key: ComposerKeyRecord, opts: WriteOptions): Promise<AuthJsonTarget | undefined> {
  if (target.kind !== 'project') return target;
  const state = await gitTracking(target.file);
  const where = target.folder?.name ?? path.dirname(target.file);
  if (state === 'untracked') {
    if (opts.scripted) {
      if (!opts.addToGitignore) throw new UserError(`${target.file} is not ignored by git, so it would be committed with the keys. Pass "addToGitignore": true, or "target": "global".`);
      await addToGitignore(target.file);
      return target;
    }
    const choice = await vscode.window.showWarningMessage(
      `auth.json in ${where} is not ignored by git.`,
      { modal: true, detail: 'It would be committed with the next "git add", and the private key with it. Add it to .gitignore first, or write the key to your global Composer auth.json instead.' },
      'Add to .gitignore and Write',
      'Write Global Instead',
    );
    if (choice === 'Add to .gitignore and Write') {
      await addToGitignore(target.file);
      return target;
    }
    return choice === 'Write Global Instead' ? globalTarget() : undefined;
  }
  if (state === 'tracked') {
    const exposed = 'It is committed in git: every key ever written to it is in the repository\'s history, readable by everyone who can clone it. Rotate those keys, and stop tracking the file ("git rm --cached auth.json", then add it to .gitignore).';
    if (opts.scripted) {
      if (!opts.allowTracked) throw new UserError(`${target.file}: ${exposed} Pass "allowTracked": true to write it anyway.`);
      return target;
    }
    const choice = await vscode.window.showWarningMessage(`auth.json in ${where} is tracked by git.`, { modal: true, detail: exposed }, 'Write Anyway', 'Rotate Key…');
    if (choice === 'Rotate Key…') {
      void vscode.commands.executeCommand('eqp.composer.rotate', keyArgument(key));
      return undefined;
    }
    return choice === 'Write Anyway' ? target : undefined;
  }
  return target;
}

/** Appends `/auth.json` to the .gitignore beside it, as an undoable edit, saved, and checks git now ignores it. */
async function addToGitignore(authFile: string): Promise<void> {
  const uri = vscode.Uri.file(path.join(path.dirname(authFile), '.gitignore'));
  let doc: vscode.TextDocument | undefined;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch {
    doc = undefined;
  }
  const edit = new vscode.WorkspaceEdit();
  if (doc) {
    const next = withGitignoreEntry(doc.getText());
    if (next !== undefined) edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), next);
  } else {
    edit.createFile(uri, { ignoreIfExists: true });
    edit.insert(uri, new vscode.Position(0, 0), withGitignoreEntry(undefined) ?? '/auth.json\n');
  }
  if (edit.size > 0 && !(await vscode.workspace.applyEdit(edit))) throw new UserError(`Could not add auth.json to ${uri.fsPath}: nothing was written.`);
  const saved = await (await vscode.workspace.openTextDocument(uri)).save();
  if (!saved && (await vscode.workspace.openTextDocument(uri)).isDirty) throw new UserError(`Could not save ${uri.fsPath}: nothing was written.`);
  const state = await gitTracking(authFile);
  if (state !== 'ignored' && state !== 'none') {
    throw new UserError(`${uri.fsPath} now lists auth.json, but git still does not ignore ${authFile} (another rule may re-include it). Nothing was written.`);
  }
}

/**
 * Merges the key into the file (other hosts and keys kept, 4-space indentation, atomic, mode 0600). An entry of
 * the host holding another key is replaced only after a confirmation (or `replace` when scripted). The password
 * is read by `password()` only once nothing stands in the way, and is not kept.
 */
export async function writeKey(
  target: AuthJsonTarget,
  host: string,
  key: ComposerKeyRecord,
  password: () => Promise<string>,
  opts: WriteOptions,
): Promise<AuthJsonWritten | undefined> {
  const snapshot = await readAuthJson(target.file);
  const data = parseAuthJson(snapshot);
  const existing = basicAuthFor(data, host);
  if (existing && existing.username === key.userKey) {
    const secret = await password();
    if (existing.password === secret) return { file: target.file, host, kind: target.kind, changed: false };
  } else if (existing && !opts.replace) {
    if (opts.scripted) throw new UserError(`${target.file} already has credentials for ${host} (username ${existing.username}). Pass "replace": true to replace them.`);
    const choice = await vscode.window.showWarningMessage(
      `Replace the ${host} credentials in ${target.file}?`,
      { modal: true, detail: `It holds the username ${existing.username} for ${host}; it will hold "${key.label}" (${key.userKey}) instead. Every other host and key in the file stays as it is.` },
      'Replace',
    );
    if (choice !== 'Replace') return undefined;
  }
  const text = mergeBasicAuth(snapshot, host, { username: key.userKey, password: await password() });
  // The Composer home may not exist yet (Composer itself creates it on first use); a project folder always does.
  if (target.kind === 'global') await fs.mkdir(path.dirname(target.file), { recursive: true });
  await writeAuthJson(snapshot, text);
  return { file: target.file, host, kind: target.kind, changed: true };
}

/** An auth.json error as the message a person sees, with a way to the spot of a JSON error. */
export function showAuthJsonError(e: unknown): boolean {
  if (!(e instanceof AuthJsonError)) return false;
  const open = e.line !== undefined ? 'Open auth.json' : undefined;
  void vscode.window.showErrorMessage(e.message, ...(open ? [open] : [])).then(async (choice) => {
    if (choice !== open) return;
    const pos = new vscode.Position(Math.max(0, (e.line ?? 1) - 1), Math.max(0, (e.column ?? 1) - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(e.path), { selection: new vscode.Range(pos, pos) });
  });
  return true;
}

export { AuthJsonError };
