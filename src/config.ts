import * as vscode from 'vscode';
import { EnvironmentId, environmentInfo, isEnvironmentId, validateServiceUrl } from './eqp/environments';

const SECTION = 'eqp';

/**
 * An `eqp.*` setting as the user set it (or its default), never a workspace's value: for settings that decide
 * where secrets and tokens go. Shared by Settings and TokenSettings.
 */
export function userSetting<T>(key: string): T | undefined {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/**
 * Reads the extension's settings. The URLs decide where application secrets are sent, so they are
 * application-scoped in package.json and, as a second guard, only the user (global) value or the default is
 * read here: a workspace's `.vscode/settings.json` can never redirect a secret.
 */
export class Settings implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.emitter.fire();
    });
  }

  /** The API base URL of an environment; throws EqpError(kind 'config') when the setting is unsafe or invalid. */
  apiUrl(env: EnvironmentId): string {
    const raw = userSetting<string>(`${env}.apiUrl`) || environmentInfo(env).defaultApiUrl;
    return validateServiceUrl(raw, `eqp.${env}.apiUrl`);
  }

  portalUrl(env: EnvironmentId): string {
    const raw = userSetting<string>(`${env}.portalUrl`) || environmentInfo(env).defaultPortalUrl;
    return validateServiceUrl(raw, `eqp.${env}.portalUrl`);
  }

  /** Per-request timeout of the EQP API client (setting `eqp.http.timeoutSeconds`, 0.1–300 s, default 15). */
  get requestTimeoutMs(): number {
    const v = userSetting<number>('http.timeoutSeconds');
    const seconds = typeof v === 'number' && Number.isFinite(v) ? Math.min(300, Math.max(0.1, v)) : 15;
    return Math.round(seconds * 1000);
  }

  get activeEnvironment(): EnvironmentId {
    const v = userSetting<string>('environment');
    return isEnvironmentId(v) ? v : 'production';
  }

  async setActiveEnvironment(env: EnvironmentId): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update('environment', env, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
