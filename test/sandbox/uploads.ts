// The files and new-package part of the EQP sandbox server (server.ts): `POST /rest/v1/files/uploads` (multipart,
// parsed here by hand as the bytes arrive), `GET /rest/v1/files/uploads/:id` with a malware scan that finishes on
// the sandbox clock, and `POST /rest/v1/products/packages`, which validates each item against the uploads and
// creates submissions in ./submissions.ts (where the review pipeline moves them on).
//
// Wire format as files.md and packages.md describe it (see /work/shared/EQP_API.md "Packages, files and test
// results"). Where the docs are silent the sandbox chooses, and says so here:
//
// Uploads (`POST /rest/v1/files/uploads`)
// - The request must be `multipart/form-data` with a valid `boundary` parameter: another content type → 415; no
//   boundary, a bad one, a malformed body or one that ends before its closing boundary → 400. Zero parts → 400.
// - Every part must be named `file[]` and have a `filename` (else 400, naming the part).
// - Accepted part content types (files.md "Recognized Content-Types"): application/zip, application/x-zip-compressed,
//   application/octet-stream (a package), application/pdf, image/png, image/jpeg, image/gif. Any other → 415.
// - Limits per file: a package at most 30 MB (31457280 bytes, technical-review-guidelines.md), a PDF 10 MB, an image
//   5 MB (those two are the sandbox's choice). Past a limit the sandbox stops buffering, reads the rest of the body
//   without keeping it, and answers 413 `{code, message}`. A body past 128 MB in all is answered 413 at once.
// - 200 with `[{filename, content_type, size, file_upload_id}]` in part order; ids like `5c11e656057b42.97931218.5`.
//   Nothing is stored unless the whole body arrived and was valid: a connection cut mid-body creates no upload.
// - The token is checked (401/403) before the body's own errors (400/413/415), as an API gateway would.
// - Uploads belong to the environment and the account (mage_id of the token) that made them: others get 404.
//
// Malware scan (`GET /rest/v1/files/uploads/:id`)
// - `in-progress` until `durationSeconds` (default 60) of sandbox clock have passed, then `pass` (or `fail`, or
//   never finishing, as setScan/setScanResult say). `file_hash` (md5 of the bytes) only once it passed.
// - Spelling `documented` answers pass / fail / in-progress; `observed` answers passed / fail / queued, what real
//   clients have been seen to get (EQP_API.md). The spelling applies to every answer from the moment it is set.
//
// New packages (`POST /rest/v1/products/packages`): the body must be a JSON array (else 400). 200 with one result per
// item in order; a failed item does not stop the others. Item codes (the real list is not documented):
//   200  Success: `{code, message, submission_id, eqp_status, created_at, modified_at, item_id}`
//   1001 a required field is missing (the message names it)
//   1002 a referenced upload's malware scan failed
//   1003 a field has an invalid value (action not draft|submit, recall or action.overall on a new item, platform not
//        M2, a malformed version_compatibility, a `version` that differs from composer.json, an item not an object)
//   1004 no upload with that file_upload_id (in this environment and account)
//   1005 an upload of the wrong kind (artifact not a zip, user guide not a PDF), or a zip without a readable
//        composer.json with `name` and `version` (at its root or in its single top-level folder)
//   1208 that version of that SKU exists already (a submission of the same sku+version that was not cancelled)
//   1210 the item's `sku` differs from the zip's composer.json `name`, or the SKU's vendor is `magento` (Adobe's own:
//        the sandbox's stand-in for "the SKU belongs to someone else")
//   1321 a referenced upload's malware scan has not finished (one CI script reads it as "draft, waiting for the
//        malware scan"); the sandbox creates nothing then: post the item again once the scan passed
// A technical `submit` needs type, platform, version_compatibility, release_notes, artifact.file_upload_id (a zip of
// this env whose scan passed) and documentation_artifacts.user.file_upload_id (a PDF whose scan passed); a `draft`
// needs type and platform, and what it references must exist, be of the right kind and not have failed its scan.
// SKU and version come from the zip's composer.json (read with yauzl when the upload arrives). The name comes from
// the item, else from an existing product with that SKU, else composer.json's description or name.
//
// Test code only: node:crypto plus yauzl (a dev dependency) to read the uploaded zips.

import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import * as yauzl from 'yauzl';
import { HttpError, SandboxRuleError } from './errors';
import type { SandboxEnv } from './server';
import type { SandboxSubmissions } from './submissions';

export type ScanResult = 'pass' | 'fail' | 'never';
export type ScanSpelling = 'documented' | 'observed';

export interface UploadScanSettings {
  /** Sandbox-clock seconds from upload to the scan's result. */
  durationSeconds: number;
  /** The result of scans of uploads made from now on. */
  result: ScanResult;
  /** `documented`: pass/fail/in-progress; `observed`: passed/fail/queued. */
  spelling: ScanSpelling;
}

