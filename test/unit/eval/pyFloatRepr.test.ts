// The one Python `repr(float)` the Reasoning-Gym scorers share (codeio labels, pyLiteral `str()`,
// boxnet square names), compared with CPython's own repr on edge and random values.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pyFloatRepr } from '../../../src/eval/reasoningGym/py';

describe('pyFloatRepr', () => {
  it("matches CPython's repr, including the switches to exponent form at 1e16 and 1e-4, and -0.0", () => {
    // eslint-disable-next-line no-loss-of-precision -- 123456789012345678 is an edge on purpose: more digits than a double holds
    const edges = [0, -0, 0.5, 2, 1e15, 1e16, 123456789012345678, 1e21, 1e22, 1e-4, 1e-5, 0.0001234, 5e-324, 1.5e300, 0.1, 1 / 3, -2.5, -1e-7];
    const random = Array.from({ length: 300 }, (_, i) => Math.sin(i + 1) * 1e6 * 10 ** ((i % 41) - 20));
    const values = [...edges, ...random, Number.NaN, Infinity, -Infinity];
    const script = 'import json,sys; print(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))';
    // As strings float() reads exactly: JSON has no nan/inf and writes -0 as 0.
    const input = JSON.stringify(values.map((v) => (Object.is(v, -0) ? '-0.0' : String(v))));
    const expected = JSON.parse(execFileSync('python3', ['-c', script], { input, encoding: 'utf8' })) as string[];
    expect(values.map(pyFloatRepr)).toEqual(expected);
  });
});
