// Python literals as RG's scorers `eval()` them: ints, floats, strings, lists, tuples (also a
// bare top-level "1, 2, 3"), True/False/None. Parsed, never executed: anything that is not a
// plain literal is null, where Python's eval would either raise or compute something the
// scorer then rejects.

import { pyFloat, pyFloatRepr, pyInt } from './py';

export type PyValue =
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'none' }
  | { readonly k: 'list' | 'tuple'; readonly items: readonly PyValue[] };

const MAX_DEPTH = 64;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Parses `text` as Python's `eval` would read a literal; null when it is not one. */
export function parsePyLiteral(text: string): PyValue | null {
  const src = text;
  let i = 0;
  let depth = 0;
  const ws = (): void => {
    while (i < src.length && /[ \t\n\r\f\v]/.test(src[i] ?? '')) i++;
  };
  const value = (): PyValue | null => {
    ws();
    const ch = src[i];
    if (ch === undefined) return null;
    if (ch === '[' || ch === '(') {
      if (++depth > MAX_DEPTH) return null;
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
      if (ch === '(' && items.length === 1 && !sawComma) return items[0] ?? null;
      return { k: ch === '[' ? 'list' : 'tuple', items };
    }
    if (ch === '"' || ch === "'") {
      i++;
      let out = '';
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\n') return null;
        if (src[i] === '\\') {
          const e = src[i + 1] ?? '';
          const mapped = ESCAPES[e];
          out += mapped ?? `\\${e}`;
          i += 2;
          continue;
        }
        out += src[i];
        i++;
      }
      if (src[i] !== ch) return null;
      i++;
      return { k: 'str', v: out };
    }
    const word = /^[+-]?[\w.]+(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (!word) return null;
    i += word[0].length;
    const w = word[0];
    if (w === 'True' || w === 'False') return { k: 'bool', v: w === 'True' };
    if (w === 'None') return { k: 'none' };
    const n = pyInt(w);
    if (n !== null && !/^[+-]?0\d/.test(w)) return { k: 'int', v: n };
    if (/^[+-]?(\d|\.\d)/.test(w) && !/^[+-]?(inf|nan)/i.test(w)) {
      const f = pyFloat(w);
      if (f !== null) return { k: 'float', v: f };
    }
    return null;
  };
  const first = value();
  if (!first) return null;
  ws();
  if (i === src.length) return first;
  // A bare tuple: "1, 2, 3".
  const items = [first];
  while (src[i] === ',') {
    i++;
    ws();
    if (i === src.length) break;
    const v = value();
    if (!v) return null;
    items.push(v);
    ws();
  }
  return i === src.length ? { k: 'tuple', items } : null;
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
