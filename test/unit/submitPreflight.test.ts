// Pre-flight (#13): composer.json, the files each package type needs, the guides, the zip size and a version
// already submitted, over an in-memory PackageView; and the Node view over a real folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkComposer, hasBareWildcard } from '../../src/submit/composer';
import { nodePackageView } from '../../src/submit/nodeFs';
import { checkNotSubmitted, checkPackage, checkZipSize, MAX_ZIP_BYTES, type PackageView } from '../../src/submit/preflight';
import { parseSubmissionFile } from '../../src/submit/spec';
import type { PreflightProblem } from '../../src/submit/types';

const PDF = '%PDF-1.7\n...';

function memoryView(files: Record<string, string>): PackageView {
  return {
    readText: async (rel) => files[rel],
    exists: async (rel) => rel in files,
    readBytes: async (rel, max) => (rel in files ? Buffer.from(files[rel] ?? '').subarray(0, max) : undefined),
  };
}

function composer(fields: Record<string, unknown>): string {
  return JSON.stringify({ name: 'acme/module-example', type: 'magento2-module', version: '1.0.0', require: { 'magento/framework': '^103.0' }, ...fields }, null, 2);
}

const MODULE = { 'registration.php': '<?php', 'etc/module.xml': '<config/>', 'docs/user-guide.pdf': PDF };
const codes = (problems: PreflightProblem[]): string[] => problems.map((p) => p.code);

async function submission(json: Record<string, unknown>, view: PackageView) {
  const parsed = await parseSubmissionFile(JSON.stringify(json, null, 2), { readText: (rel) => view.readText(rel) });
  assert.ok(parsed.spec, JSON.stringify(parsed.problems));
  return { spec: parsed.spec, locations: parsed.locations };
}

describe('submit: composer.json checks', () => {
  it('a good module passes', async () => {
    const view = memoryView({ 'composer.json': composer({}), ...MODULE });
    const { composer: info, problems } = await checkPackage(view);
    assert.deepEqual(problems, []);
    assert.equal(info?.name, 'acme/module-example');
    assert.equal(info?.version, '1.0.0');
    assert.equal(info?.locations.version?.startLine, 3);
  });

  it('no composer.json is a problem about the package (no file to point at)', async () => {
    const { problems } = await checkPackage(memoryView({}));
    assert.deepEqual(problems.map((p) => [p.code, p.file]), [['composer-missing', undefined]]);
  });

  it('invalid JSON points at where it breaks', () => {
    const { problems } = checkComposer('{\n  "name": "acme/x",\n  "type": "magento2-module"\n  "version": "1.0.0"\n}');
    assert.deepEqual(codes(problems), ['composer-invalid-json']);
    assert.equal(problems[0]?.file, 'composer.json');
    assert.equal(problems[0]?.range?.startLine, 3);
    assert.match(problems[0]?.message ?? '', /a comma was expected/);
  });

  it('name, type and version: missing, of the wrong type, or malformed', () => {
    assert.deepEqual(codes(checkComposer('{}').problems), ['composer-missing-name', 'composer-missing-type', 'composer-missing-version']);
    const bad = checkComposer('{\n"name": "Acme Module",\n"type": 3,\n"version": "1.0"\n}').problems;
    assert.deepEqual(bad.map((p) => [p.code, p.range?.startLine]), [['composer-invalid-name', 1], ['composer-invalid-type', 2], ['composer-invalid-version', 3]]);
    assert.deepEqual(codes(checkComposer(composer({ version: '' })).problems), ['composer-invalid-version']);
    assert.deepEqual(checkComposer(composer({ version: '2.5.3-beta1' })).problems, []);
  });

  it('only the package types the guidelines list; magento2-library is a warning', () => {
    for (const type of ['magento2-module', 'magento2-theme', 'magento2-language', 'metapackage']) {
      assert.deepEqual(checkComposer(composer({ type })).problems, [], type);
    }
    const lib = checkComposer(composer({ type: 'magento2-library' })).problems;
    assert.deepEqual(lib.map((p) => [p.code, p.severity]), [['composer-doubtful-type', 'warning']]);
    const other = checkComposer(composer({ type: 'library' })).problems;
    assert.deepEqual(other.map((p) => [p.code, p.severity, p.range?.startLine]), [['composer-invalid-type', 'error', 2]]);
    assert.match(other[0]?.message ?? '', /"library" is not a package type the Marketplace accepts/);
  });

  it('a * constraint on a magento/* package is an error on that value; other packages and ranges are fine', () => {
    const text = composer({ require: { php: '*', 'magento/framework': '*', 'magento/module-catalog': '^104.0 || *', 'magento/module-cms': '104.0.*', 'acme/lib': '*' } });
    const { problems } = checkComposer(text);
    assert.deepEqual(codes(problems), ['composer-magento-wildcard', 'composer-magento-wildcard']);
    const lines = text.split('\n');
    assert.equal(problems[0]?.range?.startLine, lines.findIndex((l) => l.includes('"magento/framework"')));
    assert.equal(problems[0]?.range?.startCharacter, lines[problems[0]?.range?.startLine ?? 0]?.indexOf('"*"'));
    assert.equal(problems[1]?.range?.startLine, lines.findIndex((l) => l.includes('"magento/module-catalog"')));
    assert.ok(hasBareWildcard('*@dev'));
    assert.ok(hasBareWildcard('>=2.0, *'));
    assert.ok(!hasBareWildcard('2.4.*'));
    assert.ok(!hasBareWildcard('^2.4'));
  });

  it('forbidden dependencies, extra.map, extra.magento-root-dir, inline aliases, an empty metapackage', () => {
    const { problems } = checkComposer(composer({
      require: { 'magento/product-community-edition': '2.4.7', 'acme/lib': 'dev-main as 1.0.0' },
      extra: { map: [['a', 'b']], 'magento-root-dir': '.' },
    }));
    assert.deepEqual(codes(problems), ['composer-forbidden-dependency', 'composer-inline-alias', 'composer-forbidden-extra', 'composer-forbidden-extra']);
    assert.deepEqual(codes(checkComposer(composer({ type: 'metapackage', require: {} })).problems), ['composer-metapackage-empty']);
  });
});

