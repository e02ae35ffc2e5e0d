// eqp-submission.json (#13): its JSON schema (checked here with a tiny validator of the keywords it uses, not a
// full JSON Schema engine), parseSubmissionFile's problems and their ranges, and initialSubmissionFile.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../repoRoot';
import { initialSubmissionFile, licenseTypeFor } from '../../src/submit/initFile';
import { packagePath, parseSubmissionFile, RELEASE_NOTES_PLACEHOLDER } from '../../src/submit/spec';
import type { PreflightProblem } from '../../src/submit/types';

type Schema = Record<string, unknown>;
const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'media', 'schemas', 'eqp-submission.schema.json'), 'utf8')) as Schema;

/** Errors of `value` against the draft-07 keywords the schema uses (type, enum, const, required, properties…). */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const typeOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (typeof schema.type === 'string' && typeOf(value) !== schema.type) return [`${at}: not ${schema.type}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${at}: not in enum`);
  if ('const' in schema && schema.const !== value) errors.push(`${at}: not const`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: pattern`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at}: too few items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${at}: duplicates`);
    if (schema.items) value.forEach((v, i) => errors.push(...validate(schema.items as Schema, v, `${at}[${i}]`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errors.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errors.push(...validate(props[key], v, `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown ${key}`);
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => validate(s, value, at).length === 0).length;
    if (passing !== 1) errors.push(`${at}: oneOf matched ${passing}`);
  }
  if (schema.if && validate(schema.if as Schema, value, at).length === 0 && schema.then) errors.push(...validate(schema.then as Schema, value, at));
  return errors;
}

const codes = (problems: PreflightProblem[]): string[] => problems.map((p) => p.code);
const find = (problems: PreflightProblem[], code: string): PreflightProblem => {
  const p = problems.find((x) => x.code === code);
  assert.ok(p, `expected ${code} in ${JSON.stringify(codes(problems))}`);
  return p;
};

const GOOD = {
  action: { technical: 'submit', marketing: 'draft' },
  type: 'extension',
  sku: 'acme/module-example',
  version_compatibility: [{ edition: 'CE', versions: ['2.4'] }, { edition: 'EE', versions: ['2.3', '2.4'] }],
  release_notes: 'Fixes the checkout.',
  license_type: 'osl',
  documentation_artifacts: { user: 'docs/user-guide.pdf' },
};

describe('submit: eqp-submission.json schema', () => {
  it('is a draft-07 schema that refuses unknown fields and says secrets never go in the file', () => {
    assert.equal(SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(SCHEMA.additionalProperties, false);
    assert.match(String(SCHEMA.description), /never go in this file/);
    const props = SCHEMA.properties as Record<string, Schema>;
    assert.deepEqual((props.license_type as Schema).enum, ['afl', 'apache', 'bsd', 'gnu-gpl', 'gnu-lgpl', 'mit', 'mozilla', 'osl', 'custom']);
    for (const [name, prop] of Object.entries(props)) assert.ok(prop.description || prop.markdownDescription, `${name} has a description`);
  });

  it('accepts what initialSubmissionFile writes and a full example; refuses typos, bad enums and an incomplete custom license', () => {
    assert.deepEqual(validate(SCHEMA, JSON.parse(initialSubmissionFile('{"name":"a/b","type":"magento2-module","license":"OSL-3.0"}'))), []);
    assert.deepEqual(validate(SCHEMA, JSON.parse(initialSubmissionFile('{"type":"magento2-theme"}'))), []);
    assert.deepEqual(validate(SCHEMA, GOOD), []);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, release_notes: { path: 'CHANGELOG.md' } }), []);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, licence_type: 'mit' }), ['$: unknown licence_type']);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, license_type: 'gpl' }), ['$.license_type: not in enum']);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, action: { technical: 'publish' } }), ['$.action.technical: not in enum']);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, version_compatibility: [{ edition: 'CE', versions: ['2.4.7'] }] }), ['$.version_compatibility[0].versions[0]: pattern']);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, license_type: 'custom' }), ['$: missing custom_license_name', '$: missing custom_license_url']);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, license_type: 'custom', custom_license_name: 'Ours', custom_license_url: 'https://acme.test/license' }), []);
    assert.deepEqual(validate(SCHEMA, { ...GOOD, documentation_artifacts: { user: 'guide.docx' } }), ['$.documentation_artifacts.user: pattern']);
    // The initial proprietary file is flagged until the custom license is filled in.
    assert.notDeepEqual(validate(SCHEMA, JSON.parse(initialSubmissionFile('{"license":"proprietary"}'))), []);
  });
});

