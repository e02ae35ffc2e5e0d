import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { scriptedKey } from '../../keys/commands/shared';
import type { KeyRecord } from '../../keys/keyStore';
import { KeyNode } from '../../keys/tree';
import { formatTime } from '../../util/time';
import type { CachedToken } from '../tokenService';
import { TokenCommandDeps, isScripted } from './shared';

export interface ForgetResult {
  /** Keys whose cached token was dropped. */
  forgotten: { environment: string; keyName: string }[];
}

/**
 * `eqp.token.forget`: drops cached session tokens from VS Code's secret storage, of one key (its tree node,
 * `{environment, name}` / `{environment, applicationId}`, or a QuickPick) or of all keys (`{all: true}`, or
 * "All keys" in the QuickPick). A token already obtained stays valid at the EQP API until it expires; the next
 * use mints a new one.
 */
export class ForgetTokenCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(arg?: unknown): Promise<ForgetResult | undefined> {
    const { store, tokens } = this.deps;
    let targets: KeyRecord[];
    if (arg instanceof KeyNode) {
      const key = store.get(arg.key.id);
      targets = key ? [key] : [];
    } else if (isScripted(arg)) {
      targets = arg.all === true ? store.list() : [scriptedKey(store, arg)];
    } else {
      const picked = await this.pick();
      if (!picked) return undefined;
      targets = picked;
    }
    const cached = await Promise.all(targets.map(async (k) => ({ key: k, token: await tokens.cachedFor(k.id) })));
    for (const k of targets) await tokens.forget(k.id);
    if (isScripted(arg) && arg.all === true) await tokens.forget();
    const forgotten = cached.filter((c) => c.token).map((c) => ({ environment: c.key.environment, keyName: c.key.name }));
    this.deps.logger.info(`forgot the cached session tokens of ${forgotten.length} key(s)`);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(discard) EQP: ${summary(cached, Date.now())}`, 6000);
    return { forgotten };
  }

  private async pick(): Promise<KeyRecord[] | undefined> {
    const keys = this.deps.store.list();
    if (keys.length === 0) {
      void vscode.window.showInformationMessage('There are no API access keys, so no session tokens are cached.');
      return undefined;
    }
    const now = Date.now();
    const withTokens = await Promise.all(keys.map(async (k) => ({ key: k, token: await this.deps.tokens.cachedFor(k.id) })));
    const items: (vscode.QuickPickItem & { keys: KeyRecord[] })[] = [
      { label: '$(discard) All keys', description: `${withTokens.filter((w) => w.token).length} cached`, keys },
      ...withTokens.map(({ key, token }) => ({
        label: key.name,
        description: `${environmentInfo(key.environment).label} · ${key.applicationId}`,
        detail: token ? (token.expiresAt > now ? `token valid until ${formatTime(token.expiresAt)}` : 'token expired') : 'no token cached',
        keys: [key],
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Forget Cached Session Token', placeHolder: 'Whose cached session token should VS Code forget?', matchOnDescription: true });
    return picked?.keys;
  }
}

function summary(cached: { key: KeyRecord; token: CachedToken | undefined }[], now: number): string {
  const had = cached.filter((c) => c.token);
  if (had.length === 0) return cached.length === 1 ? `"${cached[0]!.key.name}" had no cached session token` : 'no session tokens were cached';
  const live = had.filter((c) => c.token!.expiresAt > now);
  const which = had.length === 1 ? `the session token of "${had[0]!.key.name}" (${environmentInfo(had[0]!.key.environment).label})` : `${had.length} session tokens`;
  const still = live.length === 1 ? ` It stays valid at the EQP API until ${formatTime(live[0]!.token!.expiresAt)}.` : live.length > 1 ? ' They stay valid at the EQP API until they expire.' : '';
  return `forgot ${which}; the next use mints a new one.${still}`;
}
