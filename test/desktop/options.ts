// The arguments of `npm run test:desktop` (scripts/test-desktop.mjs): the integration suite in desktop VS Code
// through @vscode/test-electron's runTests. A pure function, so a unit test checks what would be launched even
// where desktop VS Code cannot be downloaded.
import * as path from 'path';

export interface DesktopRunOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  launchArgs: string[];
  extensionTestsEnv: Record<string, string>;
  /** written to `<user data>/User/settings.json` before the launch */
  userSettings: Record<string, unknown>;
  resultFile: string;
}

/**
 * `root`: the repository; `runDir`: a folder of this run (emptied by the caller), for user data, extensions, workspace.
 * The extension under development is the test entry's folder that `node esbuild.js` stages (run/test-extension/:
 * the shipped activate() plus the suite's hooks); the repository itself holds the shipped bundle, which has none.
 */
export function desktopRunOptions(root: string, runDir: string, env: { grep?: string; extraCaCerts?: string } = {}): DesktopRunOptions {
  const userData = path.join(runDir, 'ud');
  const resultFile = path.join(runDir, 'integration-result.json');
  const extensionTestsEnv: Record<string, string> = {
    EQP_TEST_RESULT_FILE: resultFile,
    EQP_TEST_USER_SETTINGS: path.join(userData, 'User', 'settings.json'),
  };
  if (env.grep) extensionTestsEnv.EQP_IT_GREP = env.grep;
  if (env.extraCaCerts) extensionTestsEnv.NODE_EXTRA_CA_CERTS = env.extraCaCerts;
  return {
    extensionDevelopmentPath: path.join(root, 'run', 'test-extension'),
    // The compiled suite copied into that folder (scripts/lib/stage-suite.mjs), so it shares the extension's `vscode`.
    extensionTestsPath: path.join(root, 'run', 'test-extension', 'out', 'test', 'integration', 'index'),
    launchArgs: [
      path.join(runDir, 'ws'),
      '--user-data-dir', userData,
      '--extensions-dir', path.join(runDir, 'ext'),
      // every other extension off; the one under development (ours) still loads
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    extensionTestsEnv,
    userSettings: {
      'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'update.mode': 'none',
      'git.openRepositoryInParentFolders': 'never',
    },
    resultFile,
  };
}
