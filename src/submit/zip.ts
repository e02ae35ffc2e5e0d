/**
 * Writes the package zip with yazl, streaming: each file is opened only when its turn comes (one open file at a
 * time), deflated through Node's zlib and written to `outPath`; nothing holds a whole file in memory. Entry names
 * are the listed relative paths, so composer.json sits at the zip's root. Each entry keeps its file's mtime and
 * mode. A file whose size changed since it was listed fails the build (yazl checks the byte count), so what was
 * scanned for secrets is what is zipped, or nothing. On cancel or error the partial zip is removed. No `vscode`
 * import.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { ZipFile } from 'yazl';
import { SubmitCancelledError, throwIfAborted } from './cancel';
import type { PackageFile } from './types';

export interface BuildZipOptions {
  /** Called as file bytes are read (done and total uncompressed bytes, from the listed sizes). */
  onProgress?(doneBytes: number, totalBytes: number): void;
  signal?: AbortSignal;
}

export interface BuiltZip {
  path: string;
  /** The zip's size in bytes. */
  size: number;
  entries: number;
}

/** A zip that could not be written; `message` says which file or what went wrong, in plain words. */
export class ZipBuildError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
    this.name = 'ZipBuildError';
  }
}

export async function buildZip(root: string, files: readonly PackageFile[], outPath: string, options: BuildZipOptions = {}): Promise<BuiltZip> {
  throwIfAborted(options.signal);
  const base = path.resolve(root);
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const zip = new ZipFile();
  let done = 0;
  let current: { file: string; destroy(): void } | undefined;

  for (const file of files) {
    const full = path.join(base, ...file.path.split('/'));
    let stat;
    try {
      stat = await fs.stat(full);
    } catch (error) {
      throw new ZipBuildError(`${file.path} could not be read (${describe(error)}).`, file.path);
    }
    zip.addReadStreamLazy(file.path, { mtime: stat.mtime, mode: stat.mode, size: file.size, compress: true }, (cb) => {
      const input = createReadStream(full);
      const counter = new ProgressCounter((n) => {
        done += n;
        options.onProgress?.(done, total);
      });
      // yazl does not watch the streams it is given: a read error goes to the zip's own error event.
      input.on('error', (error) => zip.emit('error', new ZipBuildError(`${file.path} could not be read (${describe(error)}).`, file.path)));
      current = { file: file.path, destroy: () => input.destroy() };
      cb(null, input.pipe(counter));
    });
  }
  zip.end();

  const output = createWriteStream(outPath);
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        current?.destroy();
        zip.outputStream.unpipe(output);
        output.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(new SubmitCancelledError());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      zip.on('error', (error: unknown) => {
        const message = error instanceof ZipBuildError ? error.message : zipErrorWords(error, current?.file);
        fail(error instanceof ZipBuildError ? error : new ZipBuildError(message, current?.file));
      });
      output.on('error', (error) => fail(new ZipBuildError(`The zip could not be written to ${outPath} (${describe(error)}).`)));
      output.on('close', () => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      zip.outputStream.pipe(output);
    });
  } catch (error) {
    await new Promise<void>((resolve) => (output.closed ? resolve() : output.once('close', () => resolve())));
    await fs.rm(outPath, { force: true });
    throw error;
  }
  const size = (await fs.stat(outPath)).size;
  return { path: outPath, size, entries: files.length };
}

/** Passes bytes through and reports how many went by. */
class ProgressCounter extends Transform {
  constructor(private readonly report: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.report(chunk.length);
    callback(null, chunk);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'it no longer exists';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  return error instanceof Error ? error.message : String(error);
}

function zipErrorWords(error: unknown, file: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/unexpected number of bytes/i.test(text) && file) return `${file} changed while the zip was being built; build it again.`;
  return file ? `The zip could not be built at ${file} (${text}).` : `The zip could not be built (${text}).`;
}
