import * as vscode from 'vscode';
import { COMMANDS, CONTEXT, KEYS_VIEW_ID, OUTPUT_CHANNEL_NAME } from './constants';
import { Settings } from './config';
import { EqpClient } from './eqp/client';
import { EqpAuthenticationProvider } from './auth/provider';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL } from './auth/sessions';
import { ComposerFeature } from './composer/feature';
import { SubmissionsFeature } from './submissions/feature';
import { SubmitFeature } from './submit/feature';
import { CreateKeyCommand } from './keys/commands/create';
import { DeleteKeyCommand } from './keys/commands/delete';
import { RegenerateKeyCommand } from './keys/commands/regenerate';
import { RenameKeyCommand } from './keys/commands/rename';
import { CopyApplicationIdCommand } from './keys/commands/copyApplicationId';
import { RefreshCommand } from './keys/commands/refresh';
import { SwitchEnvironmentCommand } from './keys/commands/switchEnvironment';
import { UseKeyCommand } from './keys/commands/use';
import { KeyCommandDeps } from './keys/commands/deps';
import { VerifyKeyCommand } from './keys/commands/verify';
import { KeyStore, KeysCatchUp, REVISION_KEY } from './keys/keyStore';
import { OpenPortalCommand } from './keys/openPortal';
import { KeysTreeProvider, type TreeNode } from './keys/tree';
import { KeyVerifier } from './keys/verifier';
import { registerCommands } from './registerCommands';
import { ClipboardGuard } from './tokens/clipboard';
import { CopyTokenCommand } from './tokens/commands/copy';
import { ForgetTokenCommand } from './tokens/commands/forget';
import { GetTokenCommand } from './tokens/commands/get';
import { ManageTokenAccessCommand } from './tokens/commands/manageAccess';
import { TokenCommandAccess } from './tokens/commandAccess';
import { InsertTokenCommand } from './tokens/commands/insert';
import { TokenMenuCommand } from './tokens/commands/menu';
import { RefreshTokenCommand } from './tokens/commands/refresh';
import type { TokenCommandDeps } from './tokens/commands/deps';
import { TokenProgress } from './tokens/tokenProgress';
import { TokenStatusBar } from './tokens/statusBar';
import { TerminalTokenExport } from './tokens/terminalEnv';
import { TokenSettings } from './tokens/tokenSettings';
import { TokenService, type TokenServiceOptions } from './tokens/tokenService';
import { type Clock, systemClock } from './util/clock';
import { Logger } from './util/logger';
import { focusedSelection } from './util/treeSelection';

/**
 * What the extension is built on besides the ExtensionContext: the real things by default. The test entry
 * (test/entry/extension.ts, a separate bundle that never ships) passes its own: a secret storage that can fail
 * like a missing OS keyring, a clock whose timers a test can fire, a status bar item it can read.
 */
export interface Seams {
  secrets?: vscode.SecretStorage;
  clock?: Clock;
  /** Receives the status bar item when it is created, and returns the item to use. */
  statusBarItem?: (item: vscode.StatusBarItem) => vscode.StatusBarItem;
  /** Whether the window has focus (the submissions poller runs only then); default VS Code's window state. */
  windowFocused?: () => boolean;
}

/** The services activate() built, for the test entry; the shipped activate() returns nothing. */
export interface Built {
  store: KeyStore;
  tokens: TokenService;
  /** What a second token service over the same storage needs (a "reload"). */
  tokenParts: { client: Pick<EqpClient, 'getSessionToken'>; secrets: vscode.SecretStorage; options: TokenServiceOptions };
  tree: KeysTreeProvider;
  clipboard: ClipboardGuard;
  composer: ComposerFeature;
  submissions: SubmissionsFeature;
  submit: SubmitFeature;
  auth: EqpAuthenticationProvider;
}

export function activate(context: vscode.ExtensionContext): void {
  build(context);
}

