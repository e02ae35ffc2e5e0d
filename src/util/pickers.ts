import * as vscode from 'vscode';
import { ENVIRONMENT_IDS, EnvironmentId, environmentInfo } from '../eqp/environments';

/** QuickPick of the environments, the active one first and marked. Undefined when the user cancels. */
export async function pickEnvironment(active: EnvironmentId, title: string): Promise<EnvironmentId | undefined> {
  const items = [...ENVIRONMENT_IDS]
    .sort((a, b) => (a === active ? -1 : b === active ? 1 : 0))
    .map((id) => ({ label: environmentInfo(id).label, description: id === active ? 'active' : undefined, id }));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Environment' });
  return picked?.id;
}
