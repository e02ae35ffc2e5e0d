// Bundle figures of `npm run bench`: dist/extension.js as `node esbuild.js --production` builds it, against a
// plain esbuild bundle of axios alone built in the same run, what each stub in esbuild.js saves, and the
// packages that make up the bundle (from esbuild's metafile).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

const gzipSize = (buf) => zlib.gzipSync(buf, { level: 9 }).length;

/** `node_modules/axios/node_modules/agent-base/dist/x.js` -> `agent-base`; `src/keys/tree.ts` -> `src/keys`;
 *  `build/stubs/formData.ts` -> `build/stubs`. */
export function packageOf(input) {
  if (/^[a-z-]+:/.test(input)) return '(esbuild glue)'; // a plugin's virtual module, e.g. shared-vscode:vscode
  const nm = input.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = input.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const parts = input.split('/');
  if (parts[0] === 'build') return parts.slice(0, 2).join('/'); // build/stubs/x.ts -> build/stubs (esbuild.js's stubs)
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0] === 'src' ? 'src (top level)' : input;
}

/** The shipped bundle's entry in esbuild's metafile: `node esbuild.js` also writes the test entry's bundle
 *  (run/test-extension/dist/extension.js), which is not what users get and is not measured. */
function shippedOutput(meta) {
  return meta.outputs['dist/extension.js'] ?? meta.outputs[path.join('dist', 'extension.js')];
}

/**
 * Runs `node esbuild.js --production` and copies the result at once (other people's builds may rewrite dist/
 * while the bench runs). Checks the copy is the bundle the metafile describes. Returns its path and the metafile's.
 */
export function buildProduction({ root, workDir }) {
  fs.mkdirSync(workDir, { recursive: true });
  const metafile = path.join(workDir, 'metafile.json');
  execFileSync(process.execPath, ['esbuild.js', '--production', `--metafile=${metafile}`], { cwd: root, stdio: 'inherit' });
  const copy = path.join(workDir, 'extension.production.js');
  fs.copyFileSync(path.join(root, 'dist', 'extension.js'), copy);
  const meta = JSON.parse(fs.readFileSync(metafile, 'utf8'));
  const described = shippedOutput(meta)?.bytes;
  const size = fs.statSync(copy).size;
  if (described !== size) throw new Error(`dist/extension.js (${size} B) is not the production build just made (${described} B): did another build overwrite it?`);
  return { bundleFile: copy, metafile };
}

/**
 * @param {object} o
 * @param {string} o.root
 * @param {{bundleFile: string, metafile: string}} o.build  from buildProduction()
 */
export async function measureBundle({ root, build }) {
  const require = createRequire(path.join(root, 'package.json'));
  const esbuild = require('esbuild');
  const { STUBS, buildOptions } = require(path.join(root, 'esbuild.js'));
  const { bundleFile, metafile } = build;
  const bundle = fs.readFileSync(bundleFile);

  // Baseline: what `require('axios')` alone bundles to for Node (its prebuilt CJS build with form-data/mime-db,
  // follow-redirects, proxy support), minified, no stubs.
  const axiosAlone = await esbuild.build({
    stdin: { contents: "module.exports = require('axios');", resolveDir: root, sourcefile: 'axios-alone.js', loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', minify: true, write: false, logLevel: 'error',
  });
  const axiosBytes = axiosAlone.outputFiles[0].contents;

  // Who contributes what.
  const meta = JSON.parse(fs.readFileSync(metafile, 'utf8'));
  const output = shippedOutput(meta);
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = packageOf(input);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);

  // What each stub saves: the same production build with that one stub left out (in memory, nothing written).
  const sizeWith = async (stubs) => {
    const options = buildOptions({ production: true, stubs });
    const result = await esbuild.build({ ...options, write: false, logLevel: 'error' });
    return result.outputFiles.find((f) => f.path.endsWith('.js')).contents.length;
  };
  const all = STUBS.map((s) => s.name);
  const stubs = [];
  for (const name of all) stubs.push({ name, saves: (await sizeWith(all.filter((n) => n !== name))) - bundle.length });
  const withoutAnyStub = await sizeWith([]);

  return {
    bytes: bundle.length,
    gzip: gzipSize(bundle),
    axiosAlone: { bytes: axiosBytes.length, gzip: gzipSize(axiosBytes) },
    packages,
    stubs,
    withoutAnyStub,
  };
}
