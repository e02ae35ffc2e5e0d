import { TokenCommandDeps, environmentOf } from './deps';

/**
 * `eqp.token.get`: RETURNS the token string, for `${command:eqp.token.get}` in tasks.json and launch.json (or an
 * `inputs` entry of type "command" with `"args": {"environment": "sandbox"}`) and for other extensions. Uses the
 * cached token while fresh; a request shows a cancellable progress notification. Errors are thrown to the caller
 * (a task then does not run), never swallowed.
 */
export class GetTokenCommand {
  constructor(private readonly deps: TokenCommandDeps) {}

  async run(arg?: unknown): Promise<string> {
    const env = environmentOf(arg, this.deps.settings);
    const token = await this.deps.progress.obtain(env);
    return token.token;
  }
}
