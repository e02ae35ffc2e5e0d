// What every token command gets injected, and the steps they share: getting the token (with progress and the
// failure shown), the environment a command is about, what a script gets back, the inserted text.
import type { Settings } from '../../config';
import { type EnvironmentId, isEnvironmentId } from '../../eqp/environments';
import { isScripted } from '../../keys/commands/scripted';
import type { KeyStore } from '../../keys/keyStore';
import { EnvironmentNode, KeyNode } from '../../keys/tree';
import { UserError } from '../../util/errors';
import type { Logger } from '../../util/logger';
import type { Clock } from '../../util/clock';
import type { ClipboardGuard } from '../clipboard';
import type { TokenProgress } from '../tokenProgress';
import { formatToken } from '../format';
import type { TokenSettings } from '../tokenSettings';
import type { CachedToken, TokenService } from '../tokenService';

export interface TokenCommandDeps {
  tokens: TokenService;
  progress: TokenProgress;
  store: KeyStore;
  settings: Settings;
  tokenSettings: TokenSettings;
  clipboard: ClipboardGuard;
  logger: Logger;
  clock: Clock;
}

/**
 * The token a command works with: for a person, a failure is shown with the action that fixes it (and
 * undefined comes back); for a script (`{environment?}` argument), it is thrown. `again` reruns the command.
 */
export async function obtainForCommand(
  deps: TokenCommandDeps,
  arg: unknown,
  env: EnvironmentId,
  again: () => Promise<unknown>,
  opts: { forceNew?: boolean } = {},
): Promise<CachedToken | undefined> {
  try {
    return await deps.progress.obtain(env, opts);
  } catch (e) {
    if (isScripted(arg)) throw e;
    await deps.progress.showFailure(e, env, again);
    return undefined;
  }
}

/** What a token command returns to a script: everything about the token except the token. */
export interface TokenInfo {
  environment: EnvironmentId;
  keyName: string;
  mageId: string;
  expiresAt: number;
}

export function tokenInfo(t: CachedToken): TokenInfo {
  return { environment: t.environment, keyName: t.keyName, mageId: t.mageId, expiresAt: t.expiresAt };
}

/**
 * The environment a token command is about: `{environment}` from a script (or a task's `inputs` args), a tree
 * node's environment, else the active one. Only a string `environment` counts, so an unrelated object a caller
 * passes along (VS Code hands some commands the launch configuration) does not break the command.
 */
export function environmentOf(arg: unknown, settings: Settings): EnvironmentId {
  if (arg instanceof EnvironmentNode) return arg.environment;
  if (arg instanceof KeyNode) return arg.key.environment;
  if (isScripted(arg) && typeof arg.environment === 'string') {
    if (!isEnvironmentId(arg.environment)) throw new UserError(`Unknown environment ${JSON.stringify(arg.environment)}: use "production" or "sandbox".`);
    return arg.environment;
  }
  return settings.activeEnvironment;
}

/** The token as `eqp.token.insertFormat` wants it inserted. */
export function formatted(deps: TokenCommandDeps, t: CachedToken): string {
  let apiUrl = '';
  try {
    apiUrl = deps.settings.apiUrl(t.environment);
  } catch {
    // An invalid URL setting could not have minted this token; leave ${apiUrl} empty rather than fail.
  }
  const r = formatToken(deps.tokenSettings.insertFormat, { token: t.token, mageId: t.mageId, apiUrl, environment: t.environment });
  if (!r.ok) throw new UserError(r.message);
  return r.text;
}

export { isScripted };
