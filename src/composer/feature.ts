import * as vscode from 'vscode';
import type { Settings } from '../config';
import { COMMANDS, COMPOSER_VIEW_ID } from '../constants';
import { ENVIRONMENT_IDS } from '../eqp/environments';
import type { KeyStore } from '../keys/keyStore';
import type { ClipboardGuard } from '../tokens/clipboard';
import { Disposable } from '../util/lifecycle';
import type { Logger } from '../util/logger';
import { focusedSelection } from '../util/treeSelection';
import { AuthJsonUsage } from './authJsonUsage';
import { type ComposerClient, ComposerKeyService, type ComposerTokenSource } from './composerService';
import { ComposerKeysModel } from './composerModel';
import type { ComposerCommandDeps } from './commands/common';
import { CopyComposerPrivateKeyCommand } from './commands/copyPrivateKey';
import { CopyComposerPublicKeyCommand } from './commands/copyPublicKey';
import { CreateComposerKeyCommand } from './commands/create';
import { DeleteComposerKeyCommand } from './commands/delete';
import { RefreshComposerKeysCommand } from './commands/refresh';
import { RotateComposerKeyCommand } from './commands/rotate';
import { SetComposerKeyEnabledCommand } from './commands/setEnabled';
import { WriteAuthJsonCommand } from './commands/writeAuthJson';
import { ComposerKeysTreeProvider, type ComposerTreeNode } from './tree';

type Handler = (...args: unknown[]) => unknown;
type ComposerCommandId = (typeof COMMANDS)[keyof typeof COMMANDS] & `eqp.composer.${string}`;

export interface ComposerFeatureParts {
  client: ComposerClient;
  tokens: ComposerTokenSource;
  store: Pick<KeyStore, 'activeKeyRef' | 'onDidChange'>;
  settings: Pick<Settings, 'activeEnvironment'>;
  clipboard: ClipboardGuard;
  logger: Logger;
}

/**
 * The Composer Keys view and its commands. Nothing is read at activation: the view loads its lists when it is
 * first shown, and the auth.json files are read from then on.
 */
export class ComposerFeature extends Disposable {
  readonly service: ComposerKeyService;
  readonly model: ComposerKeysModel;
  readonly tree: ComposerKeysTreeProvider;
  private readonly deps: ComposerCommandDeps;

  constructor(parts: ComposerFeatureParts) {
    super();
    const { store } = parts;
    this.service = new ComposerKeyService(parts.client, parts.tokens);
    this.model = new ComposerKeysModel(this.service);
    this.register({ dispose: () => this.model.dispose() });
    const usage = this.register(new AuthJsonUsage());
    const environments = {
      activeKeyId: (env: (typeof ENVIRONMENT_IDS)[number]) => store.activeKeyRef(env)?.keyId,
      onDidChange: (listener: () => void) => store.onDidChange(listener),
    };
    this.tree = this.register(new ComposerKeysTreeProvider(this.model, environments, usage));
    const view = this.register(vscode.window.createTreeView<ComposerTreeNode>(COMPOSER_VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: false }));
    this.deps = {
      service: this.service,
      model: this.model,
      usage,
      clipboard: parts.clipboard,
      logger: parts.logger,
      environments: () => ENVIRONMENT_IDS.filter((e) => store.activeKeyRef(e) !== undefined),
      activeEnvironment: () => parts.settings.activeEnvironment,
      reveal: async (key) => {
        const node = view.visible ? await this.tree.nodeFor(key.environment, key.label, key.uid) : undefined;
        if (node) await view.reveal(node, { select: true, focus: false }).then(undefined, () => undefined);
      },
      selection: () => focusedSelection(view),
    };
  }

  /** The command handlers, for the one registry (src/registerCommands.ts). */
  handlers(): Record<ComposerCommandId, Handler> {
    const d = this.deps;
    const create = new CreateComposerKeyCommand(d);
    const enable = new SetComposerKeyEnabledCommand(d, true);
    const disable = new SetComposerKeyEnabledCommand(d, false);
    const del = new DeleteComposerKeyCommand(d);
    const copyPublic = new CopyComposerPublicKeyCommand(d);
    const copyPrivate = new CopyComposerPrivateKeyCommand(d);
    const write = new WriteAuthJsonCommand(d);
    const refresh = new RefreshComposerKeysCommand(d);
    const rotate = new RotateComposerKeyCommand(d);
    return {
      [COMMANDS.composerCreate]: (arg) => create.run(arg),
      [COMMANDS.composerEnable]: (arg) => enable.run(arg),
      [COMMANDS.composerDisable]: (arg) => disable.run(arg),
      [COMMANDS.composerDelete]: (arg) => del.run(arg),
      [COMMANDS.composerCopyPublicKey]: (arg) => copyPublic.run(arg),
      [COMMANDS.composerCopyPrivateKey]: (arg) => copyPrivate.run(arg),
      [COMMANDS.composerWriteAuthJson]: (arg) => write.run(arg),
      [COMMANDS.composerRefresh]: (arg) => refresh.run(arg),
      [COMMANDS.composerRotate]: (arg) => rotate.run(arg),
    };
  }
}
