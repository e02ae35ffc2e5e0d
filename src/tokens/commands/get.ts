import type { TokenCommandAccess } from '../commandAccess';
import { NoKeyError } from '../tokenProgress';
import { TokenCommandDeps, environmentOf } from './deps';

/**
 * `eqp.token.get`: RETURNS the token string, for `${command:eqp.token.get}` in tasks.json and launch.json (or an
 * `inputs` entry of type "command" with `"args": {"environment": "sandbox"}`) and for scripts. The first call per
 * workspace and environment asks the user (TokenCommandAccess; setting eqp.token.commandAccess). Uses the cached
 * token while fresh; a request shows a cancellable progress notification. Errors are thrown to the caller (a task
 * then does not run), never swallowed.
 */
export class GetTokenCommand {
  constructor(
    private readonly deps: TokenCommandDeps,
    private readonly access: TokenCommandAccess,
  ) {}

  async run(arg?: unknown): Promise<string> {
    const env = environmentOf(arg, this.deps.settings);
    const keyId = this.deps.store.activeKeyId(env);
    const key = keyId === undefined ? undefined : this.deps.store.get(keyId);
    // No key, no question: the caller learns what is missing first.
    if (!key) throw new NoKeyError(env);
    await this.access.check(env, key.mageId ?? `the account of the key "${key.name}"`);
    const token = await this.deps.progress.obtain(env);
    return token.token;
  }
}
