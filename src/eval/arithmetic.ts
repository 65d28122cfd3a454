// A deliberately tiny arithmetic language for checking Game-of-24 style answers.
// Model output is untrusted text: it is tokenised and parsed by recursive descent here
// and never handed to eval/Function. Only numbers, + - * / and parentheses exist;
// anything else (names, calls, **, ^, commas) is a parse error.

import { add, div, mul, neg, parseRational, sub, type Rational } from './rational';

export type Token =
  | { readonly kind: 'num'; readonly text: string; readonly value: Rational; readonly pos: number }
  | { readonly kind: 'op'; readonly op: '+' | '-' | '*' | '/'; readonly pos: number }
  | { readonly kind: 'paren'; readonly open: boolean; readonly pos: number };

export interface Evaluation {
  readonly value: Rational;
  /** The number literals in the order they appear (for "each number used once" checks). */
  readonly numbers: readonly Rational[];
  /** How many unary minus/plus signs were used (puzzles usually forbid them). */
  readonly unaryOps: number;
}

export type ArithmeticResult = { readonly ok: true; readonly eval: Evaluation } | { readonly ok: false; readonly error: string };

/** Long inputs and deep nesting are refused so hostile text cannot exhaust the stack. */
const MAX_LENGTH = 1000;
const MAX_DEPTH = 64;

const OP_ALIASES: Readonly<Record<string, '+' | '-' | '*' | '/'>> = {
  '+': '+',
  '-': '-',
  '\u2212': '-', // minus sign
  '*': '*',
  '\u00d7': '*', // multiplication sign
  '\u22c5': '*', // dot operator
  '/': '/',
  '\u00f7': '/', // division sign
};

export function tokenize(text: string): { ok: true; tokens: Token[] } | { ok: false; error: string } {
  if (text.length > MAX_LENGTH) return { ok: false, error: `expression longer than ${MAX_LENGTH} characters` };
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const numMatch = /^(\d+(?:\.\d+)?|\.\d+)/.exec(text.slice(i));
    if (numMatch?.[1] !== undefined) {
      const value = parseRational(numMatch[1]);
      if (!value) return { ok: false, error: `bad number at ${i}` };
      tokens.push({ kind: 'num', text: numMatch[1], value, pos: i });
      i += numMatch[1].length;
      continue;
    }
    const op = OP_ALIASES[ch];
    if (op) {
      tokens.push({ kind: 'op', op, pos: i });
      i++;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      tokens.push({ kind: 'paren', open: true, pos: i });
      i++;
      continue;
    }
    if (ch === ')' || ch === ']' || ch === '}') {
      tokens.push({ kind: 'paren', open: false, pos: i });
      i++;
      continue;
    }
    return { ok: false, error: `unexpected character ${JSON.stringify(ch)} at ${i}` };
  }
  return { ok: true, tokens };
}

class ParseError extends Error {}

/** Grammar: expr := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*; unary := ('-'|'+') unary | primary; primary := num | '(' expr ')'. */
class Parser {
  private index = 0;
  private depth = 0;
  readonly numbers: Rational[] = [];
  unaryOps = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Rational {
    if (this.tokens.length === 0) throw new ParseError('empty expression');
    const value = this.expr();
    const rest = this.tokens[this.index];
    if (rest) throw new ParseError(`unexpected token at ${rest.pos}`);
    return value;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private expr(): Rational {
    let left = this.term();
    for (let t = this.peek(); t?.kind === 'op' && (t.op === '+' || t.op === '-'); t = this.peek()) {
      this.index++;
      const right = this.term();
      left = t.op === '+' ? add(left, right) : sub(left, right);
    }
    return left;
  }

  private term(): Rational {
    let left = this.unary();
    for (let t = this.peek(); t?.kind === 'op' && (t.op === '*' || t.op === '/'); t = this.peek()) {
      this.index++;
      const right = this.unary();
      if (t.op === '*') left = mul(left, right);
      else {
        const q = div(left, right);
        if (!q) throw new ParseError('division by zero');
        left = q;
      }
    }
    return left;
  }

  private unary(): Rational {
    const t = this.peek();
    if (t?.kind === 'op' && (t.op === '-' || t.op === '+')) {
      this.index++;
      this.unaryOps++;
      const inner = this.nested(() => this.unary());
      return t.op === '-' ? neg(inner) : inner;
    }
    return this.primary();
  }

  private primary(): Rational {
    const t = this.peek();
    if (!t) throw new ParseError('unexpected end of expression');
    if (t.kind === 'num') {
      this.index++;
      this.numbers.push(t.value);
      return t.value;
    }
    if (t.kind === 'paren' && t.open) {
      this.index++;
      const inner = this.nested(() => this.expr());
      const close = this.peek();
      if (close?.kind !== 'paren' || close.open) throw new ParseError(`missing ")" for "(" at ${t.pos}`);
      this.index++;
      return inner;
    }
    throw new ParseError(`unexpected token at ${t.pos}`);
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ParseError('expression nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
}

/** Evaluates an arithmetic expression exactly; never throws. */
export function evaluateArithmetic(text: string): ArithmeticResult {
  const tok = tokenize(text);
  if (!tok.ok) return { ok: false, error: tok.error };
  const parser = new Parser(tok.tokens);
  try {
    const value = parser.parse();
    return { ok: true, eval: { value, numbers: parser.numbers, unaryOps: parser.unaryOps } };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}