/** What `EqpSandbox.uploads(env)` gives: everything the sandbox knows of one upload (a copy). */
export interface SandboxUploadInfo {
  fileUploadId: string;
  filename: string;
  contentType: string;
  kind: 'package' | 'pdf' | 'image';
  /** Bytes received, and their md5 (hex). */
  size: number;
  md5: string;
  /** The mage_id of the token that uploaded it. */
  owner: string;
  createdAt: number;
  /** As GET answers it now (spelling applied). */
  malwareStatus: string;
  submissionIds: string[];
  /** A package's entry names, in zip order; undefined for other files. */
  entries?: string[];
  /** A package's composer.json as read (undefined when there is none); `zipError` when the zip was unreadable. */
  composer?: Record<string, unknown>;
  zipError?: string;
}

/** What a handler answers; the server writes it (and logs it). */
export interface UploadsAnswer { status: number; body: unknown; headers?: Record<string, string> }

/**
 * What the server got from reading an upload request's body (UploadsStore.receive): parts ready to be stored, or the
 * error to answer once the token was checked, or `aborted` (the connection was cut: answer nothing, store nothing).
 */
export type UploadReceipt =
  | { kind: 'parts'; parts: ReceivedPart[]; summary: PartSummary[] }
  | { kind: 'error'; error: HttpError; summary: PartSummary[] }
  | { kind: 'aborted'; summary: PartSummary[] };

/** One part as the request log shows it (never its bytes). */
export interface PartSummary { name: string; filename?: string; content_type?: string; size: number }

interface ReceivedPart {
  filename: string;
  contentType: string;
  kind: 'package' | 'pdf' | 'image';
  size: number;
  md5: string;
  entries?: string[];
  composer?: Record<string, unknown>;
  zipError?: string;
}

interface Upload extends ReceivedPart {
  id: string;
  owner: string;
  createdAt: number;
  scan: { result: ScanResult; finishAt: number };
  submissionIds: string[];
}

const UPLOADS_PATH = '/rest/v1/files/uploads';
const PACKAGES_PATH = '/rest/v1/products/packages';
const MB = 1024 * 1024;
/** A package zip (technical-review-guidelines.md: 30 MB). */
export const MAX_PACKAGE_BYTES = 30 * MB;
/** The sandbox's choices; the docs give none. */
export const MAX_PDF_BYTES = 10 * MB;
export const MAX_IMAGE_BYTES = 5 * MB;
/** Past this many body bytes the sandbox stops reading and answers 413 at once. */
const MAX_REQUEST_BYTES = 128 * MB;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const MAX_COMPOSER_JSON_BYTES = MB;
const DEFAULT_SCAN: UploadScanSettings = { durationSeconds: 60, result: 'pass', spelling: 'documented' };

const CONTENT_KINDS: Readonly<Record<string, 'package' | 'pdf' | 'image'>> = {
  'application/zip': 'package',
  'application/x-zip-compressed': 'package',
  'application/octet-stream': 'package',
  'application/pdf': 'pdf',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
};
const KIND_LIMITS: Readonly<Record<'package' | 'pdf' | 'image', { bytes: number; label: string }>> = {
  package: { bytes: MAX_PACKAGE_BYTES, label: 'a package (30 MB)' },
  pdf: { bytes: MAX_PDF_BYTES, label: 'a PDF (10 MB)' },
  image: { bytes: MAX_IMAGE_BYTES, label: 'an image (5 MB)' },
};

/** Error codes of batch items (see the head of this file). */
export const ITEM_CODES = {
  success: 200,
  missingField: 1001,
  scanFailed: 1002,
  invalidValue: 1003,
  unknownUpload: 1004,
  wrongFile: 1005,
  versionExists: 1208,
  skuMismatch: 1210,
  scanPending: 1321,
} as const;

class ItemError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class SandboxUploads {
  private readonly data: Record<SandboxEnv, Map<string, Upload>> = { production: new Map(), sandbox: new Map() };
  private readonly scan: Record<SandboxEnv, UploadScanSettings> = { production: { ...DEFAULT_SCAN }, sandbox: { ...DEFAULT_SCAN } };
  private counter = 0;

  constructor(private readonly now: () => number, private readonly submissions: SandboxSubmissions) {}

  // ------------------------------------------------------------------ test API (EqpSandbox delegates here)

  /** No uploads and the default scan (60 s, pass, documented spelling), both environments. */
  reset(): void {
    for (const env of ['production', 'sandbox'] as const) {
      this.data[env] = new Map();
      this.scan[env] = { ...DEFAULT_SCAN };
    }
  }

  list(env: SandboxEnv): SandboxUploadInfo[] {
    return [...this.data[env].values()].map((u) => this.info(env, u));
  }