describe('submit: package files, types and guides', () => {
  it('a module needs registration.php and etc/module.xml (pointed at composer.json type)', async () => {
    const { problems } = await checkPackage(memoryView({ 'composer.json': composer({}) }));
    assert.deepEqual(problems.map((p) => [p.code, p.file, p.range?.startLine]), [['package-missing-file', 'composer.json', 2], ['package-missing-file', 'composer.json', 2]]);
    assert.match(problems[0]?.message ?? '', /magento2-module package needs registration\.php/);
    assert.match(problems[1]?.message ?? '', /etc\/module\.xml/);
    const theme = await checkPackage(memoryView({ 'composer.json': composer({ type: 'magento2-theme' }), 'registration.php': '' }));
    assert.match(theme.problems.map((p) => p.message).join(), /theme\.xml/);
    assert.deepEqual(codes((await checkPackage(memoryView({ 'composer.json': composer({ type: 'metapackage' }) }))).problems), []);
  });

  it('a technical submit needs a user guide that is a real PDF; a draft may go without', async () => {
    const files = { 'composer.json': composer({}), ...MODULE };
    const base = { version_compatibility: [{ edition: 'CE', versions: ['2.4'] }], release_notes: 'x' };
    const view = memoryView(files);
    const submit = await submission({ action: { technical: 'submit' }, ...base }, view);
    const missing = await checkPackage(view, submit);
    assert.deepEqual(missing.problems.map((p) => [p.code, p.file, p.range?.startLine]), [['user-guide-missing', 'eqp-submission.json', 2]]);
    assert.deepEqual((await checkPackage(view, await submission({ action: { technical: 'draft' }, ...base }, view))).problems, []);
    assert.deepEqual((await checkPackage(view, await submission({ action: { technical: 'submit' }, type: 'shared_package', ...base }, view))).problems, []);
    const good = await submission({ action: { technical: 'submit' }, ...base, documentation_artifacts: { user: 'docs/user-guide.pdf' } }, view);
    assert.deepEqual((await checkPackage(view, good)).problems, []);

    const notThere = await submission({ action: { technical: 'draft' }, documentation_artifacts: { user: 'docs/missing.pdf' } }, view);
    const nt = (await checkPackage(view, notThere)).problems;
    assert.deepEqual(nt.map((p) => [p.code, p.range?.startLine]), [['guide-not-found', 5]]);
    const fake = memoryView({ ...files, 'docs/user-guide.pdf': 'Just text' });
    const notPdf = (await checkPackage(fake, await submission({ action: { technical: 'submit' }, ...base, documentation_artifacts: { user: 'docs/user-guide.pdf' } }, fake))).problems;
    assert.deepEqual(codes(notPdf), ['guide-not-pdf']);
    assert.match(notPdf[0]?.message ?? '', /does not start with %PDF-/);
  });

  it('the product type must fit the Composer type', async () => {
    const view = memoryView({ 'composer.json': composer({}), ...MODULE });
    const theme = await checkPackage(view, await submission({ action: { technical: 'draft' }, type: 'theme' }, view));
    assert.deepEqual(theme.problems.map((p) => [p.code, p.file, p.range?.startLine]), [['type-mismatch', 'eqp-submission.json', 4]]);
    assert.match(theme.problems[0]?.message ?? '', /A theme must be a Composer package of type magento2-theme; composer.json says "magento2-module"/);
  });
});

