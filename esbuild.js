// Bundles the extension (see the official esbuild sample): one configuration, two outputs.
//   dist/extension.js                    the shipped bundle (src/extension.ts), what the .vsix holds; no test hooks
//   run/test-extension/dist/extension.js the test entry (test/entry/extension.ts): the same activate() wrapped with
//                                        the integration suite's hooks; never shipped
// run/test-extension/ is refreshed as a loadable extension folder (package.json, media/, README, CHANGELOG,
// LICENSE beside that bundle): the integration suite loads it as the extension under development.
// `--production` minifies and drops source maps; `--watch` rebuilds on change; `--metafile=FILE` writes esbuild's
// metafile (what each input contributes; `npm run bench` reads it). Required as a module (by bench/), it only
// exports its options and does not build.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const metafileArg = process.argv.find((a) => a.startsWith('--metafile='));

const AXIOS_LIB = path.join('node_modules', 'axios', 'lib');
const AXIOS_ADAPTERS = path.join(AXIOS_LIB, 'adapters', 'adapters.js');
const AXIOS_HTTP = path.join(AXIOS_LIB, 'adapters', 'http.js');

/**
 * Modules the EQP client never reaches, swapped for something smaller. The client (src/eqp/client.ts) sends a
 * plain object as JSON (or nothing), or, for file uploads, Node's own spec-compliant FormData of file-backed Blobs
 * with an upload progress callback; always with `maxRedirects: 0`, no `params` and no rate limits, through axios's
 * Node `http` adapter, to an http(s) URL that validateServiceUrl checked. The stubs are
 * build inputs and live in build/stubs/. Each one either throws if it is ever reached (build/stubs/reached.ts:
 * the message starts "EQP build stub reached: <name>" and the name is recorded where the tests look), or is
 * exactly what the original module evaluates to in the extension host, which is a Node process (the xhr adapter,
 * `debug`). `from` limits a stub to imports made from files under that path.
 *
 * The filters name private files of one axios version, so package.json pins axios exactly, and a stub whose
 * filter matches nothing fails the build (the real module would be bundled again without anyone noticing).
 * `npm run bench` prints what each stub saves. The integration suite (`npm test -- integration`) runs on the
 * production bundle, over http and https, and fails if any stub was reached; test/unit/buildStubs.test.ts checks
 * that every stub matches and that one which matches nothing fails the build.
 *
 * Left in on purpose: https-proxy-agent, proxy-from-env and shouldBypassProxy (axios uses them when
 * HTTPS_PROXY/NO_PROXY are set: people behind a proxy need them), the http2 session helper (built when axios
 * loads), and HttpStatusCode (a data table axios exports). Evaluated and not worth it: `target: 'node20'` (not one
 * byte smaller than node18), `charset: 'utf8'` (~170 bytes), `drop: ['debugger']` (there are none), dropping legal
 * comments (the bundle has none).
 */