  /** Changes how scans of uploads made from now on go (durationSeconds, result) and how every answer spells them. */
  setScan(env: SandboxEnv, settings: Partial<UploadScanSettings>): UploadScanSettings {
    const { durationSeconds, result, spelling } = settings as Record<string, unknown>;
    if (durationSeconds !== undefined && (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds < 0)) {
      throw new SandboxRuleError(400, `durationSeconds must be a number >= 0, got ${JSON.stringify(durationSeconds)}`);
    }
    if (result !== undefined && !isScanResult(result)) {
      throw new SandboxRuleError(400, `result must be pass, fail or never, got ${JSON.stringify(result)}`);
    }
    if (spelling !== undefined && spelling !== 'documented' && spelling !== 'observed') {
      throw new SandboxRuleError(400, `spelling must be documented or observed, got ${JSON.stringify(spelling)}`);
    }
    const scan = this.scan[env];
    this.scan[env] = {
      durationSeconds: (durationSeconds as number | undefined) ?? scan.durationSeconds,
      result: (result as ScanResult | undefined) ?? scan.result,
      spelling: (spelling as ScanSpelling | undefined) ?? scan.spelling,
    };
    return { ...this.scan[env] };
  }

  scanSettings(env: SandboxEnv): UploadScanSettings {
    return { ...this.scan[env] };
  }

  /**
   * The result of one upload's scan: `pass`/`fail` once its duration is over (at once when it already is), `never`
   * keeps it in progress.
   */
  setScanResult(env: SandboxEnv, id: string, result: ScanResult): SandboxUploadInfo {
    if (!isScanResult(result)) {
      throw new SandboxRuleError(400, `result must be pass, fail or never, got ${JSON.stringify(result)}`);
    }
    const upload = this.data[env].get(id);
    if (!upload) {
      throw new SandboxRuleError(404, `No upload ${id} in ${env}.`);
    }
    upload.scan.result = result;
    return this.info(env, upload);
  }

  // ------------------------------------------------------------------ the API

  /** True for the paths answered here: the uploads, and POST of new packages. */
  handles(method: string, path: string): boolean {
    return path === UPLOADS_PATH || path.startsWith(`${UPLOADS_PATH}/`) || (method === 'POST' && path.replace(/\/+$/, '') === PACKAGES_PATH);
  }

  /** True when the request's body is an upload, to be read with `receive` rather than as text. */
  receives(method: string, path: string): boolean {
    return method === 'POST' && path.replace(/\/+$/, '') === UPLOADS_PATH;
  }

  /**
   * Reads an upload request's body as it arrives: parses the multipart parts, hashes them, keeps a package's bytes
   * only up to its limit (to read its zip), and stores nothing. Never rejects.
   */
  receive(req: http.IncomingMessage): Promise<UploadReceipt> {
    return new Promise((resolve) => {
      const summaries: PartSummary[] = [];
      const parts: (ReceivedPart & { chunks?: Buffer[] })[] = [];
      let error: HttpError | undefined;
      let current: { summary: PartSummary; part?: ReceivedPart & { chunks?: Buffer[] }; hash?: crypto.Hash } | undefined;
      let total = 0;
      let settled = false;
      const fail = (e: HttpError): void => {
        error ??= e;
        current = undefined;
      };

      const type = parseHeaderValue(req.headers['content-type'] ?? '');
      let parser: MultipartParser | undefined;
      if (type.value !== 'multipart/form-data') {
        fail(new HttpError(415, `The request must be multipart/form-data, not ${JSON.stringify(req.headers['content-type'] ?? '')}.`));
      } else if (!isValidBoundary(type.params.get('boundary'))) {
        fail(new HttpError(400, 'The multipart/form-data Content-Type needs a valid boundary parameter (1 to 70 characters).'));
      } else {
        parser = new MultipartParser(type.params.get('boundary') as string, {
          partStart: (headers) => {
            const disposition = parseHeaderValue(headers.get('content-disposition') ?? '');
            const name = disposition.params.get('name') ?? '';
            const filename = baseName(disposition.params.get('filename*') ?? disposition.params.get('filename') ?? '');
            const contentType = parseHeaderValue(headers.get('content-type') ?? '').value;
            const summary: PartSummary = { name, ...(filename !== '' ? { filename } : {}), ...(contentType !== '' ? { content_type: contentType } : {}), size: 0 };
            summaries.push(summary);
            current = { summary };
            if (error) {
              return;
            }
            if (disposition.value !== 'form-data') {
              fail(new HttpError(400, `Part ${summaries.length} needs a "Content-Disposition: form-data" header.`));
            } else if (name !== 'file[]') {
              fail(new HttpError(400, `Every part must be named "file[]"; part ${summaries.length} is named ${JSON.stringify(name)}.`));
            } else if (filename === '') {
              fail(new HttpError(400, `Part ${summaries.length} ("file[]") has no filename.`));
            } else if (!Object.hasOwn(CONTENT_KINDS, contentType)) {
              fail(new HttpError(415, `${JSON.stringify(filename)} has the content type ${JSON.stringify(contentType || '(none)')}; accepted: ${Object.keys(CONTENT_KINDS).join(', ')}.`));
            } else {
              const kind = CONTENT_KINDS[contentType] as ReceivedPart['kind'];
              const part = { filename, contentType, kind, size: 0, md5: '', ...(kind === 'package' ? { chunks: [] } : {}) };
              parts.push(part);
              current = { summary, part, hash: crypto.createHash('md5') };
            }
          },
          partData: (chunk) => {
            if (!current) {
              return;
            }
            current.summary.size += chunk.length;
            const { part, hash } = current;
            if (!part || !hash || error) {
              return;
            }
            part.size += chunk.length;
            const limit = KIND_LIMITS[part.kind];
            if (part.size > limit.bytes) {
              // Stop keeping anything; the rest of the body is read and dropped, then 413.
              part.chunks = undefined;
              fail(new HttpError(413, `${JSON.stringify(part.filename)} is larger than ${limit.label} allows: at most ${limit.bytes} bytes.`));
              return;
            }
            hash.update(chunk);
            part.chunks?.push(chunk);
          },
          partEnd: () => {
            if (current?.part && current.hash) {
              current.part.md5 = current.hash.digest('hex');
            }
            current = undefined;
          },
        });
      }

      const finish = (receipt: UploadReceipt): void => {
        if (!settled) {
          settled = true;
          resolve(receipt);
        }
      };
      const onData = (chunk: Buffer): void => {
        total += chunk.length;
        if (total > MAX_REQUEST_BYTES) {
          req.off('data', onData);
          req.resume();
          finish({ kind: 'error', error: new HttpError(413, `The request body is larger than ${MAX_REQUEST_BYTES} bytes.`, { Connection: 'close' }), summary: summaries });
          return;
        }
        if (parser && !error) {
          try {
            parser.write(chunk);
          } catch (e) {
            fail(e instanceof HttpError ? e : new HttpError(400, 'Malformed multipart body.'));
          }
        }
      };
      req.on('data', onData);
      req.on('error', () => finish({ kind: 'aborted', summary: summaries }));
      req.on('close', () => {
        if (!req.complete) {
          finish({ kind: 'aborted', summary: summaries });
        }
      });
      req.on('end', () => {
        if (settled) {
          return;
        }
        if (!error && parser) {
          try {
            parser.end();
          } catch (e) {
            fail(e instanceof HttpError ? e : new HttpError(400, 'Malformed multipart body.'));
          }
        }
        if (!error && parts.length === 0) {
          fail(new HttpError(400, 'The request has no files: send each one as a "file[]" part.'));
        }
        if (error) {
          finish({ kind: 'error', error, summary: summaries });
          return;
        }
        void Promise.all(parts.map(async (part) => {
          const { chunks, ...rest } = part;
          if (!chunks) {
            return rest;
          }
          return { ...rest, ...(await inspectZip(Buffer.concat(chunks))) };
        })).then((received) => finish({ kind: 'parts', parts: received, summary: summaries }));
      });
    });
  }

