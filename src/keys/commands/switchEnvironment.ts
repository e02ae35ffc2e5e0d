import type { EnvironmentId } from '../../eqp/environments';
import { isEnvironmentId } from '../../eqp/environments';
import { UserError } from '../../util/errors';
import { KeyCommandDeps } from './deps';
import { isScripted } from './scripted';
import { pickEnvironmentWithCounts } from './pickers';

/** `eqp.environment.switch`: the active environment (a user setting). Scripted: `{environment}`. */
export class SwitchEnvironmentCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<EnvironmentId | undefined> {
    let env: EnvironmentId | undefined;
    if (isScripted(arg) || typeof arg === 'string') {
      const v = typeof arg === 'string' ? arg : arg.environment;
      if (!isEnvironmentId(v)) throw new UserError(`Unknown environment ${JSON.stringify(v)}: use "production" or "sandbox".`);
      env = v;
    } else {
      env = await pickEnvironmentWithCounts(this.deps.store, this.deps.settings.activeEnvironment, 'Switch the active EQP environment');
    }
    if (!env) return undefined;
    await this.deps.settings.setActiveEnvironment(env);
    return env;
  }
}
