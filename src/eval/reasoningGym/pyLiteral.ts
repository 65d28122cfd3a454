// Python literals as RG's scorers `eval()` them: ints (decimal, hex, octal, binary), floats,
// strings (every quote form, prefix and escape, adjacent ones joined), lists, tuples (also a bare
// top-level "1, 2, 3"), True/False/None, unary + - ~ on numbers, comments and backslash
// continuations. Parsed, never executed: anything else (bytes, complex numbers, dicts and sets,
// operators between values, names, calls, f-string fields, \N{...} escapes) is null, where
// Python's eval would either raise or compute something (the computed cases are a documented gap).

import { pyFloat, pyFloatRepr, pyIntBase0 } from './py';

export type PyValue =
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'none' }
  | { readonly k: 'list' | 'tuple'; readonly items: readonly PyValue[] };

const MAX_DEPTH = 64;
/** Python's one-character string escapes. */
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };
/** A string prefix (case-insensitive) right before its quote; `b` ones are bytes. */
const STRING_PREFIX = /(?:[rRuUfFbB]|[rR][bBfF]|[bBfF][rR])?(?=['"])/y;
/** Python's number literals (ASCII digits, `_` between digits); a name character may not follow. */
const DIGITS = '\\d(?:_?\\d)*';
const NUMBER = new RegExp(`(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?)(?![\\w.])`, 'y');
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}]*/uy;

/**
 * The body of a string literal after its opening quote, with Python's rules: raw strings keep
 * backslashes (an escaped quote does not end them), other strings decode \n \xhh \uXXXX \ooo ...
 * (an unknown escape stays as written), a backslash-newline is dropped, a newline ends a
 * one-quote string with an error. f-strings read only without replacement fields (`{{` is `{`).
 * Returns the text and the index after the closing quote, or null where Python raises (or would
 * need a name table, \N{...}).
 */