  /**
   * Answers an uploads or new-packages request. `guard` checks the token and eligibility (throws 401/403) and gives
   * the account's mage_id; it runs after the method check (405) and before anything else.
   */
  answer(env: SandboxEnv, method: string, path: string, raw: string, receipt: UploadReceipt | undefined, guard: () => string): UploadsAnswer {
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed === PACKAGES_PATH) {
      const owner = guard();
      return this.createPackages(env, owner, raw);
    }
    if (trimmed === UPLOADS_PATH) {
      if (method !== 'POST') {
        throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: 'POST' });
      }
      const owner = guard();
      if (!receipt || receipt.kind === 'aborted') {
        throw new HttpError(400, 'The request body was cut short.');
      }
      if (receipt.kind === 'error') {
        throw receipt.error;
      }
      return { status: 200, body: receipt.parts.map((part) => this.store(env, owner, part)) };
    }
    const one = /^\/rest\/v1\/files\/uploads\/([^/]+)$/.exec(trimmed);
    if (!one) {
      throw new HttpError(404, `No such endpoint: ${path}`);
    }
    if (method !== 'GET') {
      throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: 'GET' });
    }
    const owner = guard();
    const id = decodePart(one[1] as string);
    const upload = this.data[env].get(id);
    if (!upload || upload.owner !== owner) {
      throw new HttpError(404, `File upload ${id} not found.`);
    }
    return { status: 200, body: this.uploadJson(env, upload) };
  }

  // ------------------------------------------------------------------ control interface (/__sandbox/uploads…)

  /**
   * `GET /__sandbox/uploads` the uploads (SandboxUploadInfo[]); `POST /__sandbox/uploads/reset` none left (both
   * environments, scan settings too); `GET|POST /__sandbox/uploads/scan {durationSeconds?, result?, spelling?}` the
   * scan settings of this environment; `POST /__sandbox/uploads/:id/scan {result}` one upload's result.
   */
  control(env: SandboxEnv, method: string, path: string, raw: string): UploadsAnswer {
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) {
        throw new HttpError(405, `Method ${method} not allowed on ${path}.`, { Allow: methods.join(', ') });
      }
    };
    const object = (): Record<string, unknown> => {
      let body: unknown;
      try {
        body = raw === '' ? {} : JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'The request body must be JSON.');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'The request body must be a JSON object.');
      }
      return body as Record<string, unknown>;
    };
    const rest = path.slice('/__sandbox/uploads'.length).replace(/\/+$/, '');
    if (rest === '') {
      allow('GET');
      return { status: 200, body: this.list(env) };
    }
    if (rest === '/reset') {
      allow('POST');
      this.reset();
      return { status: 200, body: this.list(env) };
    }
    if (rest === '/scan') {
      allow('GET', 'POST');
      return { status: 200, body: method === 'GET' ? this.scanSettings(env) : this.setScan(env, object() as Partial<UploadScanSettings>) };
    }
    const one = /^\/([^/]+)\/scan$/.exec(rest);
    if (!one) {
      throw new HttpError(404, `No such control endpoint: ${path}`);
    }
    allow('POST');
    return { status: 200, body: this.setScanResult(env, decodePart(one[1] as string), object().result as ScanResult) };
  }

  // ------------------------------------------------------------------ internals

  private store(env: SandboxEnv, owner: string, part: ReceivedPart): Record<string, unknown> {
    const now = this.now();
    const scan = this.scan[env];
    const upload: Upload = {
      ...part,
      id: this.newId(),
      owner,
      createdAt: now,
      scan: { result: scan.result, finishAt: now + scan.durationSeconds * 1000 },
      submissionIds: [],
    };
    this.data[env].set(upload.id, upload);
    return { filename: upload.filename, content_type: upload.contentType, size: upload.size, file_upload_id: upload.id };
  }

  /** Like `5c11e656057b42.97931218.5`: 14 hex digits, 8 digits, 1 digit; unique over both environments. */
  private newId(): string {
    let id: string;
    do {
      this.counter++;
      id = `${crypto.randomBytes(7).toString('hex')}.${String(crypto.randomInt(100_000_000)).padStart(8, '0')}.${this.counter % 10}`;
    } while (this.data.production.has(id) || this.data.sandbox.has(id));
    return id;
  }

  /** The scan's state now: pass, fail or pending. */
  private scanState(upload: Upload): 'pass' | 'fail' | 'pending' {
    if (upload.scan.result === 'never' || this.now() < upload.scan.finishAt) {
      return 'pending';
    }
    return upload.scan.result;
  }

  private malwareStatus(env: SandboxEnv, upload: Upload): string {
    const state = this.scanState(upload);
    const observed = this.scan[env].spelling === 'observed';
    return state === 'pass' ? (observed ? 'passed' : 'pass') : state === 'fail' ? 'fail' : (observed ? 'queued' : 'in-progress');
  }

  private uploadJson(env: SandboxEnv, upload: Upload): Record<string, unknown> {
    return {
      file_upload_id: upload.id,
      filename: upload.filename,
      content_type: upload.contentType,
      size: upload.size,
      malware_status: this.malwareStatus(env, upload),
      ...(this.scanState(upload) === 'pass' ? { file_hash: upload.md5 } : {}),
      submission_ids: [...upload.submissionIds],
      url: `https://mp-static.marketplace.example.com/user/uploads/${encodeURIComponent(upload.id)}/${encodeURIComponent(upload.filename)}`,
    };
  }

  private info(env: SandboxEnv, u: Upload): SandboxUploadInfo {
    return {
      fileUploadId: u.id, filename: u.filename, contentType: u.contentType, kind: u.kind, size: u.size, md5: u.md5,
      owner: u.owner, createdAt: u.createdAt, malwareStatus: this.malwareStatus(env, u), submissionIds: [...u.submissionIds],
      ...(u.entries ? { entries: [...u.entries] } : {}),
      ...(u.composer ? { composer: structuredClone(u.composer) } : {}),
      ...(u.zipError !== undefined ? { zipError: u.zipError } : {}),
    };
  }

  // ------------------------------------------------------------------ POST /rest/v1/products/packages

  private createPackages(env: SandboxEnv, owner: string, raw: string): UploadsAnswer {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'The request body must be a JSON array of package items.');
    }
    if (!Array.isArray(body)) {
      throw new HttpError(400, 'The request body must be a JSON array of package items.');
    }
    const results = body.map((item: unknown) => {
      try {
        return this.createPackage(env, owner, item);
      } catch (e) {
        if (e instanceof ItemError) {
          return { code: e.code, message: e.message };
        }
        throw e;
      }
    });
    return { status: 200, body: results };
  }

  private createPackage(env: SandboxEnv, owner: string, raw: unknown): Record<string, unknown> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ItemError(ITEM_CODES.invalidValue, 'Each package item must be a JSON object.');
    }
    const item = raw as Record<string, unknown>;
    const action = objectField(item, 'action') ?? {};
    const technical = actionValue(action, 'technical');
    const marketing = actionValue(action, 'marketing');
    if (action.overall !== undefined) {
      throw new ItemError(ITEM_CODES.invalidValue, 'action.overall (remove, cancel) applies to an existing submission: use PUT.');
    }
    const submit = technical === 'submit';

    const type = requiredString(item, 'type');
    const platform = requiredString(item, 'platform');
    if (platform !== 'M2') {
      throw new ItemError(ITEM_CODES.invalidValue, `platform must be "M2", got ${JSON.stringify(platform)}.`);
    }
    const compatibility = item.version_compatibility;
    if (compatibility !== undefined || submit) {
      checkCompatibility(compatibility);
    }
    if (submit) {
      requiredString(item, 'release_notes');
    }
    const artifactId = uploadRef(item, 'artifact', submit);
    const guideId = uploadRef(item, 'documentation_artifacts.user', submit);
    const artifact = artifactId === undefined ? undefined : this.referenced(env, owner, artifactId, 'artifact.file_upload_id', 'package', submit);
    const guide = guideId === undefined ? undefined : this.referenced(env, owner, guideId, 'documentation_artifacts.user.file_upload_id', 'pdf', submit);

    let sku = optionalString(item, 'sku') ?? '';
    let version = optionalString(item, 'version') ?? '';
    const composer = artifact?.composer;
    if (artifact) {
      if (artifact.zipError !== undefined) {
        throw new ItemError(ITEM_CODES.wrongFile, `The artifact ${artifact.id} is not a readable zip: ${artifact.zipError}`);
      }
      const name = composer?.name;
      const zipVersion = composer?.version;
      if (typeof name !== 'string' || name === '' || typeof zipVersion !== 'string' || zipVersion === '') {
        throw new ItemError(ITEM_CODES.wrongFile, `The artifact ${artifact.id} has no composer.json with "name" and "version" at its root or in its single top-level folder.`);
      }
      if (sku !== '' && sku !== name) {
        throw new ItemError(ITEM_CODES.skuMismatch, `The SKU ${JSON.stringify(sku)} does not match the package's composer.json name ${JSON.stringify(name)}.`);
      }
      if (version !== '' && version !== zipVersion) {
        throw new ItemError(ITEM_CODES.invalidValue, `The version ${JSON.stringify(version)} does not match the package's composer.json version ${JSON.stringify(zipVersion)}.`);
      }
      sku = name;
      version = zipVersion;
    }
    if (/^magento\//i.test(sku)) {
      throw new ItemError(ITEM_CODES.skuMismatch, `The SKU ${JSON.stringify(sku)} belongs to another vendor.`);
    }
    if (sku !== '' && version !== '' && this.submissions.versionTaken(env, sku, version)) {
      throw new ItemError(ITEM_CODES.versionExists, `Version ${version} of ${sku} already exists.`);
    }

    const product = sku === '' ? undefined : this.submissions.product(env, sku);
    const description = composer?.description;
    const name = optionalString(item, 'name')
      ?? product?.name
      ?? (typeof description === 'string' && description !== '' ? description : sku);
    const itemId = typeof product?.fields.item_id === 'string' ? product.fields.item_id : itemIdOf(env, sku);
    const fields: Record<string, unknown> = {};
    for (const key of ['version_compatibility', 'long_description', 'short_description', 'release_notes', 'license_type', 'custom_license_name', 'custom_license_url', 'price', 'media_artifacts', 'shared_packages']) {
      if (item[key] !== undefined) {
        fields[key] = structuredClone(item[key]);
      }
    }
    if (artifact) {
      fields.artifact = { file_upload_id: artifact.id, filename: artifact.filename, content_type: artifact.contentType, size: artifact.size, malware_status: this.malwareStatus(env, artifact), ...(this.scanState(artifact) === 'pass' ? { file_hash: artifact.md5 } : {}) };
    }
    if (guide) {
      fields.documentation_artifacts = { user: { file_upload_id: guide.id, filename: guide.filename, content_type: guide.contentType, size: guide.size } };
    }
    fields.item_id = itemId;
    fields.url_key = sku.replace('/', '-');
    const pkg = this.submissions.create(env, { sku, name, version, type, fields, technical: submit ? 'submit' : 'draft', marketing: marketing === 'submit' ? 'submit' : 'draft' });
    const submissionId = pkg.submission_id as string;
    for (const upload of [artifact, guide]) {
      if (upload && !upload.submissionIds.includes(submissionId)) {
        upload.submissionIds.push(submissionId);
      }
    }
    return {
      code: ITEM_CODES.success, message: 'Success', submission_id: submissionId, eqp_status: pkg.eqp_status,
      created_at: pkg.created_at, modified_at: pkg.modified_at, item_id: itemId,
    };
  }

  /** The upload an item references: of this env and account (1004), of the right kind (1005), scanned (1002/1321). */
  private referenced(env: SandboxEnv, owner: string, id: string, field: string, kind: 'package' | 'pdf', submit: boolean): Upload {
    const upload = this.data[env].get(id);
    if (!upload || upload.owner !== owner) {
      throw new ItemError(ITEM_CODES.unknownUpload, `${field}: no file upload ${id}.`);
    }
    if (upload.kind !== kind) {
      throw new ItemError(ITEM_CODES.wrongFile, `${field}: ${upload.filename} (${upload.contentType}) is not ${kind === 'package' ? 'a zip package' : 'a PDF'}.`);
    }
    const scan = this.scanState(upload);
    if (scan === 'fail') {
      throw new ItemError(ITEM_CODES.scanFailed, `${field}: the malware scan of ${upload.filename} failed.`);
    }
    if (scan === 'pending' && submit) {
      throw new ItemError(ITEM_CODES.scanPending, `${field}: the malware scan of ${upload.filename} has not finished yet; submit again once it passed.`);
    }
    return upload;
  }
}

