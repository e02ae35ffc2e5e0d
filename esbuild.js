// Bundles the extension into one file, dist/extension.js (see the official esbuild sample).
// `--production` minifies and drops source maps; `--watch` rebuilds on change.
const esbuild = require('esbuild');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Two axios dependencies the EQP client never reaches, replaced by stubs that throw if ever used:
 * form-data (with mime-db, ~200 KB) serves multipart uploads, and we send JSON only; follow-redirects (with
 * debug, ~18 KB) serves redirects, and we set maxRedirects: 0 so credentials never follow one.
 */
const stubs = {
  name: 'stub-unused-axios-deps',
  setup(build) {
    build.onResolve({ filter: /^form-data$/ }, () => ({ path: path.join(__dirname, 'src/util/formDataStub.ts') }));
    build.onResolve({ filter: /^follow-redirects$/ }, () => ({ path: path.join(__dirname, 'src/util/followRedirectsStub.ts') }));
  },
};

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

async function main() {
  const ctx = await esbuild.context({
    entryPoints: ['src/extension.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node18',
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    outfile: 'dist/extension.js',
    external: ['vscode'],
    logLevel: 'warning',
    metafile: true,
    plugins: [stubs, ...(watch ? [problemMatcher] : [])],
  });
  if (watch) {
    await ctx.watch();
  } else {
    await ctx.rebuild();
    await ctx.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
