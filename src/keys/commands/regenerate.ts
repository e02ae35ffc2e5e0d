import * as vscode from 'vscode';
import { systemClock } from '../../util/clock';
import { UserError } from '../../util/errors';
import { unlinkText } from '../../util/markdown';
import { pickStep } from '../../util/prompts';
import { formatTime } from '../../util/time';
import { KeyRecord } from '../keyStore';
import { KeyCommandDeps } from './deps';
import { Verified, verifiedText, verifyInteractively, verifyScripted } from './verification';
import { confirmDestructive, isScripted, scriptedEnvironment, scriptedPair, scriptedString } from './scripted';
import { label, resolveKey } from './pickers';
import { promptPair } from './pairPrompt';

/**
 * `eqp.keys.regenerate`: after "Regenerate" in the portal the key has a new application ID and secret. Takes
 * the new pair, verifies it, and only then replaces the old one (KeyStore.replacePair stores the new secret
 * before the metadata switches over). Scripted: `{environment, name, applicationId, applicationSecret}` where
 * the pair is the NEW one (`verify`, `saveUnverified` as for create; asked first unless `"confirm": false`);
 * `{environment, name}` alone asks for the pair.
 */
export class RegenerateKeyCommand {
  constructor(private readonly deps: KeyCommandDeps) {}

  async run(arg?: unknown): Promise<KeyRecord | undefined> {
    const { store } = this.deps;
    // A scripted call with the new pair runs without prompts; `{environment, name}` alone picks the key and asks.
    if (isScripted(arg) && ('applicationId' in arg || 'applicationSecret' in arg)) {
      const env = scriptedEnvironment(arg)!;
      const key = store.find(env, { name: scriptedString(arg, 'name') });
      if (!key) throw new UserError(`There is no API access key named ${JSON.stringify(arg.name)} in ${label(env)}.`);
      const pair = scriptedPair(arg);
      this.checkNewPair(key, pair.applicationId);
      await confirmDestructive(
        arg,
        'Replace',
        `Replace the pair of API access key "${key.name}" (${label(env)}, ${key.applicationId})?`,
        `Its application ID becomes ${pair.applicationId} once the new pair is verified, and the old application secret is removed from VS Code's secret storage.`,
      );
      const verified = await verifyScripted(this.deps, key.environment, pair, arg);
      return this.save(key, verified);
    }
    const key = await resolveKey(this.deps, arg, 'Regenerate API Access Key');
    if (!key) return undefined;
    const title = `Regenerate "${key.name}" (${label(key.environment)})`;
    const portalUrl = this.deps.settings.portalUrl(key.environment);
    // Three steps: the portal, the new ID (or pair), the new secret.
    const step = await pickStep(
      [
        { label: `$(link-external) Open the ${label(key.environment)} Developer Portal`, detail: `There: Account → Manage API Keys, regenerate ${key.applicationId}, copy the new pair`, id: 'open' },
        { label: '$(key) I have the new application ID and secret', detail: 'The portal already regenerated the key and showed me the new pair', id: 'have' },
      ],
      { title, placeHolder: 'The portal gives the key a new application ID and secret', ignoreFocusOut: true },
      { step: 1, totalSteps: 3 },
    );
    if (!step) return undefined;
    if (step.id === 'open') await vscode.env.openExternal(vscode.Uri.parse(portalUrl));
    const steps = { id: { step: 2, totalSteps: 3 }, secret: { step: 3, totalSteps: 3 } };
    const pair = await promptPair(store, key.environment, title, undefined, key.id, steps);
    if (!pair) return undefined;
    this.checkNewPair(key, pair.applicationId);
    const verified = await verifyInteractively(this.deps, key.environment, key.name, pair, title, key.id, steps);
    if (!verified) return undefined;
    const [old] = (await this.deps.tokens?.load([key.id]).catch(() => undefined)) ?? [];
    const updated = await this.save(key, verified);
    const tokenNote = old && old.expiresAt > (this.deps.clock ?? systemClock).now() ? ` The session token obtained with the old pair stays valid until ${formatTime(old.expiresAt)}.` : '';
    await this.deps.reveal?.(updated.id).catch(() => undefined);
    // The profile name in verifiedText comes from the server: a notification would make a [link](command:…) of it.
    void vscode.window.showInformationMessage(unlinkText(`Regenerated "${updated.name}" (${label(key.environment)}): new application ID ${updated.applicationId}, ${verifiedText(updated)}.${tokenNote}`));
    return updated;
  }

  private checkNewPair(key: KeyRecord, applicationId: string): void {
    if (applicationId === key.applicationId) {
      throw new UserError(`That is the current application ID of "${key.name}". Regenerating in the Developer Portal gives the key a new ID and secret: paste those.`);
    }
  }

  private async save(key: KeyRecord, v: Verified): Promise<KeyRecord> {
    const updated = await this.deps.store.replacePair(key.id, v.pair.applicationId, v.pair.applicationSecret, v.verification);
    this.deps.logger.info(`regenerated key "${updated.name}" (${updated.environment}): ${key.applicationId} → ${updated.applicationId}, ${updated.state}`);
    // A token obtained with the old pair stays usable until it expires (the portal's rule), so it is kept and
    // the tree says so; only when there is none does the token the verification minted take its place.
    const [old] = (await this.deps.tokens?.load([key.id]).catch(() => undefined)) ?? [];
    if (v.token && !(old && old.expiresAt > (this.deps.clock ?? systemClock).now())) await this.deps.tokens?.adopt(updated, v.token.token, v.token.requestedAt).catch(() => undefined);
    return updated;
  }
}
