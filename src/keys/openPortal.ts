import * as vscode from 'vscode';
import { EnvironmentId, environmentInfo, isEnvironmentId } from '../eqp/environments';
import type { Settings } from '../config';
import type { KeyStore } from './keyStore';
import { pickEnvironmentWithCounts } from './commands/pickers';

export interface OpenPortalArgs {
  environment?: EnvironmentId;
}

/**
 * `eqp.keys.openPortal`: opens the environment's Developer Portal, where keys are made (Account → Manage API
 * Keys). Takes an environment node or `{environment}`; from the palette it asks which environment.
 * Returns the URL it opened, or undefined when the user cancelled.
 */
export class OpenPortalCommand {
  constructor(
    private readonly settings: Settings,
    private readonly store: KeyStore,
  ) {}

  async run(arg?: OpenPortalArgs): Promise<string | undefined> {
    const env = isEnvironmentId(arg?.environment) ? arg.environment : await pickEnvironmentWithCounts(this.store, this.settings.activeEnvironment, 'Open the Developer Portal of which environment?');
    if (!env) return undefined;
    const url = this.settings.portalUrl(env);
    const opened = await vscode.env.openExternal(vscode.Uri.parse(url));
    if (!opened) {
      void vscode.window.showWarningMessage(`Could not open the ${environmentInfo(env).label} Developer Portal (${url}). Open it in a browser and go to Account → Manage API Keys.`);
    }
    return url;
  }
}
