/**
 * eqp-submission.json, read and checked (media/schemas/eqp-submission.schema.json says the same to VS Code while
 * the file is typed; this is what runs before anything is sent). Every problem points at the value it is about.
 * `release_notes: { "path": ... }` is read through the injected `readText`, relative to the package root. No
 * `vscode` import.
 */
import type { Node } from 'jsonc-parser';
import { jsonTypeWords, parseJsonDocument, problemAt, properties, property, type JsonDocument } from './jsonTree';
import type { PreflightProblem, SubmissionSpec, TextRange } from './types';

export const SUBMISSION_FILE = 'eqp-submission.json';

/** What initialSubmissionFile writes as release notes; submitting with it unchanged is a warning. */
export const RELEASE_NOTES_PLACEHOLDER = 'Describe what is new in this version.';

/** packages.md "Additional notes": the valid `license_type` values. */
export const LICENSE_TYPES: readonly string[] = ['afl', 'apache', 'bsd', 'gnu-gpl', 'gnu-lgpl', 'mit', 'mozilla', 'osl', 'custom'];
/** CE, EE, ECE as packages.md's examples and prices use them; M2 as its field table lists it. */
export const EDITIONS: readonly string[] = ['CE', 'EE', 'ECE', 'M2'];
export const PRODUCT_TYPES: readonly string[] = ['extension', 'theme', 'shared_package'];
const ACTIONS: readonly string[] = ['draft', 'submit'];
const TOP_FIELDS: readonly string[] = [
  '$schema', 'action', 'type', 'sku', 'name', 'version_compatibility', 'release_notes', 'license_type',
  'custom_license_name', 'custom_license_url', 'documentation_artifacts',
];
const GUIDES = ['user', 'installation', 'reference'] as const;
/** A Magento version in version_compatibility: major.minor. */
const MAGENTO_VERSION = /^2\.\d+$/;

export interface ParsedSubmission {
  /** Present when the file is usable (no error-severity problem). */
  spec?: SubmissionSpec;
  problems: PreflightProblem[];
  /**
   * Where values are, by JSON path (`action.technical`, `documentation_artifacts.user`, `release_notes`…), so
   * later checks (the user guide, the package type) can point at them.
   */
  locations: Record<string, TextRange>;
}

export interface ParseSubmissionOptions {
  /** The file's path relative to the package root, for problems (default `eqp-submission.json`). */
  file?: string;
  /** Reads a text file relative to the package root (undefined: no such file). Needed for `release_notes.path`. */
  readText?: (relativePath: string) => Promise<string | undefined>;
}

/**
 * A path in the package as the file gives it: `\` becomes `/`, `./` and empty segments go. Undefined when it is
 * absolute or climbs out of the root (`..`), which eqp-submission.json must not do.
 */
