/**
 * A parsed JSON file with the place of each value (jsonc-parser's tree), for problems that point at the exact
 * text. Shared by composer.json and eqp-submission.json. Comments and trailing commas are errors, as in any
 * `.json` file the Marketplace reads. No `vscode` import.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from './positions';
import type { PreflightProblem, TextRange } from './types';

export interface JsonDocument {
  /** The root value, or undefined when the text is not JSON. */
  root?: Node;
  lines: LineIndex;
  /** The first syntax error, in plain words, with its place. */
  syntaxError?: { message: string; range: TextRange };
}

const SYNTAX_WORDS: Partial<Record<string, string>> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name (in double quotes) was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon was expected',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'an unfinished comment',
  UnexpectedEndOfString: 'an unfinished string',
  UnexpectedEndOfNumber: 'an unfinished number',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'a malformed escape in a string',
  InvalidCharacter: 'a control character in a string',
};

export function parseJsonDocument(text: string): JsonDocument {
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return { root, lines };
  const name = printParseErrorCode(first.error);
  return {
    root: undefined,
    lines,
    syntaxError: { message: SYNTAX_WORDS[name] ?? name, range: lines.range(first.offset, Math.max(1, first.length)) },
  };
}

/** The range of a node's text (a string's range includes its quotes). */
export function nodeRange(doc: JsonDocument, node: Node): TextRange {
  return doc.lines.range(node.offset, node.length);
}

/** The properties of an object node: key, key node, value node, in file order. */
export function properties(node: Node | undefined): { key: string; keyNode: Node; value: Node }[] {
  if (node?.type !== 'object') return [];
  const out: { key: string; keyNode: Node; value: Node }[] = [];
  for (const prop of node.children ?? []) {
    const [keyNode, value] = prop.children ?? [];
    if (keyNode && value && typeof keyNode.value === 'string') out.push({ key: keyNode.value, keyNode, value });
  }
  return out;
}

/** The value node of `key` in an object node (the last one when a key is repeated, as JSON.parse does). */
export function property(node: Node | undefined, key: string): Node | undefined {
  let found: Node | undefined;
  for (const p of properties(node)) if (p.key === key) found = p.value;
  return found;
}

/** A problem located in a JSON file (or at its start when there is no node). */
export function problemAt(
  doc: JsonDocument,
  file: string,
  node: Node | undefined,
  code: string,
  message: string,
  severity: PreflightProblem['severity'] = 'error',
): PreflightProblem {
  return { code, severity, message, file, range: node ? nodeRange(doc, node) : doc.lines.range(0, 0) };
}

/** JSON's name for a node's type, for messages ("a number", "an object"). */
export function jsonTypeWords(node: Node): string {
  switch (node.type) {
    case 'object': return 'an object';
    case 'array': return 'a list';
    case 'string': return 'text';
    case 'number': return 'a number';
    case 'boolean': return node.value === true ? 'true' : 'false';
    case 'null': return 'null';
    default: return 'something else';
  }
}
