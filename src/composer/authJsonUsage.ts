import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentId } from '../eqp/environments';
import { userSetting } from '../config';
import { Disposable } from '../util/lifecycle';
import { SerialRunner } from '../util/serialRunner';
import { globalAuthJsonPath, readAuthJson, usernameFor } from './authJson';
import { hostProblem } from './composerService';

export { hostProblem };

/** The Composer repository host of production keys (documented); the sandbox's is a setting. */
export const PRODUCTION_COMPOSER_HOST = 'repo.magento.com';
export const SANDBOX_HOST_SETTING = 'sandbox.composerRepositoryHost';

/** Where an environment's Composer keys are used: production's host is documented, the sandbox's is set by the user. */
export function composerHost(env: EnvironmentId): string | undefined {
  if (env === 'production') return PRODUCTION_COMPOSER_HOST;
  const v = userSetting<string>(SANDBOX_HOST_SETTING);
  return typeof v === 'string' && hostProblem(v) === undefined ? v.trim() : undefined;
}

export interface AuthJsonTarget {
  /** The auth.json file (it may not exist yet). */
  file: string;
  kind: 'project' | 'global';
  /** The workspace folder of a project file. */
  folder?: vscode.WorkspaceFolder;
}

/** The project auth.json files: one per workspace folder that has a composer.json at its root. */
export async function projectTargets(): Promise<AuthJsonTarget[]> {
  const targets: AuthJsonTarget[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, 'composer.json'));
      targets.push({ file: path.join(folder.uri.fsPath, 'auth.json'), kind: 'project', folder });
    } catch {
      // no composer.json: not a Composer project
    }
  }
  return targets;
}

export function globalTarget(): AuthJsonTarget {
  return { file: globalAuthJsonPath(), kind: 'global' };
}

/**
 * Which auth.json files (the workspace folders' and the global one) use which public key for each environment's
 * host, so the view can mark the keys a project depends on. Re-read when one of them changes on disk or the
 * sandbox host setting changes. Reads only the usernames; passwords are not kept.
 */
export class AuthJsonUsage extends Disposable {
  private readonly emitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;
  /** file → host → username */
  private usage = new Map<string, Map<string, string>>();
  /** One read at a time; a file read fails quietly (that file then marks nothing). */
  private readonly reader = new SerialRunner(() => this.readAll(), () => undefined, () => this.isDisposed);
  private started = false;

  /** Starts watching and reading (when the view is first shown, never at activation). */
  start(): void {
    if (this.started || this.isDisposed) return;
    this.started = true;
    this.register({ dispose: () => this.reader.cancel() });
    // File events come in bursts (a rename is a delete and a create): merged into one read.
    const onChange = (): void => this.reader.schedule();
    const project = this.register(vscode.workspace.createFileSystemWatcher('**/auth.json'));
    const home = path.dirname(globalAuthJsonPath());
    const global = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(home), 'auth.json')));
    for (const w of [project, global]) {
      this.register(w.onDidCreate(onChange));
      this.register(w.onDidChange(onChange));
      this.register(w.onDidDelete(onChange));
    }
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(onChange));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`eqp.${SANDBOX_HOST_SETTING}`)) onChange(); }));
    void this.refresh();
  }

  /** The files whose entry for `env`'s host has this username. */
  usedBy(env: EnvironmentId, userKey: string): string[] {
    const host = composerHost(env);
    if (host === undefined) return [];
    return [...this.usage].filter(([, hosts]) => hosts.get(host) === userKey).map(([file]) => file);
  }

  /** Re-reads now (a write of ours, Refresh); resolves once read. Asks during a read merge into one more read. */
  refresh(): Promise<void> {
    return this.reader.run();
  }

  private async readAll(): Promise<void> {
    const files = new Set<string>([globalAuthJsonPath()]);
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') files.add(path.join(folder.uri.fsPath, 'auth.json'));
    }
    const hosts = [PRODUCTION_COMPOSER_HOST, composerHost('sandbox')].filter((h): h is string => h !== undefined);
    const next = new Map<string, Map<string, string>>();
    for (const file of files) {
      let text: string | undefined;
      try {
        text = (await readAuthJson(file)).text;
      } catch {
        continue;
      }
      const byHost = new Map<string, string>();
      for (const host of hosts) {
        const user = usernameFor(text, host);
        if (user !== undefined) byHost.set(host, user);
      }
      if (byHost.size > 0) next.set(file, byHost);
    }
    if (this.isDisposed) return;
    const changed = JSON.stringify([...next].map(([f, h]) => [f, [...h]])) !== JSON.stringify([...this.usage].map(([f, h]) => [f, [...h]]));
    this.usage = next;
    if (changed) this.emitter.fire();
  }
}
