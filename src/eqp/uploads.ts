/**
 * Files and package submissions as the EQP API takes and answers them (files.md, packages.md "Package
 * submissions"), reduced to what EQP Keys sends and reads. Tolerant like submissions.ts: unknown fields are
 * ignored, unknown statuses pass through as text. No `vscode` import.
 */
import { type SubmissionStatus, parseEqpDate } from './submissions';

/** One file to upload: read from disk as a stream, sent as one `file[]` part. */
export interface UploadPart {
  /** Absolute path on disk. */
  path: string;
  /** The part's filename (the file's base name). */
  filename: string;
  /** `application/zip` or `application/pdf` (files.md "Recognized Content-Types"). */
  contentType: string;
}

/** One entry of the upload answer (same order as the parts sent). */
export interface UploadedFile {
  fileUploadId: string;
  filename?: string;
  contentType?: string;
  size?: number;
}

/**
 * The malware scan, normalised: `pass`/`passed` → pass, `fail`/`failed` → fail, `in-progress`/`queued` (and any
 * spelling of those) → pending; anything else → unknown (kept in `malwareRaw`, waited on like pending).
 */
export type MalwareState = 'pass' | 'fail' | 'pending' | 'unknown';

/** `GET /rest/v1/files/uploads/:id`. */
export interface FileUploadInfo {
  fileUploadId: string;
  filename?: string;
  size?: number;
  malware: MalwareState;
  /** The status as the server wrote it ('' when absent). */
  malwareRaw: string;
  fileHash?: string;
  submissionIds: string[];
}

/** Upload progress: bytes of the request body sent so far, of `total` (undefined when unknown). */
export type UploadProgress = (sent: number, total: number | undefined) => void;

/** One item of the batch answer of `POST /rest/v1/products/packages`, in the order sent. */
export interface BatchItemResult {
  /** The item's `code` (200 = success); NaN when absent or not a number. */
  code: number;
  message: string;
  ok: boolean;
  submissionId?: string;
  status?: SubmissionStatus;
  createdAt?: number;
  modifiedAt?: number;
  itemId?: string;
}

/**
 * One package item of the POST body, as the API names its fields (packages.md "Package fields"). Only what EQP
 * Keys sends; the extension builds it from eqp-submission.json and the upload ids.
 */
export interface PackageItem {
  action: { technical?: 'draft' | 'submit'; marketing?: 'draft' | 'submit' };
  type: string;
  platform: 'M2';
  version?: string;
  sku?: string;
  name?: string;
  long_description?: string;
  release_notes?: string;
  version_compatibility?: { edition: string; versions: string[] }[];
  license_type?: string;
  custom_license_name?: string;
  custom_license_url?: string;
  artifact?: { file_upload_id: string };
  documentation_artifacts?: { user?: { file_upload_id: string }; installation?: { file_upload_id: string }; reference?: { file_upload_id: string } };
  item_id?: string;
}

// ---- parsers ------------------------------------------------------------------------------------------------
// They take already-parsed JSON; the client (client.ts) owns the HTTP, the errors and the cleaning of server text.
// A problem comes back as words for the client's "not a valid …: <problem>." message, never thrown from here.

/** A parser's verdict: the value, or what is wrong with the answer. */
export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; problem: string };

type Fields = Record<string, unknown>;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** Longest id accepted from an answer (it goes back into URL paths and messages). */
const MAX_ID = 200;

function asObject(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** A non-empty string (trimmed), or undefined. */
function word(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** An id: a non-empty string or a finite number as text, without control characters, at most MAX_ID long. */
function idOf(value: unknown): string | undefined {
  const id = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : undefined) : word(value);
  return id !== undefined && id.length <= MAX_ID && !CONTROL.test(id) ? id : undefined;
}

/** A byte count: a whole number >= 0, or a string that is one. */
function sizeOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function setDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) {
      (target as Record<string, unknown>)[key] = value;
    }
  }
  return target;
}

/**
 * The answer of `POST /rest/v1/files/uploads`: a list in upload order, one entry per part sent, each with a usable
 * `file_upload_id` (string or number). A lone object when one part was sent is read as a one-item list (tolerance:
 * the docs show a list). `filename`, `content_type` and `size` are kept when present and of the right shape.
 */
export function parseUploadedFiles(raw: unknown, sent: number): ParsedAnswer<UploadedFile[]> {
  const list = Array.isArray(raw) ? (raw as unknown[]) : sent === 1 && asObject(raw)?.file_upload_id !== undefined ? [raw] : undefined;
  if (list === undefined) {
    return { ok: false, problem: 'the body is JSON but not a list' };
  }
  if (list.length !== sent) {
    return { ok: false, problem: `${sent} ${sent === 1 ? 'file was' : 'files were'} sent but ${list.length} answered` };
  }
  const files: UploadedFile[] = [];
  for (const [index, item] of list.entries()) {
    const fields = asObject(item);
    if (fields === undefined) {
      return { ok: false, problem: `item ${index + 1} is not an object` };
    }
    const fileUploadId = idOf(fields.file_upload_id);
    if (fileUploadId === undefined) {
      return { ok: false, problem: `item ${index + 1} has ${fields.file_upload_id === undefined ? 'no "file_upload_id"' : 'a "file_upload_id" that is not usable'}` };
    }
    files.push(setDefined<UploadedFile>({ fileUploadId }, { filename: word(fields.filename), contentType: word(fields.content_type), size: sizeOf(fields.size) }));
  }
  return { ok: true, value: files };
}

