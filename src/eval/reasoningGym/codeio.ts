// codeio: the exact output text 1; a JSON object somewhere in the answer is compared with the
// gold JSON: equal → a length-penalised maximum, different → that maximum times a similarity
// from the tree edit distance (Zhang–Shasha) between the two JSON trees, with RG's label
// costs. Python's `json` semantics (int vs float, `str()`, `json.dumps` lengths) are kept so
// the numbers match RG's.

import { oracle, type RgScorer } from './entry';
import { PY_NESTING_LIMIT, pyFloatRepr, pyLen, pyStrip } from './py';
import { pyStr } from './pyLiteral';

/** A JSON value as Python's `json.loads` gives it (ints and floats apart, dict keys in insertion order). */
export type J =
  | { readonly k: 'int'; readonly v: bigint }
  | { readonly k: 'float'; readonly v: number }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'null' }
  | { readonly k: 'list'; readonly items: readonly J[] }
  | { readonly k: 'dict'; readonly entries: ReadonlyMap<string, J> };

/** Python's `json.loads` raises RecursionError past this nesting (py.ts). */
const MAX_DEPTH = PY_NESTING_LIMIT;
/** Longer JSON answers get the 0.01 floor instead of a tree edit distance (quadratic in size). */
const MAX_JSON_CHARS = 20000;

const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Python's `json.loads(text)` keeping ints and floats apart (NaN, Infinity and -Infinity
 * accepted, as Python does); null on a JSON error or nesting deeper than Python reads (PY_NESTING_LIMIT).
 */
