import * as vscode from 'vscode';
import { environmentInfo } from '../../eqp/environments';
import { scriptedKey } from '../../keys/commands/scripted';
import type { KeyRecord } from '../../keys/keyStore';
import { KeyNode } from '../../keys/tree';
import { formatTime } from '../../util/time';
import type { CachedToken } from '../tokenService';
import { TokenCommandDeps, isScripted } from './deps';

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
    const held = await tokens.load(targets.map((k) => k.id));
    const cached = targets.map((k, i) => ({ key: k, token: held[i] }));
    for (const k of targets) await tokens.forget(k.id);
    if (isScripted(arg) && arg.all === true) await tokens.forget();
    const forgotten = cached.filter((c) => c.token).map((c) => ({ environment: c.key.environment, keyName: c.key.name }));
    this.deps.logger.info(`forgot the cached session tokens of ${forgotten.length} key(s)`);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(discard) EQP: ${summary(cached, this.deps.clock.now())}`, 6000);
    return { forgotten };
  }

  /**
   * One key per row, the active environment's first and the first row never "all": Enter on the preselected row
   * forgets one token at most. "All keys" is the last row and asks first.
   */
  private async pick(): Promise<KeyRecord[] | undefined> {
    const keys = this.deps.store.list();
    if (keys.length === 0) {
      void vscode.window.showInformationMessage('There are no API access keys, so no session tokens are cached.');
      return undefined;
    }
    const now = this.deps.clock.now();
    const activeEnv = this.deps.settings.activeEnvironment;
    keys.sort((a, b) => Number(b.environment === activeEnv) - Number(a.environment === activeEnv));
    const held = await this.deps.tokens.load(keys.map((k) => k.id));
    const withTokens = keys.map((k, i) => ({ key: k, token: held[i] }));
    const cachedCount = withTokens.filter((w) => w.token).length;
    type Item = vscode.QuickPickItem & { keys?: KeyRecord[] };
    const items: Item[] = [
      ...withTokens.map(({ key, token }) => ({
        label: key.name,
        description: `${environmentInfo(key.environment).label} · ${key.applicationId}`,
        detail: token ? (token.expiresAt > now ? `token valid until ${formatTime(token.expiresAt)}` : 'token expired') : 'no token cached',
        keys: [key],
      })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(discard) All keys…', description: `${cachedCount} cached`, detail: 'Forget every cached session token (asks first)', keys },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Forget Cached Session Token', placeHolder: 'Whose cached session token should VS Code forget?', matchOnDescription: true });
    if (!picked?.keys) return undefined;
    if (picked.keys.length > 1 && cachedCount > 0) {
      const sure = await vscode.window.showWarningMessage(
        `Forget ${cachedCount === 1 ? 'the cached session token' : `all ${cachedCount} cached session tokens`}?`,
        { modal: true, detail: 'Tokens already handed out stay valid at the EQP API until they expire. The next Insert, Copy or task mints a new one (one request each).' },
        'Forget All',
      );
      if (sure !== 'Forget All') return undefined;
    }
    return picked.keys;
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
