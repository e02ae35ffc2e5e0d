// A small evaluator of VS Code's when-clause language, for the subset package.json uses in menus: `key`,
// `key == value`, `key != value`, `key =~ /regex/flags`, `!`, `&&`, `||` and parentheses. Anything else (such as
// the `!~` that VS Code does not have) is a parse error, so a clause VS Code could not parse fails here too. The
// integration suite asks VS Code itself (`_validateWhenClauses`); this lets the unit suite evaluate the menus.

type Token = { t: '(' | ')' | '!' | '&&' | '||' | '==' | '!=' | '=~' } | { t: 'word'; v: string } | { t: 'regex'; v: RegExp };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=' || two === '=~') { out.push({ t: two }); i += 2; continue; }
    if (two === '!~') throw new Error(`"!~" is not an operator of the when-clause language (at ${i} in: ${src})`);
    if (c === '(' || c === ')' || c === '!') { out.push({ t: c }); i++; continue; }
    if (c === '/' && out.at(-1)?.t === '=~') {
      let j = i + 1;
      let body = '';
      while (j < src.length && src[j] !== '/') { if (src[j] === '\\') { body += src[j]! + (src[j + 1] ?? ''); j += 2; } else { body += src[j]; j++; } }
      if (j >= src.length) throw new Error(`unterminated regex in: ${src}`);
      j++;
      let flags = '';
      while (j < src.length && /[a-z]/.test(src[j]!)) flags += src[j++];
      out.push({ t: 'regex', v: new RegExp(body, flags) });
      i = j;
      continue;
    }
    const m = /^[A-Za-z0-9_.:-]+/.exec(src.slice(i));
    if (!m) throw new Error(`unexpected "${c}" at ${i} in: ${src}`);
    out.push({ t: 'word', v: m[0] });
    i += m[0].length;
  }
  return out;
}

export type WhenContext = Record<string, string | boolean | undefined>;

/** Evaluates `clause` against `ctx`; throws when the clause is not valid when-clause syntax (of this subset). */
export function evaluateWhen(clause: string, ctx: WhenContext): boolean {
  const tokens = tokenize(clause);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const expect = (t: Token['t']): Token => {
    const tok = tokens[p++];
    if (!tok || tok.t !== t) throw new Error(`expected ${t} at token ${p - 1} in: ${clause}`);
    return tok;
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.t === '||') { p++; const r = and(); v = v || r; }
    return v;
  };
  const and = (): boolean => {
    let v = unary();
    while (peek()?.t === '&&') { p++; const r = unary(); v = v && r; }
    return v;
  };
  const unary = (): boolean => {
    if (peek()?.t === '!') { p++; return !unary(); }
    return primary();
  };
  const primary = (): boolean => {
    if (peek()?.t === '(') { p++; const v = or(); expect(')'); return v; }
    const key = expect('word') as { t: 'word'; v: string };
    const value = ctx[key.v];
    const op = peek()?.t;
    if (op === '==' || op === '!=') {
      p++;
      const rhs = expect('word') as { t: 'word'; v: string };
      const eq = String(value) === rhs.v;
      return op === '==' ? eq : !eq;
    }
    if (op === '=~') {
      p++;
      const rx = tokens[p++];
      if (!rx || rx.t !== 'regex') throw new Error(`=~ needs a /regex/ in: ${clause}`);
      return typeof value === 'string' && rx.v.test(value);
    }
    if (key.v === 'true') return true;
    if (key.v === 'false') return false;
    return !!value;
  };
  const result = or();
  if (p !== tokens.length) throw new Error(`unexpected text after token ${p} in: ${clause}`);
  return result;
}
