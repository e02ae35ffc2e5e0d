import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import { envLabel, resolveEnvironment, resolveSubmission, type SubmissionsCommandDeps } from './common';

/**
 * `eqp.submissions.openInPortal`: the Developer Portal's list of the seller's extensions (the portal's page for one
 * product is not documented). Returns the URL opened.
 */
export class OpenSubmissionsInPortalCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<string | undefined> {
    let env = await resolveEnvironment(this.deps, arg, 'Open Submissions in Developer Portal').catch(() => undefined);
    env ??= this.deps.activeEnvironment();
    const url = `${this.deps.portalUrl(env)}/extensions`;
    const opened = await vscode.env.openExternal(vscode.Uri.parse(url));
    if (!opened && !isScripted(arg)) {
      void vscode.window.showWarningMessage(`Could not open the ${envLabel(env)} Developer Portal (${url}). Open it in a browser and go to your extensions.`);
    }
    return url;
  }
}

/** `eqp.submissions.copySubmissionId`: the id scripts and support requests name a submission by. */
export class CopySubmissionIdCommand {
  constructor(private readonly deps: SubmissionsCommandDeps) {}

  async run(arg?: unknown): Promise<string | undefined> {
    const ref = await resolveSubmission(this.deps, arg, 'Copy Submission ID');
    if (!ref) return undefined;
    const id = ref.submission.submissionId;
    await vscode.env.clipboard.writeText(id);
    if (!isScripted(arg)) vscode.window.setStatusBarMessage(`$(copy) Submission ID ${id} copied`, 5000);
    return id;
  }
}
