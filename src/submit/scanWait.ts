/**
 * Waiting for the malware scan of uploaded files (files.md): each file is read again with backoff (2 s, doubling
 * to at most 30 s) on the injected clock until every one says pass, one says fail, or the time allowed runs out.
 * No fixed sleeps, no `vscode` import.
 */
import { EqpError } from '../eqp/errors';
import type { FileUploadInfo } from '../eqp/uploads';
import { type Clock, sleep } from '../util/clock';
import { UserError } from '../util/errors';

export const FIRST_SCAN_WAIT_MS = 2_000;
export const LONGEST_SCAN_WAIT_MS = 30_000;

/** The scan did not finish in the time allowed: the upload ids, to submit later without uploading again. */
export class ScanTimeoutError extends UserError {
  constructor(
    readonly pending: FileUploadInfo[],
    readonly waitedMs: number,
  ) {
    const ids = pending.map((f) => `${f.filename ?? 'file'} ${f.fileUploadId} (${f.malwareRaw || 'no status'})`).join(', ');
    const minutes = Math.round(waitedMs / 60_000);
    super(
      `The malware scan did not finish within ${minutes} minute${minutes === 1 ? '' : 's'}: ${ids}. Nothing was submitted. ` +
        'Submit later without uploading again: run "EQP: Submit Package…" with this upload\'s ID as "fileUploadId".',
    );
  }
}

/** The scan refused a file: nothing can be submitted with it. */
export class MalwareFailedError extends UserError {
  constructor(readonly file: FileUploadInfo) {
    super(
      `The Marketplace malware scan refused ${file.filename ?? 'the uploaded file'} (upload ${file.fileUploadId}, status "${file.malwareRaw}"). ` +
        'Nothing was submitted. Check the package for anything a scanner could take for malware (obfuscated or encoded code, bundled binaries), then submit again.',
    );
  }
}

export interface ScanWaitOptions {
  clock: Clock;
  /** The most to wait in all (default 15 minutes). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** After each round of reads: the files' states and the time waited so far. */
  onRound?(files: FileUploadInfo[], waitedMs: number): void;
}

/** Reads every id until all pass; throws MalwareFailedError, ScanTimeoutError, or the read's error. */
export async function waitForScan(read: (id: string, signal?: AbortSignal) => Promise<FileUploadInfo>, ids: readonly string[], opts: ScanWaitOptions): Promise<FileUploadInfo[]> {
  const started = opts.clock.now();
  const deadline = started + opts.timeoutMs;
  const done = new Map<string, FileUploadInfo>();
  let wait = FIRST_SCAN_WAIT_MS;

  for (;;) {
    const last: FileUploadInfo[] = [];
    for (const id of ids) {
      const known = done.get(id);
      if (known) {
        last.push(known);
        continue;
      }
      const info = await read(id, opts.signal);
      if (info.malware === 'fail') throw new MalwareFailedError(info);
      if (info.malware === 'pass') done.set(id, info);
      last.push(info);
    }
    const waited = opts.clock.now() - started;
    opts.onRound?.(last, waited);
    if (done.size === ids.length) return last;
    const left = deadline - opts.clock.now();
    if (left <= 0) throw new ScanTimeoutError(last.filter((f) => f.malware !== 'pass'), waited);
    await sleep(opts.clock, Math.min(wait, left), opts.signal, () => new EqpError('cancelled', 'Waiting for the malware scan was cancelled. Nothing was submitted.'));
    wait = Math.min(wait * 2, LONGEST_SCAN_WAIT_MS);
  }
}
