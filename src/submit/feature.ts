// Submitting a package from the workspace: the pre-flight problems, the file list documents, and the three commands.
import * as os from 'node:os';
import { userSetting } from '../config';
import { COMMANDS } from '../constants';
import { ENVIRONMENT_IDS, type EnvironmentId } from '../eqp/environments';
import type { KeyStore } from '../keys/keyStore';
import type { SubmissionsFeature } from '../submissions/feature';
import type { SubmissionsTokenSource } from '../submissions/service';
import type { TokenService } from '../tokens/tokenService';
import type { Clock } from '../util/clock';
import { Disposable } from '../util/lifecycle';
import { BuildPackageCommand } from './commands/build';
import type { PackageCommandDeps } from './commands/common';
import { InitSubmissionFileCommand } from './commands/init';
import { SubmitPackageCommand } from './commands/submit';
import { PackageListDocuments } from './fileList';
import { knownSecrets } from './knownSecrets';
import { PreflightProblems } from './preflightProblems';
import { type SubmitClient, SubmitService } from './service';

type Handler = (...args: unknown[]) => unknown;
export type SubmitCommandId = typeof COMMANDS.submissionsSubmit | typeof COMMANDS.submissionsBuildPackage | typeof COMMANDS.submissionsInitSubmissionFile;

export const DEFAULT_SCAN_TIMEOUT_MINUTES = 15;

export interface SubmitFeatureParts {
  client: SubmitClient;
  tokens: SubmissionsTokenSource & Pick<TokenService, 'load'>;
  store: KeyStore;
  settings: { activeEnvironment: EnvironmentId };
  submissions: Pick<SubmissionsFeature, 'model' | 'show'>;
  /** What the redacting logger has seen (credentials the scan must find too). */
  seen: { values(): Iterable<string> };
  clock: Clock;
}

export class SubmitFeature extends Disposable {
  readonly service: SubmitService;
  readonly problems: PreflightProblems;
  readonly documents: PackageListDocuments;
  private readonly deps: PackageCommandDeps;

  constructor(parts: SubmitFeatureParts) {
    super();
    this.service = new SubmitService(parts.client, parts.tokens);
    this.problems = this.register(new PreflightProblems());
    this.documents = this.register(new PackageListDocuments());
    const { store } = parts;
    this.deps = {
      service: this.service,
      problems: this.problems,
      documents: this.documents,
      secrets: () => knownSecrets({ store, tokens: parts.tokens, seen: parts.seen }),
      environments: () => ENVIRONMENT_IDS.filter((e) => store.activeKeyRef(e) !== undefined),
      activeEnvironment: () => parts.settings.activeEnvironment,
      submissions: { add: (env, s) => parts.submissions.model.add(env, s), show: (env, id) => parts.submissions.show(env, id) },
      clock: parts.clock,
      scanTimeoutMs: () => scanTimeoutMinutes() * 60_000,
      tmpDir: () => os.tmpdir(),
    };
  }

  handlers(): Record<SubmitCommandId, Handler> {
    const submit = new SubmitPackageCommand(this.deps);
    const build = new BuildPackageCommand(this.deps);
    const init = new InitSubmissionFileCommand();
    return {
      [COMMANDS.submissionsSubmit]: (arg) => submit.run(arg),
      [COMMANDS.submissionsBuildPackage]: (arg) => build.run(arg),
      [COMMANDS.submissionsInitSubmissionFile]: (arg) => init.run(arg),
    };
  }
}

function scanTimeoutMinutes(): number {
  const v = userSetting<number>('submissions.malwareScanTimeoutMinutes');
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.min(v, 120) : DEFAULT_SCAN_TIMEOUT_MINUTES;
}