// ------------------------------------------------------------------ the multipart parser

export interface MultipartHandlers {
  /** A part begins; header names lower-case. */
  partStart(headers: Map<string, string>): void;
  partData(chunk: Buffer): void;
  partEnd(): void;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A streaming `multipart/form-data` parser (RFC 7578 / RFC 2046): feed it the body in chunks of any size, it calls
 * the handlers as parts begin, stream and end. Part bodies may hold any bytes; only `CRLF--boundary` ends them.
 * Throws HttpError 400 for a malformed body; `end()` throws when the closing boundary never came.
 */
export class MultipartParser {
  private readonly delimiter: Buffer;
  // A virtual CRLF first, so the first boundary line (no CRLF before it) matches the delimiter like the others.
  private buffer: Buffer = Buffer.from(CRLF);
  private state: 'preamble' | 'boundary' | 'headers' | 'body' | 'done' = 'preamble';

  constructor(boundary: string, private readonly handlers: MultipartHandlers) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  get done(): boolean {
    return this.state === 'done';
  }

  write(chunk: Buffer): void {
    if (this.state === 'done') {
      return; // the epilogue is ignored
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.step()) {
      // each step consumes what it can
    }
  }

  end(): void {
    if (this.state !== 'done') {
      throw new HttpError(400, 'The multipart body ended before its closing boundary.');
    }
  }

