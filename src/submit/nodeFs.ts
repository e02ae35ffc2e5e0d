/**
 * The package folder on disk as pre-flight's PackageView. Paths are relative to the root with `/` separators; one
 * that is absolute or climbs out of the root reads as "no such file". A file that cannot be read (missing,
 * a directory, no permission) also reads as absent: pre-flight then says what it needed. No `vscode` import.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PackageView } from './preflight';

export function nodePackageView(root: string): PackageView {
  const base = path.resolve(root);
  const resolve = (relativePath: string): string | undefined => {
    if (relativePath === '' || path.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) return undefined;
    const full = path.resolve(base, ...relativePath.split('/'));
    const rel = path.relative(base, full);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : full;
  };
  return {
    async readText(relativePath) {
      const full = resolve(relativePath);
      if (!full) return undefined;
      try {
        return await fs.readFile(full, 'utf8');
      } catch {
        return undefined;
      }
    },
    async exists(relativePath) {
      const full = resolve(relativePath);
      if (!full) return false;
      try {
        return (await fs.stat(full)).isFile();
      } catch {
        return false;
      }
    },
    async readBytes(relativePath, max) {
      const full = resolve(relativePath);
      if (!full) return undefined;
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(full, 'r');
        const buffer = Buffer.alloc(Math.max(0, max));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } catch {
        return undefined;
      } finally {
        await handle?.close();
      }
    },
  };
}
