// The two boxes that take an application ID and secret (or the pair pasted as ID:secret).
import * as vscode from 'vscode';
import { EnvironmentId } from '../../eqp/environments';
import { UserError } from '../../util/errors';
import { Step, inputStep } from '../../util/prompts';
import { checkSecret, Pair, parseIdOrPair } from '../credentials';
import { KeyRecord, KeyStore, duplicateIdMessage } from '../keyStore';
import { label } from './pickers';

/** The step counters of the two boxes of `promptPair` in a guided flow. */
export interface PairSteps {
  id: Step;
  secret: Step;
}

/** Asks for the application ID (or the whole pair) and then the secret; `initial` refills the boxes on re-entry. */
export async function promptPair(
  store: KeyStore,
  env: EnvironmentId,
  title: string,
  initial?: Partial<Pair>,
  ignoreKeyId?: string,
  steps?: PairSteps,
): Promise<Pair | undefined> {
  const ask = (options: vscode.InputBoxOptions, where: Step | undefined): Thenable<string | undefined> =>
    where ? inputStep(options, where) : vscode.window.showInputBox(options);
  const storedElsewhere = (id: string): KeyRecord | undefined => store.list().find((k) => k.applicationId === id && k.id !== ignoreKeyId);
  // The box takes the pair pasted as "ID:secret" as well, so it is a password box from the first keystroke: a
  // box that only hid its text once it saw the ":" would show a pasted secret for a moment first. What was read
  // as the ID is said back under the box (never the secret), so the user can still check it before Enter.
  const idInput = await ask({
    title: `${title}: application ID`,
    prompt: `The application ID the ${label(env)} Developer Portal shows (Account → Manage API Keys), or the pair as "ID:secret". Hidden as you type; the ID is shown below.`,
    placeHolder: 'e.g. AQ17NZ49WC',
    value: initial?.applicationId,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseIdOrPair(v);
      if (!r.ok) return r.message;
      const other = storedElsewhere(r.value.applicationId);
      if (other) return duplicateIdMessage(r.value.applicationId, other);
      return {
        message: r.value.applicationSecret
          ? `Application ID ${r.value.applicationId} and its secret (hidden). Press Enter to verify the pair.`
          : `Application ID ${r.value.applicationId}. Press Enter, then paste the secret.`,
        severity: vscode.InputBoxValidationSeverity.Info,
      };
    },
  }, steps?.id);
  if (idInput === undefined) return undefined;
  const parsed = parseIdOrPair(idInput);
  if (!parsed.ok) throw new UserError(parsed.message);
  const other = storedElsewhere(parsed.value.applicationId);
  if (other) throw new UserError(duplicateIdMessage(parsed.value.applicationId, other));
  if (parsed.value.applicationSecret) return { applicationId: parsed.value.applicationId, applicationSecret: parsed.value.applicationSecret };
  const secretInput = await ask({
    title: `${title}: application secret`,
    prompt: `The application secret of ${parsed.value.applicationId}. It is kept in VS Code's secret storage only.`,
    password: true,
    ignoreFocusOut: true,
    value: initial?.applicationId === parsed.value.applicationId ? initial.applicationSecret : undefined,
    validateInput: (v) => {
      const r = checkSecret(v);
      return r.ok ? undefined : r.message;
    },
  }, steps?.secret);
  if (secretInput === undefined) return undefined;
  const secret = checkSecret(secretInput);
  if (!secret.ok) throw new UserError(secret.message);
  return { applicationId: parsed.value.applicationId, applicationSecret: secret.value };
}