  /** One step of the state machine; false when it needs more bytes. */
  private step(): boolean {
    const buf = this.buffer;
    switch (this.state) {
      case 'preamble': {
        const at = buf.indexOf(this.delimiter);
        if (at < 0) {
          this.buffer = buf.subarray(Math.max(0, buf.length - (this.delimiter.length - 1)));
          return false;
        }
        this.buffer = buf.subarray(at + this.delimiter.length);
        this.state = 'boundary';
        return true;
      }
      case 'boundary': {
        // After `--boundary`: `--` closes the body; else optional whitespace and CRLF start a part.
        if (buf.length < 2) {
          return false;
        }
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          this.state = 'done';
          this.buffer = Buffer.alloc(0);
          return false;
        }
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256 || !/^[ \t]*\r?$/.test(buf.toString('latin1'))) {
            throw new HttpError(400, 'Malformed multipart body: a boundary line is followed by other text.');
          }
          return false;
        }
        if (!/^[ \t]*$/.test(buf.subarray(0, eol).toString('latin1'))) {
          throw new HttpError(400, 'Malformed multipart body: a boundary line is followed by other text.');
        }
        this.buffer = buf.subarray(eol + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        let headerText: string;
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          headerText = ''; // a part without headers
          this.buffer = buf.subarray(2);
        } else {
          const at = buf.indexOf(HEADER_END);
          if (at < 0) {
            if (buf.length > MAX_PART_HEADER_BYTES) {
              throw new HttpError(400, 'Malformed multipart body: part headers too long or never ended.');
            }
            return false;
          }
          headerText = buf.subarray(0, at).toString('utf8');
          this.buffer = buf.subarray(at + HEADER_END.length);
        }
        this.state = 'body';
        this.handlers.partStart(parsePartHeaders(headerText));
        return true;
      }
      case 'body': {
        const at = buf.indexOf(this.delimiter);
        if (at < 0) {
          // Keep what could be the start of a delimiter; pass on the rest.
          const safe = buf.length - (this.delimiter.length - 1);
          if (safe > 0) {
            this.handlers.partData(buf.subarray(0, safe));
            this.buffer = buf.subarray(safe);
          }
          return false;
        }
        if (at > 0) {
          this.handlers.partData(buf.subarray(0, at));
        }
        this.handlers.partEnd();
        this.buffer = buf.subarray(at + this.delimiter.length);
        this.state = 'boundary';
        return true;
      }
      case 'done':
        return false;
    }
  }
}

function parsePartHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  // Obsolete line folding: a line starting with whitespace continues the previous one.
  for (const line of text.split('\r\n').reduce<string[]>((lines, l) => {
    if (/^[ \t]/.test(l) && lines.length > 0) {
      lines[lines.length - 1] += ` ${l.trim()}`;
    } else {
      lines.push(l);
    }
    return lines;
  }, [])) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new HttpError(400, `Malformed multipart body: bad part header ${JSON.stringify(line.slice(0, 80))}.`);
    }
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * `value; a=b; c="d \"e\""` → value lower-case and params (names lower-case). `filename*=UTF-8''…` (RFC 5987) is
 * decoded and stored under `filename*`.
 */
export function parseHeaderValue(text: string): { value: string; params: Map<string, string> } {
  const semi = text.indexOf(';');
  const value = (semi < 0 ? text : text.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  const rest = semi < 0 ? '' : text.slice(semi);
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    const name = (m[1] as string).toLowerCase();
    let v = (m[2] as string).trim();
    if (v.startsWith('"')) {
      v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    } else if (name.endsWith('*')) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      try {
        v = ext ? decodeURIComponent(ext[2] as string) : v;
      } catch {
        // keep it as sent
      }
    }
    if (!params.has(name)) {
      params.set(name, v);
    }
  }
  return { value, params };
}

