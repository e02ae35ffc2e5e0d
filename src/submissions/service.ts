/**
 * Package submissions and their test reports, through the EQP API with the token service's session token. No
 * `vscode` import: plain Node tests run it against the sandbox server.
 */
import type { EqpClient } from '../eqp/client';
import { type EnvironmentId, environmentInfo } from '../eqp/environments';
import { EqpError } from '../eqp/errors';
import type { ListSubmissionsOptions, Submission, SubmissionPage, ToolReportAnswer, ToolRun } from '../eqp/submissions';

export type SubmissionsClient = Pick<EqpClient, 'listSubmissions' | 'getSubmission' | 'listToolRuns' | 'getToolReport'>;

/** The token service fits this. */
export interface SubmissionsTokenSource {
  getToken(env: EnvironmentId, opts?: { signal?: AbortSignal; forceNew?: boolean; background?: boolean }): Promise<{ token: string; mageId: string }>;
}

export class SubmissionsService {
  constructor(
    private readonly client: SubmissionsClient,
    private readonly tokens: SubmissionsTokenSource,
  ) {}

  list(env: EnvironmentId, opts: ListSubmissionsOptions, signal?: AbortSignal): Promise<SubmissionPage> {
    return this.call(env, signal, (token) => this.client.listSubmissions(env, token, opts, signal));
  }

  get(env: EnvironmentId, submissionId: string, signal?: AbortSignal, background = false): Promise<Submission> {
    return this.call(env, signal, (token) => this.client.getSubmission(env, token, submissionId, signal), background);
  }

  runs(env: EnvironmentId, submissionId: string, signal?: AbortSignal): Promise<ToolRun[]> {
    return this.call(env, signal, (token) => this.client.listToolRuns(env, token, submissionId, signal));
  }

  report(env: EnvironmentId, submissionId: string, tool: string, toolRunId: string, signal?: AbortSignal): Promise<ToolReportAnswer> {
    return this.call(env, signal, (token) => this.client.getToolReport(env, token, submissionId, tool, toolRunId, signal));
  }

  private call<T>(env: EnvironmentId, signal: AbortSignal | undefined, run: (token: string) => Promise<T>, background = false): Promise<T> {
    return withSessionToken(this.tokens, env, signal, run, { background, what: 'submissions' });
  }
}

/**
 * Runs one call with the environment's session token. A 401 means the token was refused (expired early,
 * revoked): a new one is minted once and the call retried once. A second 401 means the API refuses this key's
 * tokens for `what` ("submissions", "uploads"): said so, with what to check.
 */
export async function withSessionToken<T>(
  tokens: SubmissionsTokenSource,
  env: EnvironmentId,
  signal: AbortSignal | undefined,
  run: (token: string) => Promise<T>,
  opts: { background?: boolean; what: string },
): Promise<T> {
  const background = opts.background ?? false;
  const first = await tokens.getToken(env, { signal, background });
  try {
    return await run(first.token);
  } catch (e) {
    if (!(e instanceof EqpError) || e.status !== 401) throw e;
  }
  const second = await tokens.getToken(env, { signal, forceNew: true, background });
  try {
    return await run(second.token);
  } catch (e) {
    throw refusedTwice(env, e, opts.what);
  }
}

/** A 401 with a token minted a moment ago: the key's tokens are refused for submissions. Other errors pass unchanged. */
function refusedTwice(env: EnvironmentId, e: unknown, what: string): unknown {
  if (!(e instanceof EqpError) || e.status !== 401) return e;
  const label = environmentInfo(env).label;
  return new EqpError('http', `${e.message.replace(/\.$/u, '')}, also with a session token minted a moment ago: the ${label} API refuses this API access key's tokens for ${what}.`, {
    status: 401,
    code: e.code,
    serverMessage: e.serverMessage,
    hint: `The key may have been regenerated or deleted in the ${label} Developer Portal, or belong to an account that may not use ${what}: verify it in the API Keys view.`,
  });
}
