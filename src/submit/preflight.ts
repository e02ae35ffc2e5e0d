/**
 * The checks before anything is sent (issue 13 §2), over an injected view of the package folder (nodeFs.ts in
 * the extension, a map in tests). Each problem has a stable `code`, a message in plain words, and the file and
 * range it is about where there is one. Sources: sellers/technical-review-guidelines.md (package verification,
 * "does not exceed 30 MB", the files each package type needs) and packages.md (a technical `submit` needs a user
 * guide in `documentation_artifacts`, not required for shared packages). No `vscode` import.
 */
import type { Submission } from '../eqp/submissions';
import { checkComposer, COMPOSER_FILE, type ComposerInfo } from './composer';
import { SUBMISSION_FILE } from './spec';
import type { PreflightProblem, SubmissionSpec, TextRange } from './types';

/** The package folder as the checks see it; paths are relative to the package root with `/` separators. */
export interface PackageView {
  /** The file's text (UTF-8), or undefined when there is no such file. */
  readText(relativePath: string): Promise<string | undefined>;
  exists(relativePath: string): Promise<boolean>;
  /** At most `max` bytes from the start of the file, or undefined when there is no such file. */
  readBytes(relativePath: string, max: number): Promise<Uint8Array | undefined>;
}

/** eqp-submission.json as parseSubmissionFile read it. */
export interface SubmissionInput {
  spec: SubmissionSpec;
  /** parseSubmissionFile's `locations`. */
  locations: Record<string, TextRange>;
  /** Default `eqp-submission.json`. */
  file?: string;
}

/** The Marketplace's limit for a package zip: 30 MB (technical-review-guidelines.md), read as MiB. */
export const MAX_ZIP_BYTES = 30 * 1024 * 1024;

/** Files each Magento package type must have (technical-review-guidelines.md, "Additional requirements"). */
export const REQUIRED_FILES: Readonly<Record<string, readonly string[]>> = {
  'magento2-module': ['registration.php', 'etc/module.xml'],
  'magento2-theme': ['registration.php', 'theme.xml'],
  'magento2-language': ['registration.php', 'language.xml'],
};

const PRODUCT_TYPES_FOR: Readonly<Record<string, readonly string[]>> = {
  extension: ['magento2-module', 'magento2-language', 'metapackage'],
  theme: ['magento2-theme'],
  shared_package: ['magento2-module', 'magento2-theme', 'magento2-language'],
};

export interface PackageCheck {
  /** composer.json as read (absent when it is missing or not a JSON object). */
  composer?: ComposerInfo;
  problems: PreflightProblem[];
}

/**
 * composer.json, the files its type needs, eqp-submission.json's type against it, and the guides (a user guide
 * for a technical submit; every guide named must be a real PDF, since it is uploaded too).
 */
export async function checkPackage(view: PackageView, submission?: SubmissionInput): Promise<PackageCheck> {
  const problems: PreflightProblem[] = [];
  const text = await view.readText(COMPOSER_FILE);
  let composer: ComposerInfo | undefined;
  if (text === undefined) {
    problems.push({ code: 'composer-missing', severity: 'error', message: 'The package has no composer.json at its root: the Marketplace needs one with name, type and version.' });
  } else {
    const checked = checkComposer(text);
    composer = checked.composer;
    problems.push(...checked.problems);
  }
  const type = composer?.type;
  for (const needed of (type && REQUIRED_FILES[type]) || []) {
    if (!(await view.exists(needed))) {
      problems.push({ code: 'package-missing-file', severity: 'error', file: COMPOSER_FILE, range: composer?.locations.type, message: `A ${type} package needs ${needed}, and there is none in the package.` });
    }
  }
  if (submission) problems.push(...(await checkSubmissionAgainstPackage(view, submission, composer)));
  return { composer, problems };
}

