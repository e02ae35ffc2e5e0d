// EQP: Submit Package… — pre-flight, a clean zip, the file list, upload with progress, the malware scan, submit.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../constants';
import type { EnvironmentId } from '../../eqp/environments';
import type { Submission, SubmissionStatus } from '../../eqp/submissions';
import type { FileUploadInfo, UploadPart } from '../../eqp/uploads';
import { isScripted, scriptedString } from '../../keys/commands/scripted';
import { submissionTitle } from '../../submissions/presentation';
import { UserError } from '../../util/errors';
import { confirmFileList, formatBytes, type PackageListing } from '../fileList';
import { resolvePackageFolder } from '../folders';
import { buildPackageItem } from '../item';
import { type BuiltZip, buildPackageZip, hasErrors, preparePackage, type PreparedPackage, removeZip, zipName } from '../prepare';
import { waitForScan } from '../scanWait';
import { envLabel, isCancel, type PackageCommandDeps, PreflightRefused, refusePreflight, resolveEnvironment, withProgress } from './common';

const TITLE = 'Submit Package';

/** What a script gets back. */
export interface SubmitResult {
  environment: EnvironmentId;
  submissionId: string;
  status: SubmissionStatus;
  code: number;
  message: string;
  fileUploadId: string;
  userGuideUploadId?: string;
  sku?: string;
  version?: string;
}

export class SubmitPackageCommand {
  constructor(private readonly deps: PackageCommandDeps) {}

  async run(arg?: unknown): Promise<SubmitResult | undefined> {
    try {
      return await this.submit(arg);
    } catch (e) {
      if (e instanceof PreflightRefused) return undefined;
      if (isCancel(e) && !isScripted(arg)) {
        void vscode.window.showInformationMessage('Submit Package was cancelled. Nothing was submitted.');
        return undefined;
      }
      throw e;
    }
  }