const STUBS = [
  {
    // The form-data npm package (with mime-db, ~200 KB): axios's Node platform offers it as its FormData class for
    // building forms from objects (toFormData); the client builds Node's own global FormData itself, which axios
    // streams without this package.
    name: 'form-data',
    filter: /^form-data$/,
    to: 'build/stubs/formData.ts',
  },
  {
    // follow-redirects (with debug, ~18 KB) serves redirects; maxRedirects: 0 keeps credentials from following one.
    name: 'follow-redirects',
    filter: /^follow-redirects$/,
    to: 'build/stubs/followRedirects.ts',
  },
  {
    // axios's fetch adapter (~11 KB with its helpers) is tried only after the http adapter, which always works in
    // Node; the stub throws if anyone asks for `adapter: 'fetch'`.
    name: 'axios fetch adapter',
    filter: /^\.\/fetch\.js$/,
    from: AXIOS_ADAPTERS,
    to: 'build/stubs/axiosFetchAdapter.ts',
  },
  {
    // axios's XMLHttpRequest adapter (~3 KB): in Node the real module evaluates to `false` (no XMLHttpRequest),
    // and so does the stub; axios then says "adapter xhr is not supported by the environment" if asked for it.
    name: 'axios xhr adapter',
    filter: /^\.\/xhr\.js$/,
    from: AXIOS_ADAPTERS,
    to: 'build/stubs/axiosXhrAdapter.ts',
  },
  {
    // data: URL decoding (~1.7 KB), used by the http adapter for data: URLs only.
    name: 'axios data: URLs',
    filter: /^\.\.\/helpers\/(fromDataURI|estimateDataURLDecodedBytes)\.js$/,
    from: AXIOS_HTTP,
    to: 'build/stubs/axiosDataUrl.ts',
  },
  {
    // Objects turned into forms or url-encoded bodies (toFormData), forms turned into JSON (formDataToJSON), the
    // `params` option (~4 KB). Not stubbed: formDataToStream and readBlob, which stream the client's uploads, and
    // the progress helpers (progressEventReducer, AxiosTransformStream) behind their onUploadProgress.
    name: 'axios form bodies and params',
    filter: /^(\.\.?\/|\.\/helpers\/|\.\.\/helpers\/)(toFormData|formDataToJSON)\.js$/,
    from: AXIOS_LIB,
    to: 'build/stubs/axiosFormBody.ts',
  },
  {
    // axios's own proxy support (https-proxy-agent with agent-base and debug, ~12 KB; proxy-from-env): the client
    // sets `proxy: false` and src/eqp/transport.ts chooses proxies and tunnels (CONNECT) itself.
    name: 'https-proxy-agent',
    filter: /^https-proxy-agent$/,
    from: AXIOS_HTTP,
    to: 'build/stubs/httpsProxyAgent.ts',
  },
  {
    name: 'proxy-from-env',
    filter: /^proxy-from-env$/,
    from: AXIOS_HTTP,
    to: 'build/stubs/proxyFromEnv.ts',
  },
  {
    name: 'axios shouldBypassProxy',
    filter: /^\.\.\/helpers\/shouldBypassProxy\.js$/,
    from: AXIOS_HTTP,
    to: 'build/stubs/proxyFromEnv.ts',
  },
];

/**
 * Resolves `stubs` to their replacements. A stub whose filter matched nothing is a build error that names it:
 * axios or debug changed their layout (a new version?) and the real module would be bundled again.
 */
function stubPlugin(stubs) {
  return {
    name: 'stub-unreached-modules',
    setup(build) {
      const used = new Set();
      for (const stub of stubs) {
        build.onResolve({ filter: stub.filter }, (args) => {
          if (stub.from && !args.importer.includes(stub.from)) return undefined;
          used.add(stub.name);
          return { path: path.join(__dirname, stub.to) };
        });
      }
      build.onStart(() => used.clear());
      build.onEnd((result) => {
        if (result.errors.length > 0) return undefined;
        const unmatched = stubs.filter((s) => !used.has(s.name));
        return {
          errors: unmatched.map((s) => ({
            text: `stub "${s.name}" matched nothing (filter ${s.filter}${s.from ? ` from ${s.from}` : ''}): the module it replaces moved or is gone; check the pinned axios version and the STUBS in esbuild.js`,
          })),
        };
      });
    },
  };
}

/**
 * One interop object for the `vscode` API instead of one per importing file. esbuild turns each
 * `import * as vscode from 'vscode'` of an external CommonJS module into its own `__toESM(require('vscode'))`,
 * which copies every export of the API (hundreds of getters) once per file: 26 files, so thousands of
 * defineProperty calls while the bundle loads, inside the activation time. Routing them through one virtual module
 * (`export * from 'vscode'`) copies once. The getters read the same API object, so stubbing `vscode.window.*` in
 * tests works as before; the source only uses namespace imports of 'vscode', which this keeps intact.
 */
