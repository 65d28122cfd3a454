// Python's number parsers (`int()`, `float()`, `complex()`, `int(s, 0)`) skip whitespace around a
// number, but not the same whitespace as `str.strip()`: U+001C-U+001F are whitespace to
// `str.strip()` and `str.isspace()`, yet `int('5\x1c')` raises. Compared with CPython itself.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pyComplex, pyFloat, pyInt, pyIntBase0 } from '../../../src/eval/reasoningGym/py';

/** Every character `str.isspace()` accepts, around and inside parentheses of a few numbers. */
const SPACES = ['\t', '\n', '\x0b', '\x0c', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ', '\x85', '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];
const NUMBERS = ['5', '-2.5', '0x1f', '3+4j', '(1-2j)'];
const CASES = NUMBERS.flatMap((n) => SPACES.flatMap((w) => [`${w}${n}`, `${n}${w}`, `${w}${n}${w}`]));

function python(): Array<[string | null, string | null, string | null, string | null]> {
  const script = [
    'import json,sys',
    'def t(f, s):',
    '    try: return repr(f(s))',
    '    except Exception: return None',
    'print(json.dumps([[t(int, s), t(float, s), t(complex, s), t(lambda x: int(x, 0), s)] for s in json.load(sys.stdin)]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(CASES), encoding: 'utf8' })) as Array<[string | null, string | null, string | null, string | null]>;
}

describe("Python's number parsers and the whitespace around a number", () => {
  it('accept and refuse exactly the characters CPython does (U+001C-U+001F refused)', () => {
    const expected = python().map(([i, f, c, b]) => [i !== null, f !== null, c !== null, b !== null]);
    const got = CASES.map((s) => [pyInt(s) !== null, pyFloat(s) !== null, pyComplex(s) !== null, pyIntBase0(s) !== null]);
    const differ = CASES.map((s, k) => ({ s: JSON.stringify(s), py: expected[k], ours: got[k] })).filter((d) => JSON.stringify(d.py) !== JSON.stringify(d.ours));
    expect(differ).toEqual([]);
  });
});
