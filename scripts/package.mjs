// `npm run package`: builds eqp-keys-<version>.vsix with @vscode/vsce (no network needed), then lists what is
// inside and fails if anything but dist/extension.js, media/, package.json, README, CHANGELOG and LICENSE is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const out = path.join(ROOT, `${pkg.name}-${pkg.version}.vsix`);

/** What the .vsix may hold (vsce adds its manifest files). */
export const ALLOWED = [
  /^extension\/dist\/extension\.js$/,
  /^extension\/media\/[^/]+\.(svg|png)$/,
  /^extension\/media\/walkthrough\/[^/]+\.(md|svg|png)$/, // the Get Started walkthrough's step pages
  /^extension\/media\/schemas\/[^/]+\.schema\.json$/, // JSON schemas of contributes.jsonValidation (eqp-submission.json)
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/changelog\.md$/i,
  /^extension\/LICENSE(\.txt)?$/i,
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
];

export async function listVsix(file) {
  const yauzl = (await import('yauzl')).default;
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      zip.on('entry', (e) => { names.push({ name: e.fileName, size: e.uncompressedSize }); zip.readEntry(); });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Packages the .vsix into `file` (default: eqp-keys-<version>.vsix here). vsce's prepublish leaves the
 *  production bundle in dist/. */
export async function buildVsix({ file = out } = {}) {
  fs.rmSync(file, { force: true });
  const r = spawnSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '--out', file], {
    cwd: ROOT, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  const entries = await listVsix(file);
  const unexpected = entries.filter((e) => !ALLOWED.some((re) => re.test(e.name)));
  return { file, entries, unexpected };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, entries, unexpected } = await buildVsix();
  console.log(`${path.basename(file)} (${(fs.statSync(file).size / 1024).toFixed(1)} KiB):`);
  for (const e of entries) console.log(`  ${e.name}  ${e.size} B`);
  if (unexpected.length) {
    console.error(`not allowed in the .vsix: ${unexpected.map((e) => e.name).join(', ')} (see .vscodeignore)`);
    process.exit(1);
  }
}
