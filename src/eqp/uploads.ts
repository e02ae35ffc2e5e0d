/**
 * Files and package submissions as the EQP API takes and answers them (files.md, packages.md "Package
 * submissions"), reduced to what EQP Keys sends and reads. Tolerant like submissions.ts: unknown fields are
 * ignored, unknown statuses pass through as text. No `vscode` import.
 */
import type { SubmissionStatus } from './submissions';

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
