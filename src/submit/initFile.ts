/**
 * The text of a new eqp-submission.json, prefilled from composer.json (`eqp.submissions.initSubmissionFile`).
 * It starts as a `draft`, so nothing is reviewed until the user changes the action. No `$schema`: the extension
 * associates the schema by file name (`contributes.jsonValidation`). No `vscode` import.
 */
import { RELEASE_NOTES_PLACEHOLDER } from './spec';

/** composer.json `license` (SPDX) → packages.md `license_type`. */
const LICENSES: readonly [RegExp, string][] = [
  [/^OSL-3\.0$/i, 'osl'],
  [/^AFL-3\.0$/i, 'afl'],
  [/^MIT$/i, 'mit'],
  [/^Apache-2\.0$/i, 'apache'],
  [/^BSD-2-Clause$/i, 'bsd'],
  [/^GPL-3\.0(-only|-or-later|\+)?$/i, 'gnu-gpl'],
  [/^LGPL-3\.0(-only|-or-later|\+)?$/i, 'gnu-lgpl'],
  [/^MPL-1\.1$/i, 'mozilla'],
  [/^proprietary$/i, 'custom'],
];

/** The Marketplace license type for a composer.json `license` (a string or a list: the first that maps). */
export function licenseTypeFor(license: unknown): string | undefined {
  const list = Array.isArray(license) ? license : [license];
  for (const entry of list) {
    if (typeof entry !== 'string') continue;
    const hit = LICENSES.find(([re]) => re.test(entry.trim()));
    if (hit) return hit[1];
  }
  return undefined;
}

export const DEFAULT_USER_GUIDE = 'docs/user-guide.pdf';

/** A new eqp-submission.json (2-space JSON, trailing newline). composer.json that is not JSON gives the defaults. */
export function initialSubmissionFile(composerJsonText: string | undefined): string {
  let composer: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(composerJsonText ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) composer = parsed as Record<string, unknown>;
  } catch {
    // Defaults: pre-flight reports the broken composer.json on its own.
  }
  const file: Record<string, unknown> = {
    action: { technical: 'draft' },
    type: composer.type === 'magento2-theme' ? 'theme' : 'extension',
    version_compatibility: [{ edition: 'CE', versions: ['2.4'] }],
    release_notes: RELEASE_NOTES_PLACEHOLDER,
  };
  const license = licenseTypeFor(composer.license);
  if (license) file.license_type = license;
  if (license === 'custom') {
    // Left empty on purpose: the schema and pre-flight flag them until the user fills them in.
    file.custom_license_name = '';
    file.custom_license_url = '';
  }
  file.documentation_artifacts = { user: DEFAULT_USER_GUIDE };
  return `${JSON.stringify(file, null, 2)}\n`;
}