export function parseJson(text: string): J | null {
  let i = 0;
  let depth = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const value = (): J => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) throw new SyntaxError('deep');
      i++;
      ws();
      const close = c === '{' ? '}' : ']';
      const entries = new Map<string, J>();
      const items: J[] = [];
      if (text[i] === close) i++;
      else {
        for (;;) {
          if (c === '{') {
            ws();
            const key = value();
            if (key.k !== 'str') throw new SyntaxError('key');
            ws();
            if (text[i++] !== ':') throw new SyntaxError(':');
            entries.set(key.v, value());
          } else items.push(value());
          ws();
          const sep = text[i++];
          if (sep === close) break;
          if (sep !== ',') throw new SyntaxError(',');
        }
      }
      depth--;
      return c === '{' ? { k: 'dict', entries } : { k: 'list', items };
    }
    if (c === '"') {
      JSON_STRING.lastIndex = i;
      const m = JSON_STRING.exec(text);
      if (!m) throw new SyntaxError('string');
      i += m[0].length;
      return { k: 'str', v: JSON.parse(m[0]) as string };
    }
    JSON_NUMBER.lastIndex = i;
    const num = JSON_NUMBER.exec(text);
    if (num) {
      i += num[0].length;
      return num[1] !== undefined || num[2] !== undefined ? { k: 'float', v: Number(num[0]) } : { k: 'int', v: BigInt(num[0]) };
    }
    for (const [word, v] of [
      ['true', { k: 'bool', v: true }],
      ['false', { k: 'bool', v: false }],
      ['null', { k: 'null' }],
      ['NaN', { k: 'float', v: Number.NaN }],
      ['Infinity', { k: 'float', v: Infinity }],
      ['-Infinity', { k: 'float', v: -Infinity }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    throw new SyntaxError('value');
  };
  try {
    const v = value();
    ws();
    return i === text.length ? v : null;
  } catch {
    return null;
  }
}

/** A parsed value as plain JavaScript, as `JSON.parse` gives it (ints become numbers). */
function plain(x: J): unknown {
  switch (x.k) {
    case 'int':
      return Number(x.v);
    case 'float':
    case 'str':
    case 'bool':
      return x.v;
    case 'null':
      return null;
    case 'list':
      return x.items.map(plain);
    case 'dict':
      return Object.fromEntries([...x.entries].map(([key, v]) => [key, plain(v)]));
  }
}

/** Whether JSON text opens more than `limit` arrays or objects inside one another (strings skipped). One pass. */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Python's `json.loads(s)` as plain JavaScript values: `JSON.parse`, and where that fails, the
 * JSON Python also reads (`NaN`, `Infinity`, `-Infinity`), so an answer holding them is
 * parsable JSON for the partial credit, as in RG. Nesting deeper than Python reads
 * (PY_NESTING_LIMIT: `json.loads` raises RecursionError) is no JSON. Never throws.
 */
export function jsonLoads(s: string): { ok: true; value: unknown } | { ok: false } {
  if (nestedDeeperThan(s, MAX_DEPTH)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch {
    const v = parseJson(s);
    return v === null ? { ok: false } : { ok: true, value: plain(v) };
  }
}

/** Python `str()` of a JSON scalar (containers are not labelled this way). */
function pyStrScalar(x: J): string {
  if (x.k === 'null') return 'None';
  if (x.k === 'list' || x.k === 'dict') return '';
  return pyStr(x);
}

/** Python `json.dumps(x)` (default separators, ensure_ascii). */
export function jsonDumps(x: J): string {
  switch (x.k) {
    case 'int':
      return x.v.toString();
    case 'float':
      return Number.isNaN(x.v) ? 'NaN' : !Number.isFinite(x.v) ? (x.v > 0 ? 'Infinity' : '-Infinity') : pyFloatRepr(x.v);
    case 'str':
      return `"${[...x.v]
        .map((ch) => {
          const cp = ch.codePointAt(0) ?? 0;
          if (ch === '"') return '\\"';
          if (ch === '\\') return '\\\\';
          const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
          if (named[ch]) return named[ch];
          if (cp < 0x20 || cp > 0x7e) {
            const units = cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
            return units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
          }
          return ch;
        })
        .join('')}"`;
    case 'bool':
      return x.v ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'list':
      return `[${x.items.map(jsonDumps).join(', ')}]`;
    case 'dict':
      return `{${[...x.entries].map(([k, v]) => `${jsonDumps({ k: 'str', v: k })}: ${jsonDumps(v)}`).join(', ')}}`;
  }
}

/** Python's number for an int, float or bool (bool is an int subclass); null for other values. */
export function pyNumber(x: J): bigint | number | null {
  if (x.k === 'int') return x.v;
  if (x.k === 'float') return x.v;
  if (x.k === 'bool') return x.v ? 1n : 0n;
  return null;
}

/**
 * Python `a == b` between JSON values (1 == 1.0 == True). `inContainer`: `a` and `b` are items of
 * lists or dicts, which CPython compares by identity first; `json.loads` gives every `NaN` the
 * same float object, so NaN equals NaN there, while a NaN on its own equals nothing.
 */
export function pyEquals(a: J, b: J, inContainer = false): boolean {
  const na = pyNumber(a);
  const nb = pyNumber(b);
  if (na !== null && nb !== null) {
    if (inContainer && typeof na === 'number' && typeof nb === 'number' && Number.isNaN(na) && Number.isNaN(nb)) return true;
    if (typeof na === 'bigint' && typeof nb === 'bigint') return na === nb;
    return Number(na) === Number(nb);
  }
  if (a.k === 'str' && b.k === 'str') return a.v === b.v;
  if (a.k === 'null' && b.k === 'null') return true;
  if (a.k === 'list' && b.k === 'list') return a.items.length === b.items.length && a.items.every((x, i) => pyEquals(x, b.items[i] as J, true));
  if (a.k === 'dict' && b.k === 'dict') {
    if (a.entries.size !== b.entries.size) return false;
    for (const [key, v] of a.entries) {
      const w = b.entries.get(key);
      if (w === undefined || !pyEquals(v, w, true)) return false;
    }
    return true;
  }
  return false;
}

interface TreeNode {
  readonly label: string;
  readonly kids: TreeNode[];
}

function toTree(x: J, label = 'root'): TreeNode {
  if (x.k === 'dict') {
    const keys = [...x.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { label, kids: keys.map((k) => toTree(x.entries.get(k) as J, k)) };
  }
  if (x.k === 'list') return { label, kids: x.items.map((it, i) => toTree(it, `item_${i}`)) };
  return { label: `${label}:${pyStrScalar(x)}`, kids: [] };
}

function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = s[i - 1] === t[j - 1] ? (prev[j - 1] ?? 0) : 1 + Math.min(prev[j] ?? 0, cur[j - 1] ?? 0, prev[j - 1] ?? 0);
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/** Python `str.isnumeric()`. */
const isNumeric = (s: string): boolean => /^\p{N}+$/u.test(s);

/**
 * Digits with at most one `.` among them (RG's `^\d*\.?\d*$`), written so that no digit can be
 * read by either `\d*`: that form tried every split of a long run of digits that ended in another
 * numeric character (`²`), quadratic in the run.
 */
const DECIMAL = /^\d*(?:\.\d*)?$/;

/** RG's label distance: edit distance of keys and values, numbers by relative difference. */
function labelDistance(t1: string, t2: string): number {
  const c1 = t1.indexOf(':');
  const c2 = t2.indexOf(':');
  if (c1 < 0 || c2 < 0) return editDistance(t1, t2);
  const [k1, v1, k2, v2] = [t1.slice(0, c1), t1.slice(c1 + 1), t2.slice(0, c2), t2.slice(c2 + 1)];
  const keyDist = k1 !== k2 ? editDistance(k1, k2) : 0;
  let valueDist = v1 !== v2 ? editDistance(v1, v2) : 0;
  if (v1 !== v2) {
    if (isNumeric(v1.replace(/\./g, '')) && isNumeric(v2.replace(/\./g, ''))) {
      const f1 = DECIMAL.test(v1) && v1 !== '.' ? Math.abs(Number(v1)) : null;
      const f2 = DECIMAL.test(v2) && v2 !== '.' ? Math.abs(Number(v2)) : null;
      if (f1 !== null && f2 !== null) {
        const divisor = Math.max(Math.min(f1, f2), 10e-5);
        valueDist = Math.max(pyLen(v1), pyLen(v2)) * Math.abs((f1 - f2) / divisor);
      }
    } else if (isNumeric(v1) || isNumeric(v2)) valueDist += Math.max(pyLen(t1), pyLen(t2));
  }
  return keyDist + valueDist;
}

/** Zhang–Shasha tree edit distance; insert/remove cost = the label's length, update = `labelDistance`. */
function treeDistance(a: TreeNode, b: TreeNode): number {
  const post = (root: TreeNode): { nodes: TreeNode[]; lmd: number[]; keyroots: number[] } => {
    const nodes: TreeNode[] = [];
    const lmd: number[] = [];
    const walk = (n: TreeNode): number => {
      let leftmost = -1;
      for (const k of n.kids) {
        const l = walk(k);
        if (leftmost < 0) leftmost = l;
      }
      nodes.push(n);
      const idx = nodes.length - 1;
      lmd.push(leftmost < 0 ? idx : leftmost);
      return lmd[idx] ?? idx;
    };
    walk(root);
    const seen = new Set<number>();
    const keyroots: number[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) {
      const l = lmd[i] ?? i;
      if (!seen.has(l)) {
        seen.add(l);
        keyroots.push(i);
      }
    }
    return { nodes, lmd, keyroots: keyroots.sort((x, y) => x - y) };
  };
  const A = post(a);
  const B = post(b);
  const td = A.nodes.map(() => B.nodes.map(() => 0));
  const del = (n: TreeNode): number => labelDistance(n.label, '');
  const ins = (n: TreeNode): number => labelDistance('', n.label);
  for (const i of A.keyroots) {
    for (const j of B.keyroots) {
      const li = A.lmd[i] ?? i;
      const lj = B.lmd[j] ?? j;
      const m = i - li + 2;
      const n = j - lj + 2;
      const fd = Array.from({ length: m }, () => new Array<number>(n).fill(0));
      const ioff = li - 1;
      const joff = lj - 1;
      for (let x = 1; x < m; x++) fd[x]![0] = fd[x - 1]![0]! + del(A.nodes[x + ioff]!);
      for (let y = 1; y < n; y++) fd[0]![y] = fd[0]![y - 1]! + ins(B.nodes[y + joff]!);
      for (let x = 1; x < m; x++) {
        for (let y = 1; y < n; y++) {
          const ax = x + ioff;
          const by = y + joff;
          if (A.lmd[ax] === li && B.lmd[by] === lj) {
            fd[x]![y] = Math.min(fd[x - 1]![y]! + del(A.nodes[ax]!), fd[x]![y - 1]! + ins(B.nodes[by]!), fd[x - 1]![y - 1]! + labelDistance(A.nodes[ax]!.label, B.nodes[by]!.label));
            td[ax]![by] = fd[x]![y]!;
          } else {
            const p = (A.lmd[ax] ?? ax) - 1 - ioff;
            const q = (B.lmd[by] ?? by) - 1 - joff;
            fd[x]![y] = Math.min(fd[x - 1]![y]! + del(A.nodes[ax]!), fd[x]![y - 1]! + ins(B.nodes[by]!), fd[p]![q]! + td[ax]![by]!);
          }
        }
      }
    }
  }
  return td[A.nodes.length - 1]![B.nodes.length - 1]!;
}

export const codeio: RgScorer = (answer, entry) => {
  const gold = pyStrip(oracle(entry));
  if (answer.length === 0) return 0;
  const a = pyStrip(answer);
  if (a === gold) return 1;
  if (!a.includes('{') || !a.includes('}')) return 0;
  const first = a.indexOf('{');
  const last = a.lastIndexOf('}');
  const extra = pyLen(a.slice(0, first)) + pyLen(a.slice(last + 1));
  const maxScore = Math.max(pyLen(gold) / (pyLen(gold) + 0.5 * extra), 0.2);
  const aj = parseJson(a.slice(first, last + 1));
  const gj = parseJson(gold);
  if (!aj || !gj) return a.includes(gold) ? pyLen(gold) / pyLen(a) : 0;
  if (pyEquals(aj, gj)) return maxScore;
  if (a.length > MAX_JSON_CHARS || gold.length > MAX_JSON_CHARS) return 0.01;
  const distance = treeDistance(toTree(aj), toTree(gj));
  const maxSize = Math.max(pyLen(jsonDumps(aj)), pyLen(jsonDumps(gj)));
  const similarity = Math.max(0, 1 - distance / (0.2 * maxSize));
  return Math.max(similarity * maxScore, 0.01);
};
