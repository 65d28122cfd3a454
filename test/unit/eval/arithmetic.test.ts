import { describe, expect, it } from 'vitest';
import { evaluateArithmetic, tokenize } from '../../../src/eval/arithmetic';
import { formatRational, parseRational } from '../../../src/eval/rational';

function value(text: string): string {
  const r = evaluateArithmetic(text);
  if (!r.ok) throw new Error(`expected ${text} to evaluate, got ${r.error}`);
  return formatRational(r.eval.value);
}

function error(text: string): string {
  const r = evaluateArithmetic(text);
  if (r.ok) throw new Error(`expected ${text} to be rejected, got ${formatRational(r.eval.value)}`);
  return r.error;
}

describe('arithmetic parser', () => {
  it('respects precedence and left associativity', () => {
    expect(value('2+3*4')).toBe('14');
    expect(value('10-4-3')).toBe('3');
    expect(value('24/4/3')).toBe('2');
    expect(value('2*3+4*5')).toBe('26');
  });

  it('honours parentheses (and brackets as parentheses)', () => {
    expect(value('(2+3)*4')).toBe('20');
    expect(value('((3*(9+(15-16))))')).toBe('24');
    expect(value('[1+2]*{3+5}')).toBe('24');
  });

  it('computes exactly with fractions', () => {
    expect(value('8/(3-8/3)')).toBe('24');
    expect(value('1/3+1/3+1/3')).toBe('1');
    expect(value('1/3')).toBe('1/3');
    expect(value('0.1+0.2')).toBe('3/10');
  });

  it('accepts typographic operators', () => {
    expect(value('6 × 4')).toBe('24');
    expect(value('48 ÷ 2')).toBe('24');
    expect(value('30 − 6')).toBe('24');
  });

  it('records numbers in order and counts unary signs', () => {
    const r = evaluateArithmetic('-(3) + 4*2');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.eval.numbers.map(formatRational)).toEqual(['3', '4', '2']);
    expect(r.eval.unaryOps).toBe(1);
    expect(formatRational(r.eval.value)).toBe('5');
  });

  it('reports division by zero instead of throwing', () => {
    expect(error('1/(3-3)')).toMatch(/division by zero/);
    expect(error('4/0')).toMatch(/division by zero/);
  });

  it('rejects names, calls, exponentiation and other injection attempts', () => {
    expect(error('2**3')).toMatch(/unexpected token/);
    expect(error('2^3')).toMatch(/unexpected character/);
    expect(error('Math.pow(2,3)')).toMatch(/unexpected character/);
    expect(error('process.exit(1)')).toMatch(/unexpected character/);
    expect(error('constructor')).toMatch(/unexpected character/);
    expect(error('1e3')).toMatch(/unexpected character/);
    expect(error('(1,2)')).toMatch(/unexpected character/);
    expect(error('`${1}`')).toMatch(/unexpected character/);
  });

  it('rejects malformed expressions', () => {
    expect(error('')).toMatch(/empty/);
    expect(error('(1+2')).toMatch(/missing/);
    expect(error('1+2)')).toMatch(/unexpected token/);
    expect(error('1 2')).toMatch(/unexpected token/);
    expect(error('3+')).toMatch(/end of expression/);
    expect(error('*3')).toMatch(/unexpected token/);
  });

  it('limits length and nesting depth', () => {
    expect(error('('.repeat(200) + '1' + ')'.repeat(200))).toMatch(/nested too deeply/);
    expect(error('1+'.repeat(600) + '1')).toMatch(/longer than/);
    expect(error('-'.repeat(100) + '1')).toMatch(/nested too deeply/);
  });

  it('tokenizes decimals as exact values', () => {
    const t = tokenize('1.25*4');
    expect(t.ok).toBe(true);
    if (t.ok) expect(t.tokens.map((x) => x.kind)).toEqual(['num', 'op', 'num']);
    expect(value('1.25*4')).toBe('5');
  });

  it('parses rationals from text', () => {
    expect(parseRational('3.0')).toEqual(parseRational('3'));
    expect(parseRational('1/2')).toEqual(parseRational('0.5'));
    expect(parseRational('1/0')).toBeNull();
    expect(parseRational('abc')).toBeNull();
    expect(parseRational('.')).toBeNull();
  });
});
