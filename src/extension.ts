import * as vscode from 'vscode';
import { COMMANDS, CONTEXT, KEYS_VIEW_ID, OUTPUT_CHANNEL_NAME } from './constants';
import { Settings } from './config';
import { EqpClient } from './eqp/client';
import { CreateKeyCommand } from './keys/commands/create';
import { DeleteKeyCommand } from './keys/commands/delete';
import { RegenerateKeyCommand } from './keys/commands/regenerate';
import { RenameKeyCommand } from './keys/commands/rename';
import { CopyApplicationIdCommand, RefreshCommand, SwitchEnvironmentCommand, UseKeyCommand } from './keys/commands/simple';
import { KeyCommandDeps } from './keys/commands/shared';
import { VerifyKeyCommand } from './keys/commands/verify';
import { KeyStore } from './keys/keyStore';
import { OpenPortalCommand } from './keys/openPortal';
import { KeysTreeProvider } from './keys/tree';
import { KeyVerifier } from './keys/verifier';
import { registerCommands } from './registerCommands';
import { Logger } from './util/logger';
import { FaultySecretStorage } from './util/testHooks';

/** What activate() returns: nothing for ordinary use; the test suite gets its hooks in ExtensionMode.Test only. */
export interface EqpKeysApi {
  test?: { secrets: vscode.SecretStorage; faults: FaultySecretStorage; globalState: vscode.Memento; store: KeyStore };
}

/** Builds the services and wires them together; all behaviour lives in the feature folders. */
export function activate(context: vscode.ExtensionContext): EqpKeysApi {
  const logger = new Logger(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));
  const settings = new Settings();
  const client = new EqpClient((env) => settings.apiUrl(env));
  // In tests only, SecretStorage is wrapped so a test can make it fail the way a missing OS keyring does.
  const faults = context.extensionMode === vscode.ExtensionMode.Test ? new FaultySecretStorage(context.secrets) : undefined;
  const secrets: vscode.SecretStorage = faults ?? context.secrets;
  const store = new KeyStore(secrets, context.globalState);
  const verifier = new KeyVerifier(client, () => 7200);
  const deps: KeyCommandDeps = { store, verifier, settings, logger };

  const tree = new KeysTreeProvider(store, settings);
  const view = vscode.window.createTreeView(KEYS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false });
  const updateContext = (): void => void vscode.commands.executeCommand('setContext', CONTEXT.hasKeys, store.list().length > 0);
  updateContext();

  const create = new CreateKeyCommand(deps);
  const regenerate = new RegenerateKeyCommand(deps);
  const del = new DeleteKeyCommand(deps);
  const rename = new RenameKeyCommand(deps);
  const verify = new VerifyKeyCommand(deps);
  const use = new UseKeyCommand(deps);
  const copyId = new CopyApplicationIdCommand(deps);
  const refresh = new RefreshCommand(deps, tree);
  const switchEnv = new SwitchEnvironmentCommand(deps);
  const openPortal = new OpenPortalCommand(settings);

  context.subscriptions.push(
    logger,
    settings,
    { dispose: () => store.dispose() },
    tree,
    view,
    { dispose: store.onDidChange(updateContext).dispose },
    // Another window changed a secret (fires in every window, sometimes twice): re-read, idempotently.
    context.secrets.onDidChange((e) => {
      if (e.key.startsWith('eqp.')) store.reload();
    }),
    ...registerCommands(
      {
        [COMMANDS.keysCreate]: (arg) => create.run(arg),
        [COMMANDS.keysRegenerate]: (arg) => regenerate.run(arg),
        [COMMANDS.keysDelete]: (arg) => del.run(arg),
        [COMMANDS.keysRename]: (arg) => rename.run(arg),
        [COMMANDS.keysVerify]: (arg) => verify.run(arg),
        [COMMANDS.keysUse]: (arg) => use.run(arg),
        [COMMANDS.keysCopyApplicationId]: (arg) => copyId.run(arg),
        [COMMANDS.keysOpenPortal]: (arg) => openPortal.run(arg as never),
        [COMMANDS.keysRefresh]: () => refresh.run(),
        [COMMANDS.environmentSwitch]: (arg) => switchEnv.run(arg),
        [COMMANDS.showLog]: () => logger.show(),
      },
      logger,
    ),
  );
  return faults ? { test: { secrets: context.secrets, faults, globalState: context.globalState, store } } : {};
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
