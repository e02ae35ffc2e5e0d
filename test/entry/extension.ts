// The test entry: a second output of the same esbuild configuration (esbuild.js), never shipped. It wraps the
// product's own build() with test seams and returns the hooks the integration suite uses; the shipped
// dist/extension.js has none of them (test/integration/bundle.test.ts and the package stage check).
import * as vscode from 'vscode';
import { type Built, build } from '../../src/extension';
import { EqpAuthenticationProvider } from '../../src/auth/provider';
import type { ComposerFeature } from '../../src/composer/feature';
import type { SubmissionsFeature } from '../../src/submissions/feature';
import type { SubmitFeature } from '../../src/submit/feature';
import { KeyStore } from '../../src/keys/keyStore';
import type { KeysTreeProvider } from '../../src/keys/tree';
import type { ClipboardGuard } from '../../src/tokens/clipboard';
import { TokenService } from '../../src/tokens/tokenService';
import { FaultySecretStorage } from './faultySecretStorage';
import { StatusBarRecorder } from './statusBarRecorder';
import { TestClock } from './testClock';

export interface EqpKeysTestApi {
  test: {
    secrets: vscode.SecretStorage;
    faults: FaultySecretStorage;
    globalState: vscode.Memento;
    store: KeyStore;
    /** The token service the commands, status bar, tree and terminal export use. */
    tokens: TokenService;
    /** A new token service built exactly as activate() builds it, over the same secret storage (a "reload"). */
    newTokenService(): TokenService;
    statusBar: StatusBarRecorder;
    /** context.environmentVariableCollection, as the terminal export fills it. */
    terminalEnv: vscode.GlobalEnvironmentVariableCollection;
    clipboard: ClipboardGuard;
    /** The clock the extension goes by; `use(() => sandbox.clock.now())` follows the sandbox's clock. */
    clock: TestClock;
    /** For the secret canary: everything else the extension can write to or show. */
    workspaceState: vscode.Memento;
    logUri: vscode.Uri;
    tree: KeysTreeProvider;
    /** The Composer Keys view's model, tree and service. */
    composer: ComposerFeature;
    /** The Submissions view's model, tree, service, poller, problems and report documents. */
    submissions: SubmissionsFeature;
    /** Submitting a package: its service, pre-flight problems and file list documents. */
    submit: SubmitFeature;
    /**
     * Whether the window counts as focused for the submissions poller: `undefined` (default) asks VS Code, a test
     * sets true or false (a headless test window is rarely focused).
     */
    setWindowFocused(focused: boolean | undefined): void;
    /** The `eqp` authentication provider registered with VS Code. */
    auth: EqpAuthenticationProvider;
    /**
     * "Another window": its own key store, token service and authentication provider over the same secret storage
     * and global state, hearing this window's changes the way a second window does (secrets.onDidChange).
     */
    otherWindow(): OtherWindow;
  };
}

export interface OtherWindow {
  store: KeyStore;
  tokens: TokenService;
  auth: EqpAuthenticationProvider;
  dispose(): void;
}

export function activate(context: vscode.ExtensionContext): EqpKeysTestApi {
  const faults = new FaultySecretStorage(context.secrets);
  const clock = new TestClock();
  const statusBar = new StatusBarRecorder();
  let focused: boolean | undefined;
  const built: Built = build(context, { secrets: faults, clock, statusBarItem: statusBar.wrap, windowFocused: () => focused ?? vscode.window.state.focused });
  const { client, secrets, options } = built.tokenParts;
  return {
    test: {
      secrets: context.secrets,
      faults,
      globalState: context.globalState,
      store: built.store,
      tokens: built.tokens,
      newTokenService: () => new TokenService(client, built.store, secrets, options),
      statusBar,
      terminalEnv: context.environmentVariableCollection,
      clipboard: built.clipboard,
      clock,
      workspaceState: context.workspaceState,
      logUri: context.logUri,
      tree: built.tree,
      composer: built.composer,
      submissions: built.submissions,
      submit: built.submit,
      setWindowFocused: (value) => {
        focused = value;
        built.submissions.poller.update();
      },
      auth: built.auth,
      otherWindow: () => {
        const store = new KeyStore(context.secrets, context.globalState);
        const tokens = new TokenService(client, store, context.secrets, options);
        const auth = new EqpAuthenticationProvider({ tokens, store, logger: quietLogger, activeEnvironment: () => 'sandbox', createKey: async () => undefined });
        const subs = [
          context.secrets.onDidChange((e) => {
            if (e.key.startsWith('eqp.')) store.reload();
            const keyId = TokenService.keyIdOf(e.key);
            if (keyId !== undefined) tokens.invalidate(keyId);
          }),
          // As that window's status bar does: it renders the active environment's state (reading its cache entry).
          tokens.onDidChange(() => void tokens.state('sandbox')),
        ];
        return { store, tokens, auth, dispose: () => { for (const s of subs) s.dispose(); auth.dispose(); tokens.dispose(); store.dispose(); } };
      },
    },
  };
}

/** The other window's provider logs nowhere (its lines are not what a test looks at). */
const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as ConstructorParameters<typeof EqpAuthenticationProvider>[0]['logger'];

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
