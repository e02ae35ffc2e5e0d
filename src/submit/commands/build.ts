// EQP: Build Package Zip (Dry Run) — the pre-flight and the zip, nothing sent; the list shown, the zip can be saved.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isScripted } from '../../keys/commands/scripted';
import { formatBytes } from '../fileList';
import { resolvePackageFolder } from '../folders';
import { buildPackageZip, hasErrors, preparePackage, removeZip, zipName } from '../prepare';
import { type PackageCommandDeps, PreflightRefused, isCancel, refusePreflight, withProgress } from './common';
import { listing } from './submit';

export interface BuildResult {
  zipName: string;
  size: number;
  files: string[];
  excluded: { path: string; reason: string }[];
  /** Where the zip was saved, when a script asked (`saveTo`) or a person chose Save As. */
  savedTo?: string;
}

export class BuildPackageCommand {
  constructor(private readonly deps: PackageCommandDeps) {}

  async run(arg?: unknown): Promise<BuildResult | undefined> {
    try {
      return await this.build(arg);
    } catch (e) {
      if (e instanceof PreflightRefused) return undefined;
      if (isCancel(e) && !isScripted(arg)) return undefined;
      throw e;
    }
  }

  private async build(arg: unknown): Promise<BuildResult | undefined> {
    const scripted = isScripted(arg);
    const root = await resolvePackageFolder(arg, 'Build Package Zip');
    if (!root) return undefined;
    const secrets = await this.deps.secrets();
    const prepared = await withProgress(`Checking ${path.basename(root)}`, (signal, report) => preparePackage(root, { needSpec: false, secrets, signal, onStep: (m) => report(m) }));
    this.deps.problems.show(root, prepared.problems);
    if (hasErrors(prepared.problems)) return refusePreflight(root, prepared.problems, scripted, 'No zip was built');
    const zip = await withProgress(`Building ${zipName(prepared.composer, root)}`, (signal, report) =>
      buildPackageZip(prepared, this.deps.tmpDir(), { signal, onProgress: (done, total) => report(`${formatBytes(done)} of ${formatBytes(total)}`, total ? done / total : undefined) }),
    );
    try {
      this.deps.problems.show(root, [...prepared.problems, ...zip.problems]);
      const result: BuildResult = {
        zipName: path.basename(zip.path),
        size: zip.size,
        files: prepared.files.map((f) => f.path),
        excluded: prepared.excluded.map((f) => ({ path: f.path, reason: f.reason })),
      };
      if (scripted) {
        if (typeof arg.saveTo === 'string') {
          await fs.promises.copyFile(zip.path, arg.saveTo);
          result.savedTo = arg.saveTo;
        }
        return result;
      }
      const title = `${prepared.composer?.name ?? path.basename(root)}${prepared.composer?.version ? ` ${prepared.composer.version}` : ''} (dry run, nothing sent)`;
      await this.deps.documents.open(listing(prepared, zip, title));
      const tooLarge = hasErrors(zip.problems) ? ` It is too large to submit: ${zip.problems[0]?.message ?? ''}` : '';
      const choice = await vscode.window.showInformationMessage(
        `Built ${result.zipName}: ${result.files.length} files, ${formatBytes(zip.size)}. Nothing was uploaded.${tooLarge}`,
        'Save Zip As…',
      );
      if (choice === 'Save Zip As…') {
        const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(path.dirname(root), result.zipName)), filters: { 'Zip archive': ['zip'] }, title: 'Save the package zip' });
        if (target) {
          await fs.promises.copyFile(zip.path, target.fsPath);
          result.savedTo = target.fsPath;
        }
      }
      return result;
    } finally {
      await removeZip(zip.dir);
    }
  }
}
