/**
 * The EQP calls of a package submission (upload, scan status, submit, and the SKU's versions), each with the
 * environment's session token and one re-mint on a 401. No `vscode` import.
 */
import type { EqpClient } from '../eqp/client';
import type { EnvironmentId } from '../eqp/environments';
import type { Submission } from '../eqp/submissions';
import type { BatchItemResult, FileUploadInfo, PackageItem, UploadedFile, UploadPart, UploadProgress } from '../eqp/uploads';
import { type SubmissionsTokenSource, withSessionToken } from '../submissions/service';

export type SubmitClient = Pick<EqpClient, 'uploadFiles' | 'getUpload' | 'submitPackages' | 'getSubmission' | 'listSubmissions'>;

export class SubmitService {
  constructor(
    private readonly client: SubmitClient,
    private readonly tokens: SubmissionsTokenSource,
  ) {}

  /** Uploads the files in one request. A 401 part-way mints a new token and uploads again (the server kept nothing). */
  upload(env: EnvironmentId, parts: UploadPart[], onProgress: UploadProgress | undefined, signal?: AbortSignal): Promise<UploadedFile[]> {
    return withSessionToken(this.tokens, env, signal, (token) => this.client.uploadFiles(env, token, parts, { onProgress, signal }), { what: 'uploads' });
  }

  uploadInfo(env: EnvironmentId, fileUploadId: string, signal?: AbortSignal): Promise<FileUploadInfo> {
    return withSessionToken(this.tokens, env, signal, (token) => this.client.getUpload(env, token, fileUploadId, signal), { what: 'uploads' });
  }

  submit(env: EnvironmentId, items: PackageItem[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    return withSessionToken(this.tokens, env, signal, (token) => this.client.submitPackages(env, token, items, signal), { what: 'submissions' });
  }

  get(env: EnvironmentId, submissionId: string, signal?: AbortSignal): Promise<Submission> {
    return withSessionToken(this.tokens, env, signal, (token) => this.client.getSubmission(env, token, submissionId, signal), { what: 'submissions' });
  }

  /** Every submission of one SKU (to tell whether a version was submitted already). */
  async versionsOf(env: EnvironmentId, sku: string, signal?: AbortSignal): Promise<Submission[]> {
    const page = await withSessionToken(
      this.tokens,
      env,
      signal,
      (token) => this.client.listSubmissions(env, token, { limit: -1, filters: { sku } }, signal),
      { what: 'submissions' },
    );
    // `sku` filters by substring (filtering.md): keep the exact SKU only.
    return page.items.filter((s) => s.sku === sku);
  }
}