const sharedVscodeNamespace = {
  name: 'shared-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'shared-vscode' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'shared-vscode' },
    );
    build.onLoad({ filter: /.*/, namespace: 'shared-vscode' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

/**
 * The outputs of the one configuration, by name: `in` is the entry, `out` the bundle's path without `.js` (relative
 * to this folder, which is esbuild's outdir). The test output lives in TEST_EXTENSION, a folder VS Code can load as
 * the extension (stageTestExtension); run/ is git-ignored and left out of the .vsix by .vscodeignore.
 */
const TEST_EXTENSION = 'run/test-extension';
const OUTPUTS = {
  shipped: { in: 'src/extension.ts', out: 'dist/extension' },
  test: { in: 'test/entry/extension.ts', out: `${TEST_EXTENSION}/dist/extension` },
};

/**
 * The build options. `outputs` names which of OUTPUTS to build (default: the shipped bundle only, which is what
 * bench/ and the stub tests measure; `node esbuild.js` builds both). `stubs` limits the replacements to those named (bench uses it to price each one); only those
 * must match. `extraStubs` adds more (test/unit/buildStubs.test.ts adds one that matches nothing).
 */
function buildOptions({ production: prod = false, stubs, extraStubs = [], outputs = ['shipped'] } = {}) {
  const active = [...STUBS.filter((s) => !stubs || stubs.includes(s.name)), ...extraStubs];
  return {
    entryPoints: outputs.map((name) => ({ in: path.join(__dirname, OUTPUTS[name].in), out: OUTPUTS[name].out })),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // ES modules before `main` (as the VS Code esbuild sample does): jsonc-parser's `main` is a UMD build whose
    // require('./impl/format') esbuild cannot follow, so the bundle would throw "Cannot find module" at run time.
    mainFields: ['module', 'main'],
    target: 'node18',
    minify: prod,
    sourcemap: !prod,
    sourcesContent: false,
    outdir: __dirname,
    external: ['vscode'],
    logLevel: 'warning',
    metafile: true,
    plugins: [sharedVscodeNamespace, stubPlugin(active)],
  };
}

/** Prints errors in the problem-matcher format VS Code's esbuild tasks understand. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * Makes TEST_EXTENSION a folder VS Code loads as EQP Keys: the same package.json (same id, same `main:
 * ./dist/extension.js`, which the build writes there), and copies of media/ (icons, walkthrough pages), README,
 * CHANGELOG and LICENSE. Copies, not symlinks: code-server resolves extension resources through its own file
 * service. Refreshed on every build, so an edited package.json or walkthrough page is picked up.
 */
function stageTestExtension() {
  const dir = path.join(__dirname, TEST_EXTENSION);
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (fs.existsSync(path.join(__dirname, f))) fs.copyFileSync(path.join(__dirname, f), path.join(dir, f));
  }
  fs.rmSync(path.join(dir, 'media'), { recursive: true, force: true });
  fs.cpSync(path.join(__dirname, 'media'), path.join(dir, 'media'), { recursive: true });
}

async function main() {
  stageTestExtension();
  const options = buildOptions({ production, outputs: Object.keys(OUTPUTS) });
  if (watch) options.plugins.push(problemMatcher);
  const ctx = await esbuild.context(options);
  if (watch) {
    await ctx.watch();
  } else {
    const result = await ctx.rebuild();
    await ctx.dispose();
    // A source map left by an earlier development build would otherwise ship beside the minified bundle.
    if (production) for (const o of Object.values(OUTPUTS)) fs.rmSync(path.join(__dirname, `${o.out}.js.map`), { force: true });
    if (metafileArg) fs.writeFileSync(metafileArg.slice('--metafile='.length), JSON.stringify(result.metafile));
  }
}

module.exports = { STUBS, OUTPUTS, TEST_EXTENSION, buildOptions };

if (require.main === module) {
  main().catch((e) => {
    // esbuild has already printed its own errors (a stub that matched nothing among them); print anything else.
    if (!Array.isArray(e?.errors)) console.error(e);
    process.exit(1);
  });
}