/** RFC 2046: 1 to 70 characters of a limited set, not ending in a space. */
function isValidBoundary(boundary: string | undefined): boolean {
  return boundary !== undefined && /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary);
}

/** Old browsers send the full path; keep the last segment. */
function baseName(filename: string): string {
  return filename.split(/[\\/]/).pop() ?? '';
}

// ------------------------------------------------------------------ the zip

/** A package's entry names and composer.json (root or single top-level folder), or why the zip is unreadable. */
async function inspectZip(bytes: Buffer): Promise<Pick<ReceivedPart, 'entries' | 'composer' | 'zipError'>> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
    const entries: yauzl.Entry[] = [];
    for await (const entry of zip.eachEntry()) {
      entries.push(entry);
    }
    const names = entries.map((e) => e.fileName);
    const tops = new Set(names.map((n) => n.split('/')[0]));
    const candidates = ['composer.json', ...(tops.size === 1 && !names.includes([...tops][0] as string) ? [`${[...tops][0] as string}/composer.json`] : [])];
    const composerEntry = entries.find((e) => candidates.includes(e.fileName));
    let composer: Record<string, unknown> | undefined;
    if (composerEntry && composerEntry.uncompressedSize <= MAX_COMPOSER_JSON_BYTES) {
      const stream = await zip.openReadStreamPromise(composerEntry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
      }
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
          composer = parsed as Record<string, unknown>;
        }
      } catch {
        // not JSON: as if there were none
      }
    }
    return { entries: names, ...(composer ? { composer } : {}) };
  } catch (e) {
    return { zipError: e instanceof Error ? e.message : String(e) };
  } finally {
    zip?.close();
  }
}

// ------------------------------------------------------------------ item fields

function isScanResult(value: unknown): value is ScanResult {
  return value === 'pass' || value === 'fail' || value === 'never';
}

function objectField(item: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = item[name];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ItemError(ITEM_CODES.invalidValue, `${name} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function actionValue(action: Record<string, unknown>, scope: 'technical' | 'marketing'): 'draft' | 'submit' {
  const value = action[scope] ?? 'draft';
  if (value === 'recall') {
    throw new ItemError(ITEM_CODES.invalidValue, `action.${scope} "recall" applies to an existing submission: use PUT.`);
  }
  if (value !== 'draft' && value !== 'submit') {
    throw new ItemError(ITEM_CODES.invalidValue, `action.${scope} must be draft, submit or recall, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function requiredString(item: Record<string, unknown>, name: string): string {
  const value = item[name];
  if (value === undefined || value === null || value === '') {
    throw new ItemError(ITEM_CODES.missingField, `${name} is required.`);
  }
  if (typeof value !== 'string') {
    throw new ItemError(ITEM_CODES.invalidValue, `${name} must be a string.`);
  }
  return value;
}

function optionalString(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new ItemError(ITEM_CODES.invalidValue, `${name} must be a string.`);
  }
  return value;
}

function checkCompatibility(value: unknown): void {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    throw new ItemError(ITEM_CODES.missingField, 'version_compatibility is required (a list of {edition, versions}).');
  }
  const ok = Array.isArray(value) && value.every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) {
      return false;
    }
    const { edition, versions } = entry as Record<string, unknown>;
    return typeof edition === 'string' && edition !== '' && Array.isArray(versions) && versions.length > 0
      && versions.every((v: unknown) => typeof v === 'string' && v !== '');
  });
  if (!ok) {
    throw new ItemError(ITEM_CODES.invalidValue, 'version_compatibility must be a list of {edition, versions: [..]} with at least one version each.');
  }
}

/** The file_upload_id at `path` (`artifact` or `documentation_artifacts.user`); 1001 when required and absent. */
function uploadRef(item: Record<string, unknown>, path: string, required: boolean): string | undefined {
  let node: unknown = item;
  for (const key of path.split('.')) {
    node = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  const id = typeof node === 'object' && node !== null ? (node as Record<string, unknown>).file_upload_id : undefined;
  if (id === undefined || id === null || id === '') {
    if (required) {
      throw new ItemError(ITEM_CODES.missingField, `${path}.file_upload_id is required.`);
    }
    return undefined;
  }
  if (typeof id !== 'string') {
    throw new ItemError(ITEM_CODES.invalidValue, `${path}.file_upload_id must be a string.`);
  }
  return id;
}

/** A stable numeric item id per SKU and environment (a product's id; its submissions share it). */
function itemIdOf(env: SandboxEnv, sku: string): string {
  const digest = crypto.createHash('sha256').update(`${env}:item:${sku}`).digest('hex');
  return String(100_000 + (parseInt(digest.slice(0, 8), 16) % 900_000));
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The path segment ${JSON.stringify(part)} is not validly URL-encoded.`);
  }
}