export function packagePath(raw: string): string | undefined {
  const slashed = raw.trim().replace(/\\/g, '/');
  if (slashed === '' || slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return undefined;
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments.join('/');
}

export async function parseSubmissionFile(text: string, options: ParseSubmissionOptions = {}): Promise<ParsedSubmission> {
  const file = options.file ?? SUBMISSION_FILE;
  const doc = parseJsonDocument(text);
  const problems: PreflightProblem[] = [];
  const locations: Record<string, TextRange> = {};
  if (doc.syntaxError) {
    problems.push({ code: 'spec-invalid-json', severity: 'error', file, range: doc.syntaxError.range, message: `${file} is not valid JSON: ${doc.syntaxError.message}.` });
    return { problems, locations };
  }
  const root = doc.root;
  if (root?.type !== 'object') {
    problems.push(problemAt(doc, file, root, 'spec-not-object', `${file} must hold one JSON object ({ … }).`));
    return { problems, locations };
  }
  const c = new Checker(doc, file, problems, locations);

  for (const p of properties(root)) {
    locations[p.key] = c.range(p.value);
    if (!TOP_FIELDS.includes(p.key)) {
      c.error(p.keyNode, 'spec-unknown-field', `"${p.key}" is not a field of ${file}; it would be left out. The fields are: ${TOP_FIELDS.filter((f) => f !== '$schema').join(', ')}.`);
    }
  }

  const technical = c.actions(root);
  const marketing = c.enumValue(property(property(root, 'action'), 'marketing'), 'action.marketing', ACTIONS, 'spec-invalid-action');
  const type = c.enumValue(property(root, 'type'), 'type', PRODUCT_TYPES, 'spec-invalid-type');
  const sku = c.text(property(root, 'sku'), 'sku');
  const name = c.text(property(root, 'name'), 'name');
  const versionCompatibility = c.compatibility(property(root, 'version_compatibility'));
  const notes = await c.releaseNotes(property(root, 'release_notes'), options.readText);
  const license = c.license(root);
  const guides: Partial<Record<(typeof GUIDES)[number], string>> = {};
  const docs = property(root, 'documentation_artifacts');
  if (docs && c.expect(docs, 'object', 'documentation_artifacts')) {
    for (const p of properties(docs)) {
      locations[`documentation_artifacts.${p.key}`] = c.range(p.value);
      if (!(GUIDES as readonly string[]).includes(p.key)) {
        c.error(p.keyNode, 'spec-unknown-field', `"${p.key}" is not a guide: the guides are user, installation and reference.`);
        continue;
      }
      const path = c.path(p.value, `documentation_artifacts.${p.key}`);
      if (path === undefined) continue;
      if (!path.toLowerCase().endsWith('.pdf')) c.error(p.value, 'spec-guide-not-pdf', `The ${p.key} guide must be a PDF file (a path ending in .pdf).`);
      guides[p.key as (typeof GUIDES)[number]] = path;
    }
  }

  if (technical === 'submit') {
    const at = property(property(root, 'action'), 'technical');
    if (versionCompatibility.length === 0 && !property(root, 'version_compatibility')) {
      c.error(at, 'spec-missing-version-compatibility', 'To submit, add version_compatibility: the Magento editions and versions the package supports (e.g. [{ "edition": "CE", "versions": ["2.4"] }]).');
    }
    if (notes.text === undefined && !property(root, 'release_notes')) {
      c.error(at, 'spec-missing-release-notes', 'To submit, add release_notes: the text, or { "path": "…" } for a file in the package.');
    } else if (notes.text?.trim() === RELEASE_NOTES_PLACEHOLDER) {
      c.warn(property(root, 'release_notes'), 'spec-release-notes-placeholder', 'The release notes are still the placeholder text: say what is new in this version.');
    }
  }

  if (problems.some((p) => p.severity === 'error') || technical === undefined) return { problems, locations };
  const spec: SubmissionSpec = { technical, versionCompatibility };
  if (marketing) spec.marketing = marketing as SubmissionSpec['technical'];
  if (type) spec.type = type;
  if (sku) spec.sku = sku;
  if (name) spec.name = name;
  if (notes.text !== undefined) spec.releaseNotes = notes.text;
  if (notes.path !== undefined) spec.releaseNotesPath = notes.path;
  if (license.type) spec.licenseType = license.type;
  if (license.name) spec.customLicenseName = license.name;
  if (license.url) spec.customLicenseUrl = license.url;
  if (guides.user) spec.userGuide = guides.user;
  if (guides.installation) spec.installationGuide = guides.installation;
  if (guides.reference) spec.referenceGuide = guides.reference;
  return { spec, problems, locations };
}

/** The per-field checks, each adding its problems; a value of the wrong shape reads as absent. */
class Checker {
  constructor(
    private readonly doc: JsonDocument,
    private readonly file: string,
    private readonly problems: PreflightProblem[],
    private readonly locations: Record<string, TextRange>,
  ) {}

  range(node: Node): TextRange {
    return this.doc.lines.range(node.offset, node.length);
  }

  error(node: Node | undefined, code: string, message: string): void {
    this.problems.push(problemAt(this.doc, this.file, node, code, message));
  }

  warn(node: Node | undefined, code: string, message: string): void {
    this.problems.push(problemAt(this.doc, this.file, node, code, message, 'warning'));
  }

  expect(node: Node, type: Node['type'], field: string): boolean {
    if (node.type === type) return true;
    const want = type === 'object' ? 'an object' : type === 'array' ? 'a list' : type === 'string' ? 'text (in double quotes)' : type;
    this.error(node, 'spec-wrong-type', `${field} must be ${want}, not ${jsonTypeWords(node)}.`);
    return false;
  }

  text(node: Node | undefined, field: string): string | undefined {
    if (!node || !this.expect(node, 'string', field)) return undefined;
    const value = String(node.value).trim();
    if (value === '') this.error(node, 'spec-empty-value', `${field} is empty: fill it in or leave the field out.`);
    return value === '' ? undefined : value;
  }

  enumValue(node: Node | undefined, field: string, allowed: readonly string[], code: string): string | undefined {
    const value = this.text(node, field);
    if (value === undefined || allowed.includes(value)) return value;
    this.error(node, code, `${field} "${value}" is not one of: ${allowed.join(', ')}.`);
    return undefined;
  }

  path(node: Node, field: string): string | undefined {
    const raw = this.text(node, field);
    if (raw === undefined) return undefined;
    const path = packagePath(raw);
    if (path === undefined) this.error(node, 'spec-path-outside', `${field} must be a path inside the package, relative to its root (no leading / and no ..).`);
    return path;
  }

  actions(root: Node): SubmissionSpec['technical'] | undefined {
    const action = property(root, 'action');
    if (!action) {
      this.error(root, 'spec-missing-action', 'Add "action": { "technical": "draft" } (save on the Developer Portal) or "submit" (send to review).');
      return undefined;
    }
    if (!this.expect(action, 'object', 'action')) return undefined;
    for (const p of properties(action)) {
      this.locations[`action.${p.key}`] = this.range(p.value);
      if (p.key !== 'technical' && p.key !== 'marketing') this.error(p.keyNode, 'spec-unknown-field', `"${p.key}" is not an action: the actions are technical and marketing.`);
    }
    const technical = property(action, 'technical');
    if (!technical) {
      this.error(action, 'spec-missing-action', 'Add "technical": "draft" (save on the Developer Portal) or "submit" (send to review) to action.');
      return undefined;
    }
    return this.enumValue(technical, 'action.technical', ACTIONS, 'spec-invalid-action') as SubmissionSpec['technical'] | undefined;
  }

  compatibility(node: Node | undefined): SubmissionSpec['versionCompatibility'] {
    const out: SubmissionSpec['versionCompatibility'] = [];
    if (!node || !this.expect(node, 'array', 'version_compatibility')) return out;
    if ((node.children ?? []).length === 0) this.error(node, 'spec-missing-version-compatibility', 'version_compatibility is empty: list at least one edition with its versions.');
    for (const item of node.children ?? []) {
      if (!this.expect(item, 'object', 'Each version_compatibility entry')) continue;
      for (const p of properties(item)) {
        if (p.key !== 'edition' && p.key !== 'versions') this.error(p.keyNode, 'spec-unknown-field', `"${p.key}" is not a field of a version_compatibility entry (edition, versions).`);
      }
      const editionNode = property(item, 'edition');
      const versionsNode = property(item, 'versions');
      if (!editionNode) this.error(item, 'spec-invalid-edition', 'This entry needs an edition: CE, EE or ECE.');
      const edition = this.enumValue(editionNode, 'edition', EDITIONS, 'spec-invalid-edition');
      const versions: string[] = [];
      if (!versionsNode) this.error(item, 'spec-invalid-version', 'This entry needs versions, e.g. ["2.4"].');
      else if (this.expect(versionsNode, 'array', 'versions')) {
        if ((versionsNode.children ?? []).length === 0) this.error(versionsNode, 'spec-invalid-version', 'versions is empty: list the Magento versions, e.g. ["2.4"].');
        for (const v of versionsNode.children ?? []) {
          const version = this.text(v, 'A version');
          if (version === undefined) continue;
          if (!MAGENTO_VERSION.test(version)) this.error(v, 'spec-invalid-version', `"${version}" is not a Magento version as the Marketplace lists them: major.minor, e.g. "2.4".`);
          else versions.push(version);
        }
      }
      if (edition && versions.length > 0) out.push({ edition, versions });
    }
    return out;
  }

  async releaseNotes(node: Node | undefined, readText: ParseSubmissionOptions['readText']): Promise<{ text?: string; path?: string }> {
    if (!node) return {};
    if (node.type === 'string') return { text: this.text(node, 'release_notes') };
    if (node.type !== 'object') {
      this.error(node, 'spec-wrong-type', `release_notes must be text or { "path": "…" }, not ${jsonTypeWords(node)}.`);
      return {};
    }
    for (const p of properties(node)) {
      if (p.key !== 'path') this.error(p.keyNode, 'spec-unknown-field', `"${p.key}" is not a field of release_notes: give the text, or { "path": "…" }.`);
    }
    const pathNode = property(node, 'path');
    if (!pathNode) {
      this.error(node, 'spec-missing-release-notes', 'release_notes needs "path": a text file in the package, relative to its root.');
      return {};
    }
    this.locations['release_notes.path'] = this.range(pathNode);
    const path = this.path(pathNode, 'release_notes.path');
    if (path === undefined) return {};
    const text = readText ? await readText(path) : undefined;
    if (text === undefined) {
      this.error(pathNode, 'spec-release-notes-not-found', `The release notes file ${path} was not found in the package.`);
      return { path };
    }
    if (text.trim() === '') this.error(pathNode, 'spec-release-notes-empty', `The release notes file ${path} is empty.`);
    return { text, path };
  }

  license(root: Node): { type?: string; name?: string; url?: string } {
    const typeNode = property(root, 'license_type');
    const nameNode = property(root, 'custom_license_name');
    const urlNode = property(root, 'custom_license_url');
    const type = this.enumValue(typeNode, 'license_type', LICENSE_TYPES, 'spec-unknown-license');
    const name = this.text(nameNode, 'custom_license_name');
    const url = this.text(urlNode, 'custom_license_url');
    if (url !== undefined && !/^https?:\/\/[^\s/]+/i.test(url)) {
      this.error(urlNode, 'spec-invalid-license-url', 'custom_license_url must be a web address where the license can be read (https://…).');
    }
    if (type === 'custom') {
      if (name === undefined && !nameNode) this.error(typeNode, 'spec-custom-license-incomplete', 'A custom license needs custom_license_name (its name).');
      if (url === undefined && !urlNode) this.error(typeNode, 'spec-custom-license-incomplete', 'A custom license needs custom_license_url (where it can be read).');
    } else if (type !== undefined && (nameNode || urlNode)) {
      this.warn(nameNode ?? urlNode, 'spec-custom-license-unused', `custom_license_name and custom_license_url are used only with license_type "custom"; this file says "${type}".`);
    }
    return { type, name, url };
  }
}
