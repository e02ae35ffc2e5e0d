import * as vscode from 'vscode';
import type { EnvironmentId } from '../../eqp/environments';
import { UserError } from '../../util/errors';
import { unlinkText } from '../../util/markdown';
import { Step, inputStep, pickStep } from '../../util/prompts';
import { checkName } from '../credentials';
import { KeyRecord, MAX_KEYS_PER_ENVIRONMENT, duplicateIdMessage, keyLimitMessage } from '../keyStore';
import { EnvironmentNode } from '../tree';
import { KeyCommandDeps } from './deps';
import { Verified, verifiedText, verifyInteractively, verifyScripted } from './verification';
import { isScripted, scriptedEnvironment, scriptedPair, scriptedString } from './scripted';
import { label, pickEnvironmentWithCounts } from './pickers';
import { promptPair } from './pairPrompt';

/**
 * `eqp.keys.create`: keys are made in the Developer Portal only, so this guides the user there, takes the pair
 * the portal shows, proves it works by minting a token, and stores it. Scripted:
 * `{environment, name, applicationId, applicationSecret, verify?: boolean, saveUnverified?: boolean}`.
 */
export class CreateKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    return isScripted(arg) ? this.scripted(arg) : this.guided(arg instanceof EnvironmentNode ? arg.environment : undefined);
  }

  private async scripted(args: Record<string, unknown>): Promise<KeyRecord> {
    const env = scriptedEnvironment(args)!;
    if (this.deps.store.count(env) >= MAX_KEYS_PER_ENVIRONMENT) throw new UserError(keyLimitMessage(env));
    const name = checkName(scriptedString(args, 'name'), this.deps.store.list(env).map((k) => k.name));
    if (!name.ok) throw new UserError(name.message);
    const pair = scriptedPair(args);
    const clash = this.deps.store.list().find((k) => k.applicationId === pair.applicationId);
    if (clash) throw new UserError(duplicateIdMessage(pair.applicationId, clash));
    const verified = await verifyScripted(this.deps, env, pair, args);
    return this.save(env, name.value, verified);
  }

  /** The guided flow; `preset` skips the environment step (an environment row, or an extension asking for a session). */
  async guided(preset?: EnvironmentId): Promise<KeyRecord | undefined> {
    const { store, settings } = this.deps;
    // Five steps (four when the environment row was the starting point): environment, name, portal, ID, secret.
    const total = preset ? 4 : 5;
    const at = (n: number): Step => ({ step: preset ? n - 1 : n, totalSteps: total });
    const env = preset ?? (await pickEnvironmentWithCounts(store, settings.activeEnvironment, 'Create API Access Key: environment', true, at(1)));
    if (!env) return undefined;
    const title = `Create ${label(env)} API Access Key`;
    if (store.count(env) >= MAX_KEYS_PER_ENVIRONMENT) {
      const choice = await vscode.window.showErrorMessage(keyLimitMessage(env), 'Regenerate a Key…', 'Delete a Key…');
      if (choice === 'Regenerate a Key…') await vscode.commands.executeCommand('eqp.keys.regenerate');
      if (choice === 'Delete a Key…') await vscode.commands.executeCommand('eqp.keys.delete');
      return undefined;
    }
    const existing = store.list(env).map((k) => k.name);
    const nameInput = await inputStep({
      title: `${title}: name`,
      prompt: 'A name of your own for this key, the same as its "API Key Name" in the portal (e.g. CI, Laptop).',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const r = checkName(v, existing);
        return r.ok ? undefined : r.message;
      },
    }, at(2));
    if (nameInput === undefined) return undefined;
    const name = checkName(nameInput, existing);
    if (!name.ok) throw new UserError(name.message);

    const portalUrl = settings.portalUrl(env);
    const step = await pickStep(
      [
        { label: `$(link-external) Open the ${label(env)} Developer Portal`, detail: `There: Account → Manage API Keys, create "${name.value}", copy the pair`, id: 'open' },
        { label: '$(key) I have the application ID and secret', detail: 'The portal already showed me the pair', id: 'have' },
      ],
      { title: `${title}: get the pair from the portal`, placeHolder: 'Keys are made in the Developer Portal only', ignoreFocusOut: true },
      at(3),
    );
    if (!step) return undefined;
    if (step.id === 'open') await vscode.env.openExternal(vscode.Uri.parse(portalUrl));

    const steps = { id: at(4), secret: at(5) };
    const pair = await promptPair(store, env, title, undefined, undefined, steps);
    if (!pair) return undefined;
    const verified = await verifyInteractively(this.deps, env, name.value, pair, title, undefined, steps);
    if (!verified) return undefined;
    const key = await this.save(env, name.value, verified);
    await this.deps.reveal?.(key.id).catch(() => undefined);
    // The profile name in verifiedText comes from the server: a notification would make a [link](command:…) of it.
    void vscode.window.showInformationMessage(unlinkText(`Saved API access key "${key.name}" (${label(env)}), ${verifiedText(key)}.`));
    return key;
  }

  private async save(env: EnvironmentId, name: string, v: Verified): Promise<KeyRecord> {
    // The token the verification minted is cached under the new key's id before the key exists: whatever the new
    // key wakes up (the status bar, the Composer Keys view listing its account) finds it and mints no second one.
    const id = this.deps.store.newKeyId();
    const tokens = this.deps.tokens;
    if (v.token && tokens) await tokens.adopt({ id, environment: env, name, applicationId: v.pair.applicationId }, v.token.token, v.token.requestedAt).catch(() => undefined);
    let key: KeyRecord;
    try {
      key = await this.deps.store.add({ id, environment: env, name, applicationId: v.pair.applicationId, applicationSecret: v.pair.applicationSecret, verification: v.verification });
    } catch (e) {
      if (v.token) await tokens?.forget(id).catch(() => undefined);
      throw e;
    }
    this.deps.logger.info(`created key "${key.name}" (${env}, ${key.applicationId}), ${key.state}`);
    return key;
  }
}
