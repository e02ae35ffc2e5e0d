import * as assert from 'node:assert/strict';
import {
  JsonNumber,
  JsonSyntaxError,
  JsonValue,
  isJsonObject,
  lineColumn,
  parseJson,
  stringifyJson,
} from '../../src/composer/orderedJson';

/** Parses or returns the JsonSyntaxError. */
function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  assert.fail('expected a JsonSyntaxError');
}

function accepts(parse: (text: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

const VALID = [
  '{}',
  '[]',
  ' \t\r\n{ } \n',
  '0',
  '-0',
  '-0.0e+0',
  '1E5',
  '123.456e-7',
  'true',
  'false',
  'null',
  '""',
  '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\uDFFF"',
  '"\u00e9\u2028 \uD83D\uDE00"',
  '{"a":1,"b":[true,false,null,{"c":"d"}],"e":{}}',
  '[[[[]]],{},"x",-1.5]',
  '{"": ""}',
  '{"a":1,"a":2}',
];

const INVALID = [
  '',
  ' ',
  '{',
  '}',
  '{"a"}',
  '{"a":}',
  '{"a":1,}',
  '[1,]',
  '[1 2]',
  "{'a':1}",
  '{a:1}',
  '01',
  '-',
  '1.',
  '.5',
  '1e',
  '1e+',
  '+1',
  'tru',
  'truex',
  'nul',
  'NaN',
  'Infinity',
  '"abc',
  '"a\nb"',
  '"a\tb"',
  '"\\x"',
  '"\\u12"',
  '"\\u12G4"',
  '"\\',
  '{} {}',
  '{}x',
  '\u00a0{}',
  '{"a":1}\u0000',
  '[1,2',
  '/* c */ {}',
];

describe('orderedJson', () => {
  it('accepts exactly what JSON.parse accepts', () => {
    for (const text of [...VALID, ...INVALID]) {
      assert.equal(accepts(parseJson, text), accepts(JSON.parse, text), JSON.stringify(text));
    }
    for (const text of VALID) assert.ok(accepts(parseJson, text), JSON.stringify(text));
  });

  it('prints what JSON.stringify(JSON.parse(text), null, 4) prints, for text JSON.parse keeps as it is', () => {
    const texts = [
      '{"a":1,"b":[true,false,null,{"c":"d"}],"e":{},"f":[],"g":"\\u00e9\\n\\"q\\" \\u0001 \\/"}',
      '[[[[]]],{},"x",-1.5,0,[{"y":[1,[2]]}]]',
      '"lone \\ud800 surrogate"',
      '{"http-basic":{"repo.magento.com":{"username":"u","password":"p"}},"github-oauth":{"github.com":"t"}}',
    ];
    for (const text of texts) {
      assert.equal(stringifyJson(parseJson(text), 4), JSON.stringify(JSON.parse(text), null, 4), text);
      assert.equal(stringifyJson(parseJson(text), 2), JSON.stringify(JSON.parse(text), null, 2), text);
    }
  });

  it('keeps the order of every key, integer-like ones included (JSON.parse moves those first)', () => {
    const doc = parseJson('{"b":1,"8080":2,"a":3,"1":4}');
    assert.ok(isJsonObject(doc));
    assert.deepEqual([...doc.keys()], ['b', '8080', 'a', '1']);
    assert.equal(stringifyJson(doc, 0).replace(/\n/g, ''), '{"b": 1,"8080": 2,"a": 3,"1": 4}');
  });

  it('keeps numbers as they are written', () => {
    const text = '[1e400,12345678901234567890123,1.50,-0,1E+2]';
    const doc = parseJson(text);
    assert.ok(Array.isArray(doc));
    assert.deepEqual(
      doc.map((n) => (n instanceof JsonNumber ? n.text : n)),
      ['1e400', '12345678901234567890123', '1.50', '-0', '1E+2'],
    );
    assert.equal(stringifyJson(doc, 4), '[\n    1e400,\n    12345678901234567890123,\n    1.50,\n    -0,\n    1E+2\n]');
  });

  it('gives a repeated key its first place and its last value, as JSON.parse does', () => {
    const doc = parseJson('{"a":1,"b":2,"a":3}');
    assert.ok(isJsonObject(doc));
    assert.deepEqual([...doc.keys()], ['a', 'b']);
    assert.deepEqual(doc.get('a'), new JsonNumber('3'));
  });

  it('decodes strings like JSON.parse', () => {
    const text = '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00 \\u0000"';
    assert.equal(parseJson(text), JSON.parse(text));
  });

  it('skips a leading byte order mark', () => {
    const doc: JsonValue = parseJson('\uFEFF{"a":"b"}');
    assert.ok(isJsonObject(doc));
    assert.equal(doc.get('a'), 'b');
  });

  it('points at where the text stops being JSON', () => {
    assert.equal(syntaxError('{"a":1,}').offset, 7);
    assert.equal(syntaxError('{"a" 1}').offset, 5);
    assert.equal(syntaxError('[1,2').offset, 4);
    assert.equal(syntaxError('{"a":"x\ny"}').offset, 7);
    assert.equal(syntaxError('{} x').offset, 3);
    assert.equal(syntaxError('{"a":01}').offset, 6);
    assert.equal(syntaxError('{"a": tru}').offset, 9);
    assert.equal(syntaxError('').offset, 0);
    assert.equal(syntaxError('{\n  "a": 1,\n  "b": }\n').offset, 19);
  });

  it('never quotes the text in its reason', () => {
    const secret = 'Sup3rS3cretPassw0rd';
    for (const text of [`{"p":"${secret}"`, `{"p":${secret}}`, `{"${secret}" 1}`, `["${secret}",]`, `"${secret}\\q"`]) {
      const e = syntaxError(text);
      assert.ok(!e.message.includes(secret) && !e.reason.includes(secret), e.message);
      assert.ok(!e.message.includes('Sup3r'), e.message);
    }
  });

  it('refuses nesting deeper than 512 levels instead of overflowing the stack', () => {
    assert.ok(accepts(parseJson, '['.repeat(512) + ']'.repeat(512)));
    const e = syntaxError('['.repeat(100_000) + ']'.repeat(100_000));
    assert.equal(e.offset, 512);
  });

  it('counts lines and columns from 1, across \\n, \\r\\n and a lone \\r, without a byte order mark', () => {
    assert.deepEqual(lineColumn('abc', 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn('abc', 2), { line: 1, column: 3 });
    assert.deepEqual(lineColumn('a\nbc', 3), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('a\r\nbc', 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn('a\rb\nc', 4), { line: 3, column: 1 });
    assert.deepEqual(lineColumn('\uFEFFab', 2), { line: 1, column: 2 });
    assert.deepEqual(lineColumn('a\n', 2), { line: 2, column: 1 });
  });
});
