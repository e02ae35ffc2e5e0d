/**
 * The pre-flight of one package folder, in the order a person would fix things: eqp-submission.json, composer.json,
 * the module's files, the user guide, the files that would be zipped, the secret scan, and (when asked) the
 * versions already submitted. Every finding is collected (not just the first); the zip is built only when none is
 * an error. No `vscode` import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Submission } from '../eqp/submissions';
import type { ComposerInfo } from './composer';
import { listPackageFiles } from './files';
import { nodePackageView } from './nodeFs';
import { checkNotSubmitted, checkPackage, checkZipSize } from './preflight';
import { scanForSecrets } from './secretScan';
import { parseSubmissionFile, SUBMISSION_FILE } from './spec';
import type { ExcludedFile, KnownSecret, PackageFile, PreflightProblem, SubmissionSpec } from './types';
import { buildZip } from './zip';

export interface PreparedPackage {
  root: string;
  composer?: ComposerInfo;
  spec?: SubmissionSpec;
  files: PackageFile[];
  excluded: ExcludedFile[];
  problems: PreflightProblem[];
  /** The SKU's submissions as `existing` read them (undefined when not asked). */
  existing?: Submission[];
}

export interface PrepareOptions {
  /** Submit needs eqp-submission.json; a dry-run build does not (it is read when present). */
  needSpec: boolean;
  secrets: readonly KnownSecret[];
  /** The SKU's submissions so far (to refuse a version submitted already); not asked for a dry run. */
  existing?: (sku: string) => Promise<Submission[]>;
  /** A scripted `action` that replaces the file's `action.technical`. */
  technical?: 'draft' | 'submit';
  signal?: AbortSignal;
  onStep?(message: string): void;
}

export const hasErrors = (problems: readonly PreflightProblem[]): boolean => problems.some((p) => p.severity === 'error');

export async function preparePackage(root: string, opts: PrepareOptions): Promise<PreparedPackage> {
  const view = nodePackageView(root);
  const problems: PreflightProblem[] = [];
  opts.onStep?.(`Reading ${SUBMISSION_FILE} and composer.json…`);
  let submission: Awaited<ReturnType<typeof parseSubmissionFile>> | undefined;
  const specText = await view.readText(SUBMISSION_FILE);
  if (specText === undefined) {
    if (opts.needSpec) {
      problems.push({
        code: 'submission-file-missing',
        severity: 'error',
        message: `There is no ${SUBMISSION_FILE} in the package folder: it says what to submit (version compatibility, release notes, license, user guide, draft or submit). Run "EQP: Create eqp-submission.json…" to start one from composer.json.`,
      });
    }
  } else {
    submission = await parseSubmissionFile(specText, { readText: (rel) => view.readText(rel) });
    problems.push(...submission.problems);
    if (submission.spec && opts.technical) submission.spec = { ...submission.spec, technical: opts.technical };
  }
  const spec = submission?.spec;
  const checked = await checkPackage(view, spec && submission ? { spec, locations: submission.locations } : undefined);
  problems.push(...checked.problems);
  const composer = checked.composer;
  opts.onStep?.('Listing the files of the package…');
  const listed = await listPackageFiles(root, { signal: opts.signal });
  opts.onStep?.(`Checking ${listed.files.length} files for credentials…`);
  problems.push(...(await scanForSecrets(root, listed.files, [...opts.secrets], { signal: opts.signal })));
  const sku = spec?.sku ?? composer?.name;
  let existing: Submission[] | undefined;
  if (opts.existing && sku && composer?.version) {
    opts.onStep?.(`Reading the versions of ${sku} submitted so far…`);
    existing = await opts.existing(sku);
    problems.push(...checkNotSubmitted(sku, composer.version, existing, { range: composer.locations.version }));
  }
  return { root, composer, spec, files: listed.files, excluded: listed.excluded, problems, existing };
}

/** The zip's file name: `vendor_package-1.2.3.zip`. */
export function zipName(composer: ComposerInfo | undefined, root: string): string {
  const base = (composer?.name ?? path.basename(root)).replace(/[^A-Za-z0-9._-]+/gu, '_');
  return `${base}${composer?.version ? `-${composer.version.replace(/[^A-Za-z0-9._-]+/gu, '_')}` : ''}.zip`;
}

export interface BuiltZip {
  path: string;
  size: number;
  dir: string;
  problems: PreflightProblem[];
}

/** Builds the zip in a new temporary folder (removed by `removeZip`) and checks its size. */
export async function buildPackageZip(prepared: PreparedPackage, tmpRoot: string, opts: { onProgress?(done: number, total: number): void; signal?: AbortSignal }): Promise<BuiltZip> {
  const dir = await fs.promises.mkdtemp(path.join(tmpRoot, 'eqp-package-'));
  try {
    const out = path.join(dir, zipName(prepared.composer, prepared.root));
    const zip = await buildZip(prepared.root, prepared.files, out, opts);
    return { path: zip.path, size: zip.size, dir, problems: checkZipSize(zip.size, path.basename(zip.path)) };
  } catch (e) {
    await removeZip(dir);
    throw e;
  }
}

export async function removeZip(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}
