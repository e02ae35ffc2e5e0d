/**
 * Offsets in a text to 0-based line/character positions (what jsonc-parser gives to what a diagnostic needs).
 * Characters are UTF-16 code units, as in VS Code; a line ends at `\n` (a `\r` before it stays on the line, as
 * VS Code's `\r\n` lines keep their character counts right up to the `\r`). No `vscode` import.
 */
import type { TextRange } from './types';

/** Maps offsets of one text to positions; build it once per text (the line starts are computed once). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** The 0-based line and character of an offset (clamped to the text). */
  position(offset: number): { line: number; character: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: at - (this.lineStarts[lo] ?? 0) };
  }

  /** The range of `length` characters from `offset`. */
  range(offset: number, length: number): TextRange {
    const start = this.position(offset);
    const end = this.position(offset + Math.max(0, length));
    return { startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character };
  }
}

/** The start of a file (for a problem about the whole file, e.g. invalid JSON with no better place). */
export const START_OF_FILE: TextRange = { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 };