/** Builds the services and wires them together; all behaviour lives in the feature folders. */
export function build(context: vscode.ExtensionContext, seams: Seams = {}): Built {
  const logger = new Logger(vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true }));
  const settings = new Settings();
  const tokenSettings = new TokenSettings();
  const apiUrl = (env: 'production' | 'sandbox'): string => settings.apiUrl(env);
  let timeoutMs = settings.requestTimeoutMs;
  // VS Code's http.proxy when set (where VS Code's own proxy support does not take over: see src/eqp/transport.ts),
  // else HTTPS_PROXY / HTTP_PROXY / NO_PROXY; loopback never goes through a proxy.
  const proxy = (): string | undefined => vscode.workspace.getConfiguration('http').get<string>('proxy')?.trim() || undefined;
  let httpClient = new EqpClient(apiUrl, { redactions: logger.redactions, timeoutMs, proxy });
  // One indirection, so a changed timeout setting takes effect; everything holds `client`, never `httpClient`.
  const client: Pick<
    EqpClient,
    'getSessionToken' | 'getProfile' | 'getOrganizations' | 'listComposerKeys' | 'createComposerKeys' | 'setComposerKeyEnabled' | 'deleteComposerKey' | 'listSubmissions' | 'getSubmission' | 'listToolRuns' | 'getToolReport' | 'uploadFiles' | 'getUpload' | 'submitPackages'
  > = {
    getSessionToken: (...a) => httpClient.getSessionToken(...a),
    getProfile: (...a) => httpClient.getProfile(...a),
    getOrganizations: (...a) => httpClient.getOrganizations(...a),
    listComposerKeys: (...a) => httpClient.listComposerKeys(...a),
    createComposerKeys: (...a) => httpClient.createComposerKeys(...a),
    setComposerKeyEnabled: (...a) => httpClient.setComposerKeyEnabled(...a),
    deleteComposerKey: (...a) => httpClient.deleteComposerKey(...a),
    listSubmissions: (...a) => httpClient.listSubmissions(...a),
    getSubmission: (...a) => httpClient.getSubmission(...a),
    listToolRuns: (...a) => httpClient.listToolRuns(...a),
    getToolReport: (...a) => httpClient.getToolReport(...a),
    uploadFiles: (...a) => httpClient.uploadFiles(...a),
    getUpload: (...a) => httpClient.getUpload(...a),
    submitPackages: (...a) => httpClient.submitPackages(...a),
  };
  const clock = seams.clock ?? systemClock;
  const secrets = seams.secrets ?? context.secrets;
  const store = new KeyStore(secrets, context.globalState);
  const verifier = new KeyVerifier(client, () => tokenSettings.lifetime, () => clock.now());
  // Session tokens: cached in SecretStorage per key, the key store is their TokenKeySource.
  const tokenOptions: TokenServiceOptions = {
    lifetime: () => tokenSettings.lifetime,
    refreshMargin: () => tokenSettings.refreshMargin,
    clock,
    onWarning: (w) => logger.warn(`token service (${w.operation}): ${w.message}`),
    redactions: logger.redactions,
  };
  const tokens = new TokenService(client, store, secrets, tokenOptions);

  const tree = new KeysTreeProvider(store, settings, tokens, clock);
  const view = vscode.window.createTreeView(KEYS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false });
  const reveal = async (keyId: string): Promise<void> => {
    const node = view.visible ? await tree.nodeFor(keyId) : undefined;
    if (node) await view.reveal(node, { select: true, focus: false });
  };
  // On an environment row list.select also expands or collapses it, which is Enter's usual meaning there.
  const focusedRow = (): Promise<readonly TreeNode[]> => focusedSelection(view);
  const deps: KeyCommandDeps = { store, verifier, settings, logger, tokens, reveal, selection: focusedRow, clock };
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
  const openPortal = new OpenPortalCommand(settings, store);

  const progress = new TokenProgress(tokens, store, logger);
  const clipboard = new ClipboardGuard(() => tokenSettings.clearAfterSeconds, undefined, undefined, clock);
  clearClipboardOnDeactivate = () => clipboard.close();
  const tokenDeps: TokenCommandDeps = { tokens, progress, store, settings, tokenSettings, clipboard, logger, clock };
  const insertToken = new InsertTokenCommand(tokenDeps);
  const copyToken = new CopyTokenCommand(tokenDeps);
  // Consent for tasks, launch configurations and scripts that reach for the token through eqp.token.get.
  const access = new TokenCommandAccess({ memento: context.globalState, mode: () => tokenSettings.commandAccess, clock, logger });
  const getToken = new GetTokenCommand(tokenDeps, access);
  const manageAccess = new ManageTokenAccessCommand(access, tokenSettings);
  const refreshToken = new RefreshTokenCommand(tokenDeps);
  const forgetToken = new ForgetTokenCommand(tokenDeps);
  const tokenMenu = new TokenMenuCommand(tokenDeps);
  const statusBar = new TokenStatusBar(tokens, store, settings, tokenSettings, clock, logger, seams.statusBarItem);
  const terminal = new TerminalTokenExport(context.environmentVariableCollection, tokens, settings, tokenSettings, clock, logger);

  // Composer keys: their own view and commands, on the same client and session tokens.
  const composer = new ComposerFeature({ client, tokens, store, settings, clipboard, logger });
  // Package submissions and their test reports: the third view, on the same client and session tokens.
  const submissions = new SubmissionsFeature({ client, tokens, store, settings, logger, clock, focused: seams.windowFocused });
  // Submitting a package from the workspace (pre-flight, zip, upload, malware scan, submit); new submissions go to that view.
  const submit = new SubmitFeature({ client, tokens, store, settings, submissions, seen: logger.redactions, clock });

  // Other extensions ask for session tokens through VS Code's authentication API (their door, with consent).
  const auth = new EqpAuthenticationProvider({ tokens, store, logger, activeEnvironment: () => settings.activeEnvironment, createKey: (env) => create.guided(env) });

  const catchUp = new KeysCatchUp(() => store.reload(), undefined, clock);
  context.subscriptions.push(
    catchUp,
    // Back in this window: what another window changed is read (a cheap, idempotent reload).
    vscode.window.onDidChangeWindowState((w) => { if (w.focused) store.reload(); }),
    settings,
    // A new timeout applies to the next request.
    settings.onDidChange(() => {
      if (settings.requestTimeoutMs === timeoutMs) return;
      timeoutMs = settings.requestTimeoutMs;
      httpClient = new EqpClient(apiUrl, { redactions: logger.redactions, timeoutMs, proxy });
    }),
    tokenSettings,
    progress,
    clipboard,
    statusBar,
    terminal,
    // Aborts mints and retry waits under way (after the terminal export, whose background fetch it ends).
    { dispose: () => tokens.dispose() },
    { dispose: () => store.dispose() },
    tree,
    view,
    composer,
    submissions,
    submit,
    vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, auth, { supportsMultipleAccounts: false }),
    auth,
    { dispose: store.onDidChange(updateContext).dispose },
    // Another window changed a secret or the keys' revision (fires in every window, sometimes twice): re-read,
    // idempotently. The revision is written after that window's globalState; should this window's copy of
    // globalState lag behind, it is read again shortly.
    context.secrets.onDidChange((e) => {
      if (e.key.startsWith('eqp.') && !store.reload() && e.key === REVISION_KEY) {
        void Promise.resolve(secrets.get(REVISION_KEY)).then((v) => { if (!store.isOwnRevision(v)) catchUp.schedule(); }, () => undefined);
      }
      // A token stored or forgotten by another window (or this one: the read is merged and its renders too).
      const tokenKeyId = TokenService.keyIdOf(e.key);
      if (tokenKeyId !== undefined) tokens.invalidate(tokenKeyId);
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
        [COMMANDS.tokenInsert]: (arg) => insertToken.run(arg),
        [COMMANDS.tokenCopy]: (arg) => copyToken.run(arg),
        [COMMANDS.tokenGet]: (arg) => getToken.run(arg),
        [COMMANDS.tokenRefresh]: (arg) => refreshToken.run(arg),
        [COMMANDS.tokenForget]: (arg) => forgetToken.run(arg),
        [COMMANDS.tokenMenu]: () => tokenMenu.run(),
        [COMMANDS.tokenManageAccess]: (arg) => manageAccess.run(arg),
        ...composer.handlers(),
        ...submissions.handlers(),
        ...submit.handlers(),
        [COMMANDS.showLog]: () => logger.show(),
      },
      logger,
      new Set([COMMANDS.tokenGet]),
    ),
  );
  // Last: VS Code disposes subscriptions in order, and lines logged while the others are disposed must still go
  // through the redacting logger.
  context.subscriptions.push(logger);
  return { store, tokens, tokenParts: { client, secrets, options: tokenOptions }, tree, clipboard, composer, submissions, submit, auth };
}

/** Set by build(): the clipboard clear deactivate() waits for. */
let clearClipboardOnDeactivate: (() => Promise<void>) | undefined;

export function deactivate(): Promise<void> | undefined {
  // Everything is disposed through context.subscriptions, but VS Code waits only for what this returns (it disposes
  // the subscriptions right after calling it, ignoring their promises): so a pending clipboard clear is done here.
  return clearClipboardOnDeactivate?.();
}
