import * as vscode from 'vscode';
import { userSetting } from '../config';

export type StatusBarShow = 'auto' | 'always' | 'never';
export type ClickAction = 'insert' | 'copy' | 'menu';
export type CommandAccess = 'ask' | 'allow' | 'deny';

export const TOKEN_DEFAULTS = {
  lifetime: 7200,
  refreshMargin: 120,
  clearAfterSeconds: 60,
} as const;

/**
 * The token features' settings. Those that decide where a token goes or how long it lives (lifetime, margin,
 * insert format, clipboard clearing, terminal export) are application-scoped in package.json and, as a second
 * guard, read from the user settings only (as `Settings` does for the URLs): a workspace cannot turn on terminal
 * export, wrap the token in a command line of its choosing, keep it in the clipboard forever, make a click insert
 * it, or hand it to its tasks unasked. Whether the status bar item shows may differ per workspace.
 */
export class TokenSettings implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when any `eqp.*` setting changed. */
  readonly onDidChange = this.emitter.event;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('eqp')) this.emitter.fire();
    });
  }

  private value<T>(key: string): T | undefined {
    return vscode.workspace.getConfiguration('eqp').get<T>(key);
  }

  /** Seconds to ask the server for (it may grant less). */
  get lifetime(): number {
    return wholeNumber(userSetting('token.lifetime'), 60, TOKEN_DEFAULTS.lifetime);
  }

  get refreshMargin(): number {
    return wholeNumber(userSetting('token.refreshMargin'), 0, TOKEN_DEFAULTS.refreshMargin);
  }

  /** 0 = never clear. */
  get clearAfterSeconds(): number {
    return wholeNumber(userSetting('clipboard.clearAfterSeconds'), 0, TOKEN_DEFAULTS.clearAfterSeconds);
  }

  get exportToTerminals(): boolean {
    return userSetting<boolean>('terminal.exportToken') === true;
  }

  get insertFormat(): string {
    const v = userSetting<string>('token.insertFormat');
    return typeof v === 'string' && v.trim() !== '' ? v : 'token';
  }

  get statusBarShow(): StatusBarShow {
    const v = this.value<string>('statusBar.show');
    return v === 'always' || v === 'never' ? v : 'auto';
  }

  /** User settings only: a cloned repository must not turn a user's `copy` back into `insert`. */
  get clickAction(): ClickAction {
    const v = userSetting<string>('statusBar.clickAction');
    return v === 'copy' || v === 'menu' ? v : 'insert';
  }

  /** Whether `eqp.token.get` (tasks, launch configurations, scripts) asks first, hands out, or refuses. User settings only. */
  get commandAccess(): CommandAccess {
    const v = userSetting<string>('token.commandAccess');
    return v === 'allow' || v === 'deny' ? v : 'ask';
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}

function wholeNumber(v: unknown, min: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.floor(v) : fallback;
}