  private async submit(arg: unknown): Promise<SubmitResult | undefined> {
    const scripted = isScripted(arg);
    const root = await resolvePackageFolder(arg, TITLE);
    if (!root) return undefined;
    const env = await resolveEnvironment(this.deps, arg, TITLE);
    if (!env) return undefined;
    const reuse = scripted && arg.fileUploadId !== undefined ? scriptedString(arg, 'fileUploadId') : undefined;
    const action = scripted && arg.action !== undefined ? scriptedAction(arg.action) : undefined;
    const where = envLabel(env);
    const secrets = await this.deps.secrets();
    const prepared = await withProgress(`Checking ${path.basename(root)} for ${where}`, (signal, report) =>
      preparePackage(root, { needSpec: true, secrets, technical: action, existing: (sku) => this.deps.service.versionsOf(env, sku, signal), signal, onStep: (m) => report(m) }),
    );
    this.deps.problems.show(root, prepared.problems);
    if (!scripted && prepared.problems.some((p) => p.code === 'submission-file-missing')) {
      // The first run in a package: the file that says what to submit is offered, not just reported.
      const create = 'Create eqp-submission.json';
      const choice = await vscode.window.showErrorMessage(`${path.basename(root)} has no eqp-submission.json, the file that says what to submit (compatibility, release notes, license, user guide, draft or submit). Nothing was uploaded.`, create);
      if (choice === create) await vscode.commands.executeCommand(COMMANDS.submissionsInitSubmissionFile, vscode.Uri.file(root));
      return undefined;
    }
    if (hasErrors(prepared.problems) || !prepared.spec || !prepared.composer) return refusePreflight(root, prepared.problems, scripted, `Not submitted to ${where}`);
    const spec = prepared.spec;
    const { name, type, version } = prepared.composer;
    if (!name || !type || !version) return refusePreflight(root, prepared.problems, scripted, `Not submitted to ${where}`);
    const composer = { name, type, version };
    const title = `${spec.name ?? composer.name} ${composer.version}`;
    const actionText = spec.technical === 'submit' ? 'submit for technical review' : 'save as a draft';

    let zip: BuiltZip | undefined;
    try {
      if (reuse === undefined) {
        zip = await withProgress(`Building ${zipName(prepared.composer, root)}`, (signal, report) =>
          buildPackageZip(prepared, this.deps.tmpDir(), { signal, onProgress: (done, total) => report(`${formatBytes(done)} of ${formatBytes(total)}`, total ? done / total : undefined) }),
        );
        if (hasErrors(zip.problems)) {
          this.deps.problems.show(root, [...prepared.problems, ...zip.problems]);
          return refusePreflight(root, zip.problems, scripted, `Not submitted to ${where}`);
        }
        if (!scripted && !(await confirmFileList(listing(prepared, zip, `${title} to ${where}`), `Upload and ${capitalise(actionText)}`, this.deps.documents))) {
          void vscode.window.showInformationMessage('Nothing was uploaded or submitted.');
          return undefined;
        }
      }
      if (env === 'production' && !(await this.confirmProduction(arg, title, actionText, composer.name))) return undefined;

      // Upload: the zip (unless a script names an earlier upload) and the user guide, in one request.
      const parts: UploadPart[] = [];
      if (zip) parts.push({ path: zip.path, filename: path.basename(zip.path), contentType: 'application/zip' });
      if (spec.userGuide) parts.push({ path: path.join(root, spec.userGuide), filename: path.basename(spec.userGuide), contentType: 'application/pdf' });
      const uploaded =
        parts.length === 0
          ? []
          : await withProgress(`Uploading to ${where}`, (signal, report) =>
              this.deps.service.upload(env, parts, (sent, total) => report(total ? `${Math.floor((sent / total) * 100)}% of ${formatBytes(total)}` : formatBytes(sent), total ? sent / total : undefined), signal),
            );
      const artifactId = zip ? uploaded[0]?.fileUploadId : reuse!;
      const userGuideId = spec.userGuide ? uploaded[zip ? 1 : 0]?.fileUploadId : undefined;
      if (!artifactId) throw new UserError(`The ${where} API answered the upload without a file upload ID. Nothing was submitted.`);

      const ids = [artifactId, ...(userGuideId ? [userGuideId] : [])];
      await withProgress(`Waiting for the malware scan (${where})`, (signal, report) =>
        waitForScan((id, s) => this.deps.service.uploadInfo(env, id, s), ids, {
          clock: this.deps.clock,
          timeoutMs: this.deps.scanTimeoutMs(),
          signal,
          onRound: (files, waited) => report(scanMessage(files, waited)),
        }),
      );

      const item = buildPackageItem({ spec, composer, artifactId, userGuideId, existingProduct: (prepared.existing ?? []).length > 0 });
      const [result] = await withProgress(`Submitting ${title} to ${where}`, (signal) => this.deps.service.submit(env, [item], signal));
      if (!result) throw new UserError(`The ${where} API answered the submission with an empty list. Nothing may have been submitted: refresh the Submissions view to check.`);
      if (!result.ok || !result.submissionId) {
        throw new UserError(`The ${where} API did not take ${title}: ${Number.isNaN(result.code) ? 'no code' : `code ${result.code}`}, "${result.message || 'no message'}". The upload ${artifactId} can be submitted again without uploading (scripted "fileUploadId").`);
      }
      const submission = await this.deps.service.get(env, result.submissionId).catch((): Submission => ({
        submissionId: result.submissionId ?? '',
        sku: spec.sku ?? composer.name,
        name: spec.name,
        version: composer.version,
        status: result.status ?? {},
        actionsNowAvailable: {},
        createdAt: result.createdAt,
        modifiedAt: result.modifiedAt,
      }));
      this.deps.submissions.add(env, submission);
      const out: SubmitResult = {
        environment: env,
        submissionId: submission.submissionId,
        status: submission.status,
        code: result.code,
        message: result.message,
        fileUploadId: artifactId,
        userGuideUploadId: userGuideId,
        sku: submission.sku,
        version: submission.version ?? composer.version,
      };
      if (!scripted) {
        const state = submission.status.technical ? `: ${submission.status.technical.replace(/_/gu, ' ')}` : '';
        const done = spec.technical === 'submit' ? `submitted to ${where} for technical review${state}` : `saved in ${where} as a draft`;
        const named = submission.name && submission.version ? submissionTitle(submission) : title;
        void vscode.window.showInformationMessage(`${named} was ${done}.`, 'Show in Submissions').then((c) => {
          if (c === 'Show in Submissions') void this.deps.submissions.show(env, submission.submissionId);
        });
      }
      return out;
    } finally {
      if (zip) await removeZip(zip.dir);
    }
  }

  /** Production asks first, naming product, version and action; a script too, unless it says `"confirm": false`. */
  private async confirmProduction(arg: unknown, title: string, actionText: string, sku: string): Promise<boolean> {
    if (isScripted(arg) && arg.confirm === false) return true;
    const button = 'Submit to Production';
    const choice = await vscode.window.showWarningMessage(
      `${capitalise(actionText)}: ${title} to Production?`,
      { modal: true, detail: `Product ${sku}, version ${title.split(' ').pop() ?? ''}. This goes to the real Adobe Commerce Marketplace.` },
      button,
    );
    if (choice === button) return true;
    if (isScripted(arg)) throw new UserError('Submitting to Production was not confirmed. Nothing was uploaded or submitted.');
    return false;
  }
}

function scriptedAction(v: unknown): 'draft' | 'submit' {
  if (v === 'draft' || v === 'submit') return v;
  throw new UserError(`The "action" argument must be "draft" or "submit" (got ${JSON.stringify(v)}).`);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function listing(prepared: PreparedPackage, zip: BuiltZip, title: string): PackageListing {
  return { title, zipName: path.basename(zip.path), zipSize: zip.size, files: prepared.files, excluded: prepared.excluded };
}

function scanMessage(files: FileUploadInfo[], waitedMs: number): string {
  const pending = files.filter((f) => f.malware !== 'pass');
  const mins = Math.floor(waitedMs / 60_000);
  const secs = Math.floor((waitedMs % 60_000) / 1000);
  const waited = mins > 0 ? `${mins} min ${secs} s` : `${secs} s`;
  return pending.length === 0 ? 'passed' : `${pending.map((f) => `${f.filename ?? f.fileUploadId}: ${f.malwareRaw || 'waiting'}`).join(', ')} (${waited})`;
}
