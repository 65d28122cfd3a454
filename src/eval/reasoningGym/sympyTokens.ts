// The tokens of sympy's input syntax that RG's arithmetic and polynomial scorers read: numbers
// (with Python's float forms "9." and ".5"), names, and the operators ** // + - * / % ( ).
// Each parser decides which of them it accepts; a token it does not expect makes its input
// "not valid", as sympy raising does for RG.

import type { Rational } from '../rational';
import { pyDecimal, pyStrip } from './py';

/** A number (exact; `float`: written with a point or exponent, a sympy Float), a name or an operator. */
export type SympyToken = { t: 'num'; v: Rational; float: boolean } | { t: 'name'; v: string } | { t: 'op'; v: string };

/**
 * Splits `text` into tokens; null at a character outside the syntax. As sympy's `parse_expr`
 * does, surrounding whitespace is stripped (Python's `str.strip()`, Unicode spaces too), while
 * between tokens only what Python's tokenizer skips counts (space, tab, form feed, line breaks):
 * a no-break space or vertical tab inside is a SyntaxError for sympy. Line breaks outside
 * brackets are `pythonSyntaxTrap`'s to refuse.
 * "2x" gives a number then a name; the parsers refuse that pair, as Python's tokenizer does.
 */
export function tokenizeSympy(text: string): SympyToken[] | null {
  const src = pyStrip(text);
  const out: SympyToken[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^[ \t\n\r\f]+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      const v = pyDecimal(num[0]);
      if (!v) return null;
      out.push({ t: 'num', v, float: /[.eE]/.test(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(rest);
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = /^(\*\*|\/\/|[-+*/()%])/.exec(rest);
    if (op?.[1] !== undefined) {
      out.push({ t: 'op', v: op[1] });
      i += op[1].length;
      continue;
    }
    return null;
  }
  return out;
}
