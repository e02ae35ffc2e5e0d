/**
 * A JSON parser and printer that keep a file as it was: objects are Maps, so every key keeps its place (JSON.parse
 * moves integer-like keys such as "8080" to the front), and numbers keep their text (JSON.parse turns 1e400 into
 * Infinity and rounds big integers). A syntax error carries the offset where the text stops being JSON, the same
 * on every Node version (JSON.parse's messages differ between versions, some carry no position and some quote the
 * text around the error). Accepts exactly what JSON.parse accepts, plus a leading byte order mark. No `vscode`
 * import.
 */

/** A number as it is written in the file. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object: a Map from key to value, in the file's order (a repeated key keeps its first place, last value). */
export type JsonObject = Map<string, JsonValue>;
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

/** Where and why a text is not JSON. `reason` never quotes the text (it may hold secrets). */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    /** UTF-16 offset into the text where it stops being JSON. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at offset ${offset}`);
  }
}

/** Deeper than this is refused rather than risking the call stack (Composer's PHP refuses beyond 512). */
const MAX_DEPTH = 512;

/** Parses `text` as one JSON value; throws JsonSyntaxError. A leading byte order mark is skipped. */
export function parseJson(text: string): JsonValue {
  const p = new Parser(text);
  return p.document();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  document(): JsonValue {
    this.skipSpace();
    const value = this.value();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON value');
    return value;
  }

  private fail(reason: string, at = this.pos): never {
    throw new JsonSyntaxError(at, reason);
  }

  private failHere(expected: string): never {
    if (this.pos >= this.text.length) this.fail(`unexpected end of the file (expected ${expected})`);
    this.fail(`unexpected character (expected ${expected})`);
  }

  private skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private value(): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.failHere('a value');
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
  }

  private object(): JsonObject {
    this.enter();
    this.pos++; // {
    const map: JsonObject = new Map();
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return map;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.failHere('a property name in double quotes');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.failHere("':' after the property name");
      this.pos++;
      this.skipSpace();
      map.set(key, this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') break;
      if (c !== ',') {
        this.pos--;
        this.failHere("',' or '}'");
      }
      this.skipSpace();
    }
    this.depth--;
    return map;
  }

  private array(): JsonValue[] {
    this.enter();
    this.pos++; // [
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') break;
      if (c !== ',') {
        this.pos--;
        this.failHere("',' or ']'");
      }
      this.skipSpace();
    }
    this.depth--;
    return items;
  }

  private string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unexpected end of the file inside a string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('a control character (such as a line break) inside a string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('an invalid \\u escape in a string');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          if (e === undefined) this.fail('unexpected end of the file inside a string', this.pos + 1);
          this.fail('an invalid escape in a string');
      }
      this.pos += 2;
      start = this.pos;
    }
  }

  private number(): JsonNumber {
    const t = this.text;
    const start = this.pos;
    const digit = (): boolean => {
      const c = t.charCodeAt(this.pos);
      return c >= 0x30 && c <= 0x39;
    };
    const digits = (): void => {
      if (!digit()) this.failHere('a digit');
      while (digit()) this.pos++;
    };
    if (t[this.pos] === '-') this.pos++;
    if (t[this.pos] === '0') this.pos++;
    else digits();
    if (t[this.pos] === '.') {
      this.pos++;
      digits();
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      digits();
    }
    return new JsonNumber(t.slice(start, this.pos));
  }

  private literal<T extends boolean | null>(word: string, value: T): T {
    for (let i = 0; i < word.length; i++, this.pos++) {
      if (this.text[this.pos] !== word[i]) this.failHere(`'${word}'`);
    }
    return value;
  }
}

/**
 * Prints `value` the way `JSON.stringify(value, null, indent)` would print the same data, keys in the Map's order
 * and numbers as written.
 */
export function stringifyJson(value: JsonValue, indent = 4): string {
  const step = ' '.repeat(indent);
  const write = (v: JsonValue, pad: string): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return JSON.stringify(v);
    if (v instanceof JsonNumber) return v.text;
    const inner = pad + step;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((item) => inner + write(item, inner)).join(',\n')}\n${pad}]`;
    }
    if (v.size === 0) return '{}';
    const lines = [...v].map(([k, item]) => `${inner}${JSON.stringify(k)}: ${write(item, inner)}`);
    return `{\n${lines.join(',\n')}\n${pad}}`;
  };
  return write(value, '');
}

/**
 * The 1-based line and column of a UTF-16 `offset` in `text`. Line breaks are \n, \r\n and a lone \r, as in
 * VS Code; columns count UTF-16 code units, as VS Code's "line, column" does, and a leading byte order mark is not
 * counted.
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = text.charCodeAt(0) === 0xfeff && offset > 0 ? 1 : 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