async function checkSubmissionAgainstPackage(view: PackageView, submission: SubmissionInput, composer: ComposerInfo | undefined): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const file = submission.file ?? SUBMISSION_FILE;
  const { spec, locations } = submission;
  const productType = spec.type ?? (composer?.type === 'magento2-theme' ? 'theme' : 'extension');
  const fits = PRODUCT_TYPES_FOR[productType];
  if (composer?.type && fits && !fits.includes(composer.type)) {
    problems.push({
      code: 'type-mismatch',
      severity: 'error',
      file: spec.type ? file : COMPOSER_FILE,
      range: spec.type ? locations.type : composer.locations.type,
      message: `A ${productType.replace('_', ' ')} must be a Composer package of type ${fits.join(' or ')}; composer.json says "${composer.type}".`,
    });
  }
  if (spec.technical === 'submit' && productType !== 'shared_package' && !spec.userGuide) {
    problems.push({
      code: 'user-guide-missing',
      severity: 'error',
      file,
      range: locations['documentation_artifacts'] ?? locations['action.technical'],
      message: 'To submit, give a user guide PDF in documentation_artifacts.user (the Marketplace requires one; a draft may go without).',
    });
  }
  const guides: [string, string | undefined][] = [['user', spec.userGuide], ['installation', spec.installationGuide], ['reference', spec.referenceGuide]];
  for (const [kind, path] of guides) {
    if (!path) continue;
    const range = locations[`documentation_artifacts.${kind}`];
    const head = await view.readBytes(path, 5);
    if (head === undefined) {
      problems.push({ code: 'guide-not-found', severity: 'error', file, range, message: `The ${kind} guide ${path} was not found in the package.` });
    } else if (!path.toLowerCase().endsWith('.pdf') || !startsWithPdfMagic(head)) {
      problems.push({ code: 'guide-not-pdf', severity: 'error', file, range, message: `The ${kind} guide ${path} is not a PDF file (it does not start with %PDF-).` });
    }
  }
  return problems;
}

function startsWithPdfMagic(head: Uint8Array): boolean {
  const magic = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** The zip's size against the Marketplace's 30 MB limit. */
export function checkZipSize(bytes: number, zipName?: string): PreflightProblem[] {
  if (bytes <= MAX_ZIP_BYTES) return [];
  const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
  return [{
    code: 'zip-too-large',
    severity: 'error',
    message: `The package zip${zipName ? ` ${zipName}` : ''} is ${mb(bytes)} MB; the Marketplace takes at most 30 MB. Leave out what the package does not need (add it to .gitignore).`,
  }];
}

/** Overall statuses after which a version may be submitted again. */
const CANCELLED = new Set(['canceled_by_developer', 'canceled_by_admin', 'cancelled_by_developer', 'cancelled_by_admin']);

/**
 * A version already submitted for this SKU (any submission that was not cancelled) → an error on composer.json's
 * `version`. SKUs compare without case; versions as written (both trimmed). Without a SKU (a new product) there
 * is nothing to compare.
 */
export function checkNotSubmitted(
  sku: string | undefined,
  version: string | undefined,
  existing: readonly Pick<Submission, 'sku' | 'version' | 'status'>[],
  at?: { file?: string; range?: TextRange },
): PreflightProblem[] {
  if (!sku || !version) return [];
  const wantSku = sku.trim().toLowerCase();
  const wantVersion = version.trim();
  const clash = existing.find((s) => s.sku?.trim().toLowerCase() === wantSku && s.version?.trim() === wantVersion && !CANCELLED.has((s.status.overall ?? '').toLowerCase()));
  if (!clash) return [];
  const where = clash.status.overall ? ` (it is ${clash.status.overall.replace(/_/g, ' ')})` : '';
  return [{
    code: 'version-already-submitted',
    severity: 'error',
    file: at?.file ?? COMPOSER_FILE,
    range: at?.range,
    message: `Version ${wantVersion} of ${sku} was already submitted${where}: raise the version in composer.json, or update that submission instead.`,
  }];
}