/**
 * `malware_status` as the state EQP Keys acts on, whatever the spelling: `pass`/`passed` → pass, `fail`/`failed`
 * → fail, `in-progress`/`in_progress`/`in progress`/`queued`/`pending` → pending; anything else (or nothing) →
 * unknown. Case and surrounding blanks do not matter.
 */
export function normaliseMalwareStatus(raw: unknown): MalwareState {
  const value = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/[\s_]+/g, '-') : '';
  switch (value) {
    case 'pass':
    case 'passed':
      return 'pass';
    case 'fail':
    case 'failed':
      return 'fail';
    case 'in-progress':
    case 'queued':
    case 'pending':
      return 'pending';
    default:
      return 'unknown';
  }
}

/** `submission_ids`: a list of ids (strings or numbers), or one id, or a comma list; unusable entries left out. */
function submissionIds(value: unknown): string[] {
  const parts: unknown[] = Array.isArray(value) ? (value as unknown[]) : typeof value === 'string' ? value.split(',') : [value];
  const ids: string[] = [];
  for (const part of parts) {
    const id = idOf(part);
    if (id !== undefined && !ids.includes(id)) {
      ids.push(id);
    }
  }
  return ids;
}

/**
 * The answer of `GET /rest/v1/files/uploads/:id`: an object, or a one-item list of one. Without a usable
 * `file_upload_id` the asked id stands in (it was asked for by id). `malwareRaw` is the status as written ('' when
 * absent or not text, at most 100 characters, no control characters).
 */
export function parseUploadInfo(raw: unknown, askedId: string): ParsedAnswer<FileUploadInfo> {
  let item = raw;
  if (Array.isArray(raw)) {
    if (raw.length !== 1) {
      return { ok: false, problem: `the body is a list of ${raw.length} items, not one uploaded file` };
    }
    item = raw[0] as unknown;
  }
  const fields = asObject(item);
  if (fields === undefined) {
    return { ok: false, problem: 'the body is JSON but not an object' };
  }
  const status = typeof fields.malware_status === 'string' ? fields.malware_status.replace(/\p{Cc}+/gu, ' ').trim().slice(0, 100) : '';
  const info: FileUploadInfo = {
    fileUploadId: idOf(fields.file_upload_id) ?? askedId,
    malware: normaliseMalwareStatus(status),
    malwareRaw: status,
    submissionIds: submissionIds(fields.submission_ids),
  };
  return { ok: true, value: setDefined(info, { filename: word(fields.filename), size: sizeOf(fields.size), fileHash: word(fields.file_hash) }) };
}

/** `eqp_status` of a batch item, each part lower-cased; undefined when absent or not an object. */
function batchStatus(value: unknown): SubmissionStatus | undefined {
  const fields = asObject(value);
  if (fields === undefined) {
    return undefined;
  }
  const status: SubmissionStatus = {};
  for (const part of ['overall', 'technical', 'marketing'] as const) {
    const text = word(fields[part])?.toLowerCase();
    if (text !== undefined) {
      status[part] = text;
    }
  }
  return status;
}

/** A batch item's `code`: a finite number, or a string of 1 to 6 digits; NaN otherwise. */
function batchCode(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : NaN;
  }
  return typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : NaN;
}

/**
 * The batch answer of `POST /rest/v1/products/packages`: a list with one object per item sent, in the same order.
 * `ok` is code 200 or 201. `clean` makes a server message safe to show (one line, no secrets, no links); a failed
 * item without a message gets one that names its code. Dates as parseEqpDate reads them (epoch ms).
 */
export function parseBatchResults(
  raw: unknown,
  sent: number,
  clean: (message: string) => string,
): ParsedAnswer<BatchItemResult[]> {
  if (!Array.isArray(raw)) {
    return { ok: false, problem: 'the body is JSON but not a list' };
  }
  if (raw.length !== sent) {
    return { ok: false, problem: `${sent} ${sent === 1 ? 'package was' : 'packages were'} sent but ${raw.length} answered` };
  }
  const results: BatchItemResult[] = [];
  for (const [index, item] of (raw as unknown[]).entries()) {
    const fields = asObject(item);
    if (fields === undefined) {
      return { ok: false, problem: `item ${index + 1} is not an object` };
    }
    const code = batchCode(fields.code);
    const ok = code === 200 || code === 201;
    const serverMessage = word(fields.message);
    let message = serverMessage !== undefined ? clean(serverMessage) : '';
    if (message === '' && !ok) {
      message = Number.isNaN(code) ? 'the answer gave this package no code' : `refused with code ${code}`;
    }
    results.push(
      setDefined<BatchItemResult>(
        { code, message, ok },
        {
          submissionId: idOf(fields.submission_id),
          status: batchStatus(fields.eqp_status),
          createdAt: parseEqpDate(fields.created_at),
          modifiedAt: parseEqpDate(fields.modified_at),
          itemId: idOf(fields.item_id),
        },
      ),
    );
  }
  return { ok: true, value: results };
}