describe('submit: parseSubmissionFile', () => {
  const read = (files: Record<string, string>) => async (rel: string): Promise<string | undefined> => files[rel];

  it('reads a good file into a SubmissionSpec with the place of each value', async () => {
    const text = JSON.stringify({ ...GOOD, release_notes: { path: './notes\\1.0.md' } }, null, 2);
    const { spec, problems, locations } = await parseSubmissionFile(text, { readText: read({ 'notes/1.0.md': 'New: a thing.' }) });
    assert.deepEqual(problems, []);
    assert.deepEqual(spec, {
      technical: 'submit', marketing: 'draft', type: 'extension', sku: 'acme/module-example',
      versionCompatibility: GOOD.version_compatibility, releaseNotes: 'New: a thing.', releaseNotesPath: 'notes/1.0.md',
      licenseType: 'osl', userGuide: 'docs/user-guide.pdf',
    });
    const userLine = text.split('\n').findIndex((l) => l.includes('"user"'));
    assert.equal(locations['documentation_artifacts.user']?.startLine, userLine);
    assert.ok(locations['action.technical']);
  });

  it('reports invalid JSON at the place it breaks, in plain words', async () => {
    const { spec, problems } = await parseSubmissionFile('{\n  "action": { "technical": "draft" },\n  "type": extension\n}');
    assert.equal(spec, undefined);
    const p = find(problems, 'spec-invalid-json');
    assert.equal(p.file, 'eqp-submission.json');
    assert.equal(p.range?.startLine, 2);
    assert.equal(p.range?.startCharacter, 10);
    assert.match(p.message, /not valid JSON: an unexpected character/);
    assert.equal(codes((await parseSubmissionFile('{ // no\n "action": {"technical": "draft"} }')).problems)[0], 'spec-invalid-json');
    assert.deepEqual(codes((await parseSubmissionFile('[1]')).problems), ['spec-not-object']);
  });

  it('points wrong types, unknown fields, licenses and editions at their values', async () => {
    const text = [
      '{',
      '  "action": { "technical": "publish" },',
      '  "licence_type": "mit",',
      '  "license_type": "gpl",',
      '  "sku": 42,',
      '  "version_compatibility": [{ "edition": "XE", "versions": ["2.4.7"] }],',
      '  "documentation_artifacts": { "user": "../outside.pdf", "installation": "install.docx" }',
      '}',
    ].join('\n');
    const { spec, problems } = await parseSubmissionFile(text);
    assert.equal(spec, undefined);
    const line = (code: string, n = 0): number | undefined => problems.filter((p) => p.code === code)[n]?.range?.startLine;
    assert.equal(line('spec-invalid-action'), 1);
    assert.equal(line('spec-unknown-field'), 2);
    assert.equal(find(problems, 'spec-unknown-field').range?.startCharacter, 2);
    assert.equal(line('spec-unknown-license'), 3);
    assert.match(find(problems, 'spec-unknown-license').message, /"gpl" is not one of: afl, apache/);
    assert.equal(line('spec-wrong-type'), 4);
    assert.match(find(problems, 'spec-wrong-type').message, /sku must be text.*not a number/);
    assert.equal(line('spec-invalid-edition'), 5);
    assert.equal(line('spec-invalid-version'), 5);
    assert.equal(line('spec-path-outside'), 6);
    assert.equal(line('spec-guide-not-pdf'), 6);
    for (const p of problems) assert.equal(p.severity, 'error', p.code);
  });

  it('a custom license needs its name and URL; the URL must be a web address', async () => {
    const base = { action: { technical: 'draft' } };
    const noName = await parseSubmissionFile(JSON.stringify({ ...base, license_type: 'custom', custom_license_url: 'https://acme.test/l' }));
    assert.deepEqual(codes(noName.problems), ['spec-custom-license-incomplete']);
    assert.match(noName.problems[0]?.message ?? '', /custom_license_name/);
    const badUrl = await parseSubmissionFile(JSON.stringify({ ...base, license_type: 'custom', custom_license_name: 'Ours', custom_license_url: 'acme license' }));
    assert.deepEqual(codes(badUrl.problems), ['spec-invalid-license-url']);
    const ok = await parseSubmissionFile(JSON.stringify({ ...base, license_type: 'custom', custom_license_name: 'Ours', custom_license_url: 'https://acme.test/l' }));
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.spec?.customLicenseName, 'Ours');
    const unused = await parseSubmissionFile(JSON.stringify({ ...base, license_type: 'mit', custom_license_name: 'Ours' }));
    assert.deepEqual(unused.problems.map((p) => [p.code, p.severity]), [['spec-custom-license-unused', 'warning']]);
    assert.ok(unused.spec, 'a warning leaves the file usable');
  });

  it('submit needs version_compatibility and release notes (on action.technical); a draft does not', async () => {
    const submit = await parseSubmissionFile('{\n  "action": {\n    "technical": "submit"\n  }\n}');
    assert.deepEqual(codes(submit.problems), ['spec-missing-version-compatibility', 'spec-missing-release-notes']);
    for (const p of submit.problems) assert.equal(p.range?.startLine, 2);
    const draft = await parseSubmissionFile('{ "action": { "technical": "draft" } }');
    assert.deepEqual(draft.problems, []);
    assert.deepEqual(draft.spec, { technical: 'draft', versionCompatibility: [] });
    assert.deepEqual(codes((await parseSubmissionFile('{}')).problems), ['spec-missing-action']);
    assert.deepEqual(codes((await parseSubmissionFile('{"action": {"technical": "submit"}, "version_compatibility": []}')).problems), ['spec-missing-version-compatibility', 'spec-missing-release-notes']);
  });

  it('release_notes.path must exist in the package; the placeholder is a warning when submitting', async () => {
    const missing = await parseSubmissionFile('{"action": {"technical": "draft"},\n"release_notes": {"path": "RELEASE.md"}}', { readText: read({}) });
    const p = find(missing.problems, 'spec-release-notes-not-found');
    assert.equal(p.range?.startLine, 1);
    assert.match(p.message, /RELEASE\.md was not found/);
    assert.deepEqual(codes((await parseSubmissionFile('{"action": {"technical": "draft"}, "release_notes": {"path": "/etc/passwd"}}', { readText: read({}) })).problems), ['spec-path-outside']);
    assert.deepEqual(codes((await parseSubmissionFile('{"action": {"technical": "draft"}, "release_notes": 3}')).problems), ['spec-wrong-type']);
    const placeholder = JSON.stringify({ ...GOOD, release_notes: RELEASE_NOTES_PLACEHOLDER });
    const parsed = await parseSubmissionFile(placeholder);
    assert.deepEqual(parsed.problems.map((x) => [x.code, x.severity]), [['spec-release-notes-placeholder', 'warning']]);
  });

  it('package paths: relative inside the root only', () => {
    assert.equal(packagePath('docs/guide.pdf'), 'docs/guide.pdf');
    assert.equal(packagePath('.\\docs\\\\guide.pdf'), 'docs/guide.pdf');
    for (const bad of ['', '/abs.pdf', 'C:\\x.pdf', '../x.pdf', 'a/../../x.pdf', '.']) assert.equal(packagePath(bad), undefined, bad);
  });
});

