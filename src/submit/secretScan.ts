/**
 * Looks for the secrets EQP Keys knows (application secrets, session tokens, Composer private keys) in the files
 * about to be zipped. A file that holds one is not dropped silently (that would ship a broken package): each
 * (file, secret) pair becomes an error on the first place the secret appears. Messages say what the secret is,
 * never its value.
 *
 * Each file is read as a stream in chunks (64 KiB); the last `longest secret - 1` bytes of one chunk are kept in
 * front of the next, so a secret split across chunks is found. Matching is a byte search (`Buffer.indexOf`) of
 * each secret's UTF-8 bytes, so binary files are searched too. Secrets shorter than 8 characters are skipped (they
 * would match by chance). Only files with a match are read a second time, up to the match, to find its line and
 * character (UTF-16, as VS Code counts); a file that looks binary (a NUL byte in its first 8 KB, git's test) gets
 * line 0. Not found: a secret written differently (JSON-escaped, base64 inside a Basic header, split by a line
 * break). No `vscode` import.
 */
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { SubmitCancelledError, throwIfAborted } from './cancel';
import type { KnownSecret, PackageFile, PreflightProblem, TextRange } from './types';

export const MIN_SECRET_LENGTH = 8;
const CHUNK = 64 * 1024;
const BINARY_SNIFF = 8000;

export interface ScanOptions {
  signal?: AbortSignal;
  /** How many files are read at once (default 4). */
  concurrency?: number;
  /** Bytes per read (default 64 KiB; tests use small ones to put secrets across chunk boundaries). */
  chunkSize?: number;
}

interface Needle {
  bytes: Buffer;
  what: string;
  length: number;
}

export async function scanForSecrets(root: string, files: readonly PackageFile[], secrets: readonly KnownSecret[], options: ScanOptions = {}): Promise<PreflightProblem[]> {
  const needles = uniqueNeedles(secrets);
  if (needles.length === 0 || files.length === 0) return [];
  const chunkSize = Math.max(1, options.chunkSize ?? CHUNK);
  const results: PreflightProblem[][] = new Array<PreflightProblem[]>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index];
      if (!file) continue;
      throwIfAborted(options.signal);
      const full = path.join(root, ...file.path.split('/'));
      const hits = await findFirstOffsets(full, needles, chunkSize, options.signal);
      const problems: PreflightProblem[] = [];
      if (hits.size > 0) {
        const ranges = await rangesAt(full, [...hits.entries()].map(([needle, offset]) => ({ needle, offset })), chunkSize, options.signal);
        for (const [needle, offset] of hits) {
          problems.push({
            code: 'secret-in-file',
            severity: 'error',
            file: file.path,
            range: ranges.get(offset),
            message: `This file holds ${needle.what}: remove it, or add the file to .gitignore.`,
          });
        }
      }
      results[index] = problems;
    }
  };
  const count = Math.max(1, Math.min(options.concurrency ?? 4, files.length));
  await Promise.all(Array.from({ length: count }, () => worker()));
  return results.flatMap((r) => r ?? []);
}

/** One needle per distinct value of at least MIN_SECRET_LENGTH characters (the first `what` wins). */
function uniqueNeedles(secrets: readonly KnownSecret[]): Needle[] {
  const seen = new Set<string>();
  const out: Needle[] = [];
  for (const s of secrets) {
    if (typeof s.value !== 'string' || s.value.length < MIN_SECRET_LENGTH || seen.has(s.value)) continue;
    seen.add(s.value);
    out.push({ bytes: Buffer.from(s.value, 'utf8'), what: s.what, length: s.value.length });
  }
  return out;
}

/** Each needle found in the file → the byte offset of its first occurrence. Stops reading once all are found. */
async function findFirstOffsets(file: string, needles: readonly Needle[], chunkSize: number, signal?: AbortSignal): Promise<Map<Needle, number>> {
  const found = new Map<Needle, number>();
  const keep = Math.max(...needles.map((n) => n.bytes.length)) - 1;
  let carry = Buffer.alloc(0);
  let carryStart = 0; // the file offset of carry[0]
  const stream = createReadStream(file, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new SubmitCancelledError();
      const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      for (const needle of needles) {
        if (found.has(needle)) continue;
        const at = window.indexOf(needle.bytes);
        if (at !== -1) found.set(needle, carryStart + at);
      }
      if (found.size === needles.length) break;
      const tail = Math.min(keep, window.length);
      // Copy the tail: a slice would keep the whole window (and so every chunk) alive.
      carry = Buffer.from(window.subarray(window.length - tail));
      carryStart += window.length - tail;
    }
  } finally {
    stream.destroy();
  }
  return found;
}

/**
 * The range of each match: the file is read again up to the last offset, counting lines (`\n`) and the UTF-16
 * length of the current line (UTF-8 lead bytes; a 4-byte sequence is 2 units). Binary files: line 0.
 */
async function rangesAt(file: string, matches: { needle: Needle; offset: number }[], chunkSize: number, signal?: AbortSignal): Promise<Map<number, TextRange>> {
  const out = new Map<number, TextRange>();
  const wanted = [...new Set(matches.map((m) => m.offset))].sort((a, b) => a - b);
  const lengthAt = new Map(matches.map((m) => [m.offset, m.needle.length]));
  const last = wanted[wanted.length - 1] ?? 0;
  let line = 0;
  let character = 0;
  let pos = 0; // file offset of the next byte
  let w = 0;
  let binary: boolean | undefined;
  const stream = createReadStream(file, { highWaterMark: chunkSize, end: last });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new SubmitCancelledError();
      if (binary === undefined) binary = chunk.subarray(0, BINARY_SNIFF).includes(0);
      if (binary) break;
      for (let i = 0; i < chunk.length && w < wanted.length; i++, pos++) {
        if (pos === wanted[w]) {
          const len = lengthAt.get(pos) ?? 0;
          out.set(pos, { startLine: line, startCharacter: character, endLine: line, endCharacter: character + len });
          w++;
        }
        const b = chunk[i] ?? 0;
        if (b === 0x0a) {
          line++;
          character = 0;
        } else if ((b & 0xc0) !== 0x80) {
          character += b >= 0xf0 ? 2 : 1;
        }
      }
    }
  } finally {
    stream.destroy();
  }
  for (const offset of wanted) {
    if (!out.has(offset)) out.set(offset, { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 });
  }
  return out;
}