function stringBody(src: string, start: number, quote: string, raw: boolean, fString: boolean): { text: string; end: number } | null {
  let i = start;
  let out = '';
  for (;;) {
    if (i >= src.length) return null;
    if (src.startsWith(quote, i)) return { text: out, end: i + quote.length };
    const c = src[i] ?? '';
    if ((c === '\n' || c === '\r') && quote.length === 1) return null;
    if (fString && (c === '{' || c === '}')) {
      if (src[i + 1] !== c) return null;
      out += c;
      i += 2;
      continue;
    }
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    if (e === undefined) return null;
    if (raw) {
      // The backslash stays; the next character (a quote too) never closes the string.
      out += c + e;
      i += 2;
      continue;
    }
    if (e === '\n' || e === '\r') {
      i += e === '\r' && src[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    const one = ESCAPES[e];
    if (one !== undefined) {
      out += one;
      i += 2;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4));
    if (octal) {
      out += String.fromCodePoint(parseInt(octal[0], 8));
      i += 1 + octal[0].length;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = src.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return null;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return null;
      out += String.fromCodePoint(cp);
      i += 2 + width;
      continue;
    }
    if (e === 'N') return null;
    out += c + e;
    i += 2;
  }
}

/** Parses `text` as Python's `eval` would read a literal; null when it is not one. */
export function parsePyLiteral(text: string): PyValue | null {
  const src = text;
  let i = 0;
  let depth = 0;
  /** Open brackets: a newline inside them is whitespace, outside them it ends the expression. */
  let brackets = 0;
  /** A token has been read (blank and comment lines before the first one are skipped). */
  let started = false;
  /** The logical line ended outside brackets: only whitespace and comments may follow. */
  let ended = false;
  /** A backslash continuation was the last thing in the text (a SyntaxError). */
  let continuationAtEnd = false;
  /** Skips whitespace (not \v, as Python's tokenizer), comments and backslash continuations. */
  const ws = (): void => {
    for (;;) {
      const c = src[i];
      if (c === ' ' || c === '\t' || c === '\f') i++;
      else if (c === '\n' || c === '\r') {
        if (brackets === 0 && started) ended = true;
        i++;
      } else if (c === '#') while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
      else if (c === '\\' && (src[i + 1] === '\n' || src[i + 1] === '\r')) {
        i += src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 2;
        if (i === src.length) continuationAtEnd = true;
      } else return;
    }
  };
  /** One string literal (prefix included) at i, or undefined when none starts there. */
  const stringLiteral = (): { text: string; bytes: boolean } | null | undefined => {
    STRING_PREFIX.lastIndex = i;
    const m = STRING_PREFIX.exec(src);
    if (!m) return undefined;
    const prefix = m[0].toLowerCase();
    const at = i + m[0].length;
    const q = src[at] ?? '';
    const quote = src.startsWith(q.repeat(3), at) ? q.repeat(3) : q;
    const body = stringBody(src, at + quote.length, quote, prefix.includes('r'), prefix.includes('f'));
    if (!body) return null;
    i = body.end;
    return { text: body.text, bytes: prefix.includes('b') };
  };
  const value = (): PyValue | null => {
    ws();
    const ch = src[i];
    if (ch === undefined || ended) return null;
    started = true;
    if (ch === '+' || ch === '-' || ch === '~') {
      i++;
      if (++depth > MAX_DEPTH) return null;
      const operand = value();
      depth--;
      if (!operand) return null;
      const n = operand.k === 'bool' ? { k: 'int' as const, v: operand.v ? 1n : 0n } : operand;
      if (n.k === 'int') return { k: 'int', v: ch === '+' ? n.v : ch === '-' ? -n.v : -n.v - 1n };
      if (n.k === 'float' && ch !== '~') return { k: 'float', v: ch === '-' ? -n.v : n.v };
      return null;
    }
    if (ch === '[' || ch === '(') {
      if (++depth > MAX_DEPTH) return null;
      brackets++;
      const close = ch === '[' ? ']' : ')';
      i++;
      const items: PyValue[] = [];
      let sawComma = false;
      ws();
      while (src[i] !== close) {
        const item = value();
        if (!item) return null;
        items.push(item);
        ws();
        if (src[i] === ',') {
          sawComma = true;
          i++;
          ws();
        } else if (src[i] !== close) return null;
      }
      i++;
      depth--;
      brackets--;
      if (ch === '(' && items.length === 1 && !sawComma) return items[0] ?? null;
      return { k: ch === '[' ? 'list' : 'tuple', items };
    }
    const lit = stringLiteral();
    if (lit === null) return null;
    if (lit !== undefined) {
      // Adjacent literals are one string ("a" 'b' is "ab"); bytes are not read.
      let out = lit.text;
      let bytes = lit.bytes;
      for (;;) {
        const save = i;
        const wasEnded = ended;
        ws();
        const next = ended ? undefined : stringLiteral();
        if (next === null) return null;
        if (next === undefined) {
          i = save;
          ended = wasEnded;
          break;
        }
        out += next.text;
        bytes ||= next.bytes;
      }
      return bytes ? null : { k: 'str', v: out };
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num) {
      i += num[0].length;
      const w = num[0];
      const n = pyIntBase0(w);
      if (n !== null) return { k: 'int', v: n };
      if (/^0[xXoObB]|^\d+$|^[\d_]+$/.test(w)) return null;
      const f = pyFloat(w);
      return f === null ? null : { k: 'float', v: f };
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (!name) return null;
    i += name[0].length;
    // Python reads identifiers in NFKC form ("Ｔｒｕｅ" is True).
    const w = name[0].normalize('NFKC');
    if (w === 'True' || w === 'False') return { k: 'bool', v: w === 'True' };
    if (w === 'None') return { k: 'none' };
    return null;
  };
  const first = value();
  if (!first) return null;
  ws();
  if (i === src.length) return continuationAtEnd ? null : first;
  // A bare tuple: "1, 2, 3".
  const items = [first];
  while (src[i] === ',' && !ended) {
    i++;
    ws();
    if (i === src.length) break;
    const v = value();
    if (!v) return null;
    items.push(v);
    ws();
  }
  return i === src.length && !continuationAtEnd ? { k: 'tuple', items } : null;
}

function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(new RegExp(q, 'g'), `\\${q}`) + q;
}

/** Python `str(x)`. */
export function pyStr(x: PyValue): string {
  switch (x.k) {
    case 'int':
      return x.v.toString();
    case 'float':
      return pyFloatRepr(x.v);
    case 'str':
      return x.v;
    case 'bool':
      return x.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'list':
      return `[${x.items.map(pyRepr).join(', ')}]`;
    case 'tuple':
      return x.items.length === 1 ? `(${pyRepr(x.items[0] as PyValue)},)` : `(${x.items.map(pyRepr).join(', ')})`;
  }
}

/** Python `repr(x)`. */
export function pyRepr(x: PyValue): string {
  return x.k === 'str' ? strRepr(x.v) : pyStr(x);
}

/** Iterating a value as Python's `for item in x` does; null when not iterable. */
export function pyIter(x: PyValue): PyValue[] | null {
  if (x.k === 'list' || x.k === 'tuple') return [...x.items];
  if (x.k === 'str') return [...x.v].map((c) => ({ k: 'str', v: c }));
  return null;
}

/** Python `sep.join(x)`: every item must be a str; null where Python raises. */
export function pyJoin(sep: string, x: PyValue): string | null {
  const items = pyIter(x);
  if (!items) return null;
  const out: string[] = [];
  for (const it of items) {
    if (it.k !== 'str') return null;
    out.push(it.v);
  }
  return out.join(sep);
}