describe('submit: initialSubmissionFile', () => {
  it('writes a draft prefilled from composer.json, 2-space JSON with a final newline', () => {
    const text = initialSubmissionFile(JSON.stringify({ name: 'acme/module-example', type: 'magento2-module', license: ['OSL-3.0', 'AFL-3.0'] }));
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "action": {\n    "technical": "draft"\n  },'));
    assert.deepEqual(JSON.parse(text), {
      action: { technical: 'draft' },
      type: 'extension',
      version_compatibility: [{ edition: 'CE', versions: ['2.4'] }],
      release_notes: RELEASE_NOTES_PLACEHOLDER,
      license_type: 'osl',
      documentation_artifacts: { user: 'docs/user-guide.pdf' },
    });
    assert.equal(JSON.parse(initialSubmissionFile('{"type":"magento2-theme"}')).type, 'theme');
    const broken = JSON.parse(initialSubmissionFile('{ not json')) as Record<string, unknown>;
    assert.equal(broken.type, 'extension');
    assert.equal(broken.license_type, undefined);
  });

  it('maps SPDX licenses to the Marketplace license types', () => {
    const cases: [unknown, string | undefined][] = [
      ['OSL-3.0', 'osl'], ['AFL-3.0', 'afl'], ['MIT', 'mit'], ['Apache-2.0', 'apache'], ['BSD-2-Clause', 'bsd'],
      ['GPL-3.0-only', 'gnu-gpl'], ['GPL-3.0-or-later', 'gnu-gpl'], ['LGPL-3.0', 'gnu-lgpl'], ['MPL-1.1', 'mozilla'],
      ['proprietary', 'custom'], ['GPL-2.0', undefined], ['BSD-3-Clause', undefined], [['GPL-2.0', 'MIT'], 'mit'], [undefined, undefined],
    ];
    for (const [license, want] of cases) assert.equal(licenseTypeFor(license), want, JSON.stringify(license));
  });

  it('what it writes parses without problems (a draft), except the proprietary license left to fill in', async () => {
    assert.deepEqual((await parseSubmissionFile(initialSubmissionFile('{"license":"MIT"}'))).problems, []);
    const custom = await parseSubmissionFile(initialSubmissionFile('{"license":"proprietary"}'));
    assert.deepEqual(codes(custom.problems), ['spec-empty-value', 'spec-empty-value']);
  });
});
