import * as vscode from 'vscode';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { UserError } from '../util/errors';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { CommandAccess } from './tokenSettings';

/** Where the grants are kept (globalState: no secret in them, and the same for every window). */
export const GRANTS_KEY = 'eqp.token.commandAccessGrants';

/** A workspace as consent knows it: its workspace file, else its (first) folder, else "no folder". */
export interface WorkspaceRef {
  /** A URI string, or `no-folder`. */
  id: string;
  /** For people: the workspace's or folder's name. */
  label: string;
}

/** "Allow" for one workspace and environment, remembered until revoked. */
export interface AccessGrant extends WorkspaceRef {
  environment: EnvironmentId;
  /** ms since epoch. */
  grantedAt: number;
}

export interface CommandAccessDeps {
  memento: vscode.Memento;
  mode(): CommandAccess;
  clock: Clock;
  logger: Logger;
  /** The workspace the current window has open; default: from vscode.workspace. */
  workspace?(): WorkspaceRef;
  /** Whether the user trusts the workspace; default vscode.workspace.isTrusted. */
  trusted?(): boolean;
}

export const ALLOW = 'Allow';
export const ALLOW_ONCE = 'Allow Once';

/**
 * Consent for `eqp.token.get`, the command tasks, launch configurations and scripts reach the token through. A
 * command cannot know who called it, so this is not a wall against other extensions (their door is the
 * authentication provider); it makes a cloned repository's tasks.json that reaches for the token visible before it
 * gets one. The first call per workspace and environment asks (a modal naming both and what the token allows):
 * Allow (remembered), Allow Once, or Cancel (the caller gets an error and no token). Setting
 * `eqp.token.commandAccess`: ask (default), allow, deny.
 */
export class TokenCommandAccess {
  /** One question per workspace and environment at a time: calls made meanwhile wait for its answer. */
  private readonly asking = new Map<string, Promise<void>>();

  constructor(private readonly deps: CommandAccessDeps) {}

  /** Resolves when `env`'s token may be handed to this call; throws a UserError (nothing handed out) otherwise. */
  async check(env: EnvironmentId, account: string): Promise<void> {
    const label = environmentInfo(env).label;
    // Restricted Mode first: not even "allow" hands a token to an untrusted workspace's tasks.
    if (!(this.deps.trusted?.() ?? vscode.workspace.isTrusted)) {
      throw new UserError(
        `EQP Keys did not give the ${label} session token: this workspace is in Restricted Mode. Trust the workspace (Manage Workspace Trust) if its tasks and launch configurations may have the token.`,
      );
    }
    const mode = this.deps.mode();
    if (mode === 'allow') return;
    if (mode === 'deny') {
      throw new UserError(
        `EQP Keys did not give the ${label} session token: the setting eqp.token.commandAccess is "deny", so tasks, launch configurations and scripts get no token. Extensions can ask through VS Code's authentication API (provider "eqp").`,
      );
    }
    const ws = this.workspace();
    if (this.grants().some((g) => g.id === ws.id && g.environment === env)) return;
    const slot = `${ws.id}\n${env}`;
    let pending = this.asking.get(slot);
    if (!pending) {
      pending = this.ask(ws, env, account).finally(() => this.asking.delete(slot));
      this.asking.set(slot, pending);
    }
    return pending;
  }

  private async ask(ws: WorkspaceRef, env: EnvironmentId, account: string): Promise<void> {
    const label = environmentInfo(env).label;
    const where = ws.id === NO_FOLDER ? 'this window (no folder open)' : `the workspace "${ws.label}"`;
    const answer = await vscode.window.showWarningMessage(
      `Give the EQP ${label} session token to a task, launch configuration or script of ${where}?`,
      {
        modal: true,
        detail:
          `Something in ${where} ran "eqp.token.get" (for example \${command:eqp.token.get} in tasks.json or launch.json). ` +
          `With the token, it can call the EQP ${label} API as ${account} until the token expires: read your profile and submissions, submit packages, and manage your Composer keys.\n\n` +
          `"${ALLOW}" remembers your answer for this workspace and ${label}; review it with "EQP: Manage Session Token Access…". Production and Sandbox are asked separately.`,
      },
      ALLOW,
      ALLOW_ONCE,
    );
    if (answer === ALLOW) {
      await this.grant(ws, env);
      this.deps.logger.info(`token access: allowed ${env} for ${ws.label}`);
      return;
    }
    if (answer === ALLOW_ONCE) {
      this.deps.logger.info(`token access: allowed ${env} once for ${ws.label}`);
      return;
    }
    this.deps.logger.info(`token access: ${env} refused for ${ws.label}`);
    throw new UserError(`EQP Keys did not give the ${label} session token: access was not allowed for ${where}. Run it again and choose "${ALLOW}" or "${ALLOW_ONCE}".`);
  }

  /** What was allowed, newest first. */
  grants(): AccessGrant[] {
    const raw = this.deps.memento.get<unknown>(GRANTS_KEY);
    if (!Array.isArray(raw)) return [];
    return raw.filter(isGrant).sort((a, b) => b.grantedAt - a.grantedAt);
  }

  async revoke(which: readonly Pick<AccessGrant, 'id' | 'environment'>[]): Promise<void> {
    const gone = (g: AccessGrant): boolean => which.some((w) => w.id === g.id && w.environment === g.environment);
    await this.deps.memento.update(GRANTS_KEY, this.grants().filter((g) => !gone(g)));
    for (const g of which) this.deps.logger.info(`token access: revoked ${g.environment} for ${g.id === NO_FOLDER ? 'no folder' : g.id}`);
  }

  private async grant(ws: WorkspaceRef, env: EnvironmentId): Promise<void> {
    const others = this.grants().filter((g) => !(g.id === ws.id && g.environment === env));
    await this.deps.memento.update(GRANTS_KEY, [...others, { ...ws, environment: env, grantedAt: this.deps.clock.now() }]);
  }

  private workspace(): WorkspaceRef {
    return this.deps.workspace?.() ?? currentWorkspace();
  }
}

const NO_FOLDER = 'no-folder';

/** The workspace file (a saved multi-root workspace), else the first folder, else "no folder". */
export function currentWorkspace(): WorkspaceRef {
  const file = vscode.workspace.workspaceFile;
  if (file && file.scheme !== 'untitled') {
    return { id: file.toString(), label: vscode.workspace.name ?? file.path.split('/').pop() ?? file.toString() };
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) return { id: folder.uri.toString(), label: folder.name };
  return { id: NO_FOLDER, label: 'no folder' };
}

function isGrant(x: unknown): x is AccessGrant {
  if (typeof x !== 'object' || x === null) return false;
  const g = x as Record<string, unknown>;
  return typeof g.id === 'string' && typeof g.label === 'string' && (g.environment === 'production' || g.environment === 'sandbox') && typeof g.grantedAt === 'number';
}
