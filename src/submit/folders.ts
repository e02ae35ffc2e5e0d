// Which package folder a submit, build or init command acts on: the Explorer's folder, a scripted `folder`, the
// only candidate, or a pick among the workspace's folders that hold a composer.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isScripted } from '../keys/commands/scripted';
import { UserError } from '../util/errors';

import { SUBMISSION_FILE } from './spec';
const SKIP = '**/{vendor,node_modules,.git}/**';

/** The package root (absolute path): must hold a composer.json. */
export async function resolvePackageFolder(arg: unknown, title: string): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return checked(await folderOf(arg.fsPath));
  if (isScripted(arg) && arg.folder !== undefined) {
    if (typeof arg.folder !== 'string' || arg.folder.trim() === '') throw new UserError('The "folder" argument must be the package folder\'s path (absolute, or relative to a workspace folder).');
    return checked(scriptedFolder(arg.folder));
  }
  const candidates = await packageFolders();
  if (candidates.length === 0) {
    throw new UserError('No folder of this workspace holds a composer.json. Open the package\'s folder (the one with composer.json), or run the command from its context menu in the Explorer.');
  }
  if (candidates.length === 1 || isScripted(arg)) return candidates[0]?.root;
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => ({ label: c.name ?? path.basename(c.root), description: vscode.workspace.asRelativePath(c.root), detail: c.hasSpec ? `${SUBMISSION_FILE} present` : `no ${SUBMISSION_FILE} yet`, root: c.root })),
    { title, placeHolder: 'Which package? (folders with a composer.json)', matchOnDescription: true },
  );
  return picked?.root;
}

async function folderOf(p: string): Promise<string> {
  const stat = await fs.promises.stat(p).catch(() => undefined);
  if (!stat) throw new UserError(`${p} does not exist.`);
  return stat.isDirectory() ? p : path.dirname(p);
}

function scriptedFolder(folder: string): string {
  if (path.isAbsolute(folder)) return folder;
  for (const wf of vscode.workspace.workspaceFolders ?? []) {
    const candidate = path.join(wf.uri.fsPath, folder);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new UserError(`No workspace folder has a folder ${folder}.`);
}

async function checked(root: string): Promise<string> {
  if (!fs.existsSync(path.join(root, 'composer.json'))) {
    throw new UserError(`${vscode.workspace.asRelativePath(root)} has no composer.json: choose the package's root folder (the one with composer.json).`);
  }
  return root;
}

interface Candidate {
  root: string;
  name?: string;
  hasSpec: boolean;
}

/** Folders of the workspace with a composer.json (not under vendor/node_modules), those with eqp-submission.json first. */
async function packageFolders(): Promise<Candidate[]> {
  const found = await vscode.workspace.findFiles('**/composer.json', SKIP, 200);
  const out: Candidate[] = [];
  for (const uri of found) {
    const root = path.dirname(uri.fsPath);
    let name: string | undefined;
    try {
      const json = JSON.parse(await fs.promises.readFile(uri.fsPath, 'utf8')) as { name?: unknown };
      name = typeof json.name === 'string' ? json.name : undefined;
    } catch {
      name = undefined;
    }
    out.push({ root, name, hasSpec: fs.existsSync(path.join(root, SUBMISSION_FILE)) });
  }
  return out.sort((a, b) => Number(b.hasSpec) - Number(a.hasSpec) || a.root.localeCompare(b.root));
}