describe('submit: zip size and versions already submitted', () => {
  it('at most 30 MB', () => {
    assert.equal(MAX_ZIP_BYTES, 31457280);
    assert.deepEqual(checkZipSize(MAX_ZIP_BYTES), []);
    const [p] = checkZipSize(MAX_ZIP_BYTES + 1, 'acme.zip');
    assert.equal(p?.code, 'zip-too-large');
    assert.match(p?.message ?? '', /acme\.zip is 30\.0 MB; the Marketplace takes at most 30 MB/);
  });

  it('a version already submitted for the SKU (not cancelled) is an error on composer.json version', () => {
    const at = { range: { startLine: 3, startCharacter: 13, endLine: 3, endCharacter: 20 } };
    const existing = [
      { sku: 'acme/module-example', version: '1.0.0', status: { overall: 'released_to_store' } },
      { sku: 'acme/module-example', version: '1.1.0', status: { overall: 'canceled_by_developer' } },
      { sku: 'acme/other', version: '1.2.0', status: { overall: 'draft' } },
      { version: '1.2.0', status: {} },
    ];
    const [p] = checkNotSubmitted('Acme/Module-Example', '1.0.0', existing, at);
    assert.deepEqual([p?.code, p?.file, p?.range], ['version-already-submitted', 'composer.json', at.range]);
    assert.match(p?.message ?? '', /Version 1\.0\.0 of Acme\/Module-Example was already submitted \(it is released to store\)/);
    assert.deepEqual(checkNotSubmitted('acme/module-example', '1.1.0', existing), []);
    assert.deepEqual(checkNotSubmitted('acme/module-example', '1.2.0', existing), []);
    assert.deepEqual(checkNotSubmitted(undefined, '1.0.0', existing), []);
  });
});

describe('submit: the Node package view', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'eqp-view-'));
    fs.mkdirSync(path.join(root, 'docs'));
    fs.writeFileSync(path.join(root, 'docs', 'guide.pdf'), PDF);
    fs.writeFileSync(path.join(root, 'composer.json'), composer({}));
    fs.writeFileSync(path.join(os.tmpdir(), 'eqp-view-outside.txt'), 'outside');
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.join(os.tmpdir(), 'eqp-view-outside.txt'), { force: true });
  });

  it('reads inside the root only', async () => {
    const view = nodePackageView(root);
    assert.match((await view.readText('composer.json')) ?? '', /acme\/module-example/);
    assert.equal(await view.exists('docs/guide.pdf'), true);
    assert.equal(await view.exists('docs'), false, 'a folder is not a file');
    assert.equal(Buffer.from((await view.readBytes('docs/guide.pdf', 5)) ?? []).toString(), '%PDF-');
    assert.equal(await view.readText('missing.txt'), undefined);
    assert.equal(await view.readText('../eqp-view-outside.txt'), undefined);
    assert.equal(await view.exists(path.join(os.tmpdir(), 'eqp-view-outside.txt')), false);
    assert.equal(await view.readBytes('../eqp-view-outside.txt', 5), undefined);
  });
});
