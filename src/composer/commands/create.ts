import * as vscode from 'vscode';
import { isScripted, scriptedString } from '../../keys/commands/scripted';
import { UserError } from '../../util/errors';
import { escapeIcons } from '../../util/markdown';
import { type ComposerKeyRecord, type ComposerOwner, labelProblem } from '../composerService';
import { type ComposerCommandDeps, envLabel, keyArgument, resolveEnvironment, withProgress } from './common';

/**
 * `eqp.composer.create`: asks for the owner (when the account belongs to organizations) and a label (unique per
 * owner, checked as it is typed), creates the key, shows it in the view, and offers to write it to auth.json.
 * The private key the API answers is dropped: writing or copying it later reads it again.
 * Scripted: `{environment, label, uid?}`, returns the public record.
 */
export class CreateComposerKeyCommand {
  constructor(private readonly deps: ComposerCommandDeps) {}

  async run(arg?: unknown): Promise<ComposerKeyRecord | undefined> {
    const scripted = isScripted(arg);
    const env = await resolveEnvironment(this.deps, arg, 'Create Composer Key');
    if (!env) return undefined;
    let uid: string | undefined;
    let label: string | undefined;
    if (scripted) {
      label = scriptedString(arg, 'label');
      uid = arg.uid === undefined ? undefined : scriptedString(arg, 'uid');
      const problem = labelProblem(label);
      if (problem) throw new UserError(problem);
    } else {
      const owners = await withProgress(`Reading the ${envLabel(env)} account…`, async (signal) => {
        const [list] = await Promise.all([this.deps.model.ownersOf(env, signal), this.deps.model.ensure(env)]);
        return list;
      });
      const owner = await this.pickOwner(owners);
      if (!owner) return undefined;
      uid = owner.isAccount ? undefined : owner.uid;
      const ownerUid = owner.uid;
      const taken = (this.deps.model.keys(env) ?? []).filter((k) => k.uid === ownerUid).map((k) => k.label);
      label = await vscode.window.showInputBox({
        title: `Create ${envLabel(env)} Composer Key`,
        prompt: `A label for the new key${owner.isAccount ? '' : ` of ${owner.name}`}, e.g. the project or machine that will use it. Labels are unique.`,
        placeHolder: 'e.g. shop-staging',
        ignoreFocusOut: true,
        validateInput: (v) => labelProblem(v, taken),
      });
      if (label === undefined) return undefined;
    }
    const chosen = label;
    const { record } = await withProgress(`Creating the ${envLabel(env)} Composer key "${chosen}"…`, (signal) => this.deps.service.create(env, chosen, uid, signal));
    this.deps.logger.info(`created Composer key "${record.label}" (${env}, owner ${record.uid})`);
    this.deps.model.put(record);
    if (!scripted) {
      await this.deps.reveal(record);
      void vscode.window
        .showInformationMessage(`Created the ${envLabel(env)} Composer key "${record.label}" (public key ${record.userKey}).`, 'Write to auth.json…', 'Copy Private Key')
        .then((choice) => {
          const arg = keyArgument(record);
          if (choice === 'Write to auth.json…') return vscode.commands.executeCommand('eqp.composer.writeAuthJson', arg);
          if (choice === 'Copy Private Key') return vscode.commands.executeCommand('eqp.composer.copyPrivateKey', arg);
          return undefined;
        });
    }
    return record;
  }

  private async pickOwner(owners: ComposerOwner[]): Promise<ComposerOwner | undefined> {
    if (owners.length <= 1) return owners[0];
    const picked = await vscode.window.showQuickPick(
      // A QuickPick label renders $(icon): the organization's name (the server's words) is shown as written.
      owners.map((o) => ({ label: o.isAccount ? `$(account) You` : `$(organization) ${escapeIcons(o.name)}`, description: o.uid, owner: o })),
      { title: 'Create Composer Key: Owner', placeHolder: 'Who owns the new key? An organization\'s keys are shared with its members.' },
    );
    return picked?.owner;
  }
}
