// `npm run test:desktop` cannot run here (desktop VS Code cannot be downloaded offline), so its arguments are
// checked as data: what @vscode/test-electron's runTests would be given.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { desktopRunOptions } from '../desktop/options';

const ROOT = path.resolve(__dirname, '../../..');

describe('npm run test:desktop (arguments for @vscode/test-electron)', () => {
  const run = path.join('/tmp', 'eqp-run');
  const o = desktopRunOptions('/repo', run, { grep: 'activation', extraCaCerts: '/repo/cert.pem' });

  it('loads the staged test entry (not the repository, whose bundle has no hooks) as the extension under development and the compiled integration suite as its tests', () => {
    assert.equal(o.extensionDevelopmentPath, path.join('/repo', 'run', 'test-extension'));
    const config = createRequire(__filename)(path.join(ROOT, 'esbuild.js')) as { TEST_EXTENSION: string };
    assert.equal(path.join('/repo', config.TEST_EXTENSION), o.extensionDevelopmentPath, 'the folder esbuild.js stages');
    assert.equal(o.extensionTestsPath, path.join('/repo', 'run', 'test-extension', 'out', 'test', 'integration', 'index'), 'the suite staged inside the extension folder, so it gets the extension\'s own vscode object');
    assert.ok(fs.existsSync(path.join(ROOT, 'out', 'test', 'integration', 'index.js')), 'the suite entry the desktop run loads is compiled');
  });

  it('opens the run\'s workspace folder first, with fresh user data and extensions folders of the run, every other extension off', () => {
    assert.equal(o.launchArgs[0], path.join(run, 'ws'));
    const after = (flag: string): string | undefined => o.launchArgs[o.launchArgs.indexOf(flag) + 1];
    assert.equal(after('--user-data-dir'), path.join(run, 'ud'));
    assert.equal(after('--extensions-dir'), path.join(run, 'ext'));
    assert.ok(o.launchArgs.includes('--disable-extensions'));
    assert.ok(o.launchArgs.includes('--disable-workspace-trust'));
    for (const a of o.launchArgs) assert.ok(!a.startsWith(path.join(ROOT, 'run')) || a.startsWith(run), `nothing outside the run folder: ${a}`);
  });

  it('tells the suite where to write its result and which settings file it runs with, and passes the grep and CA', () => {
    assert.deepEqual(o.extensionTestsEnv, {
      EQP_TEST_RESULT_FILE: path.join(run, 'integration-result.json'),
      EQP_TEST_USER_SETTINGS: path.join(run, 'ud', 'User', 'settings.json'),
      EQP_IT_GREP: 'activation',
      NODE_EXTRA_CA_CERTS: '/repo/cert.pem',
    });
    assert.equal(o.resultFile, o.extensionTestsEnv.EQP_TEST_RESULT_FILE);
    assert.equal(desktopRunOptions('/repo', run).extensionTestsEnv.EQP_IT_GREP, undefined, 'no grep unless asked');
  });

  it('user settings keep the run quiet: no welcome page, no updates, no telemetry', () => {
    assert.equal(o.userSettings['workbench.startupEditor'], 'none');
    assert.equal(o.userSettings['update.mode'], 'none');
    assert.equal(o.userSettings['telemetry.telemetryLevel'], 'off');
  });

  it('the script uses these options and stops with one clear line when VS Code cannot be downloaded', () => {
    const script = fs.readFileSync(path.join(ROOT, 'scripts', 'test-desktop.mjs'), 'utf8');
    assert.match(script, /desktopRunOptions\(/);
    assert.match(script, /desktop VS Code could not be downloaded \(no internet\?\): /);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['test:desktop'], 'node scripts/test-desktop.mjs');
  });
});
