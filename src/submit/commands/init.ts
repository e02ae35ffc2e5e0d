// EQP: Create eqp-submission.json — a new file from composer.json, made as one undoable edit and opened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import { UserError } from '../../util/errors';
import { resolvePackageFolder } from '../folders';
import { SUBMISSION_FILE } from '../spec';
import { initialSubmissionFile } from '../initFile';

export class InitSubmissionFileCommand {
  async run(arg?: unknown): Promise<{ path: string; created: boolean } | undefined> {
    const root = await resolvePackageFolder(arg, 'Create eqp-submission.json');
    if (!root) return undefined;
    const target = vscode.Uri.file(path.join(root, SUBMISSION_FILE));
    if (fs.existsSync(target.fsPath)) {
      if (!isScripted(arg)) {
        await vscode.window.showTextDocument(target);
        void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(target)} exists already: it is open to edit.`);
      }
      return { path: target.fsPath, created: false };
    }
    let composerText: string;
    try {
      composerText = await fs.promises.readFile(path.join(root, 'composer.json'), 'utf8');
    } catch {
      throw new UserError(`${vscode.workspace.asRelativePath(root)} has no readable composer.json.`);
    }
    const text = initialSubmissionFile(composerText);
    // One WorkspaceEdit: the new file can be undone like any edit, and is left unsaved for a person to review.
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new UserError(`${SUBMISSION_FILE} could not be created in ${vscode.workspace.asRelativePath(root)}.`);
    const doc = await vscode.workspace.openTextDocument(target);
    if (isScripted(arg)) {
      await doc.save();
    } else {
      await vscode.window.showTextDocument(doc);
      void vscode.window.showInformationMessage(`Created ${SUBMISSION_FILE} from composer.json: check the release notes, compatibility and user guide path, then save it.`);
    }
    return { path: target.fsPath, created: true };
  }
}
