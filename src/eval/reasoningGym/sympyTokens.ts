// The tokens of sympy's input syntax that RG's arithmetic and polynomial scorers read: numbers
// (with Python's float forms "9." and ".5"), names, the operators ** // + - * / % ( ) and
// sympy's factorial notation `n!` / `n!!`.
// Each parser decides which of them it accepts; a token it does not expect makes its input
// "not valid", as sympy raising does for RG.

import { rational, type Rational } from '../rational';
import { PY_NAME, pyDecimal, pyIntBase0, pyStrip } from './py';

const NAME = new RegExp(`^${PY_NAME}`, 'u');

/** A number (exact; `float`: written with a point or exponent, a sympy Float; `src`: its text), a name or an operator. */
export type SympyToken = { t: 'num'; v: Rational; float: boolean; src?: string } | { t: 'name'; v: string } | { t: 'op'; v: string } | { t: 'str'; v: string };

/** Python's operators beyond sympy's arithmetic (comparisons, bitwise, `@`, `,`), read with `{ python: true }`. */
const PYTHON_OP = /^(<<|>>|<=|>=|==|!=|[<>&|^~@,])/;
/** A plain one-line Python string literal (no prefix, no escapes), read with `{ python: true }`. */
const PYTHON_STR = /^(?:"([^"\\\n\r]*)"|'([^'\\\n\r]*)')/;

/**
 * Splits `text` into tokens; null at a character outside the syntax. As sympy's `parse_expr`
 * does, surrounding whitespace is stripped (Python's `str.strip()`, Unicode spaces too), while
 * between tokens only what Python's tokenizer skips counts (space, tab, form feed, line breaks):
 * a no-break space or vertical tab inside is a SyntaxError for sympy. Line breaks outside
 * brackets are `pythonSyntaxTrap`'s to refuse.
 * An imaginary literal `2j` gives the tokens of `2*I`, as sympy's auto_number rewrites it.
 * "2x" gives a number then a name; the parsers refuse that pair, as Python's tokenizer does.
 * sympy re-joins operator tokens before evaluating, so `2 * * 3` is `2 ** 3` and `7 / / 2` is
 * `7 // 2` (spaces or tabs between, not a line break). `!` (factorial) and `!!` (double
 * factorial) follow a number, name or `)` with nothing between, as sympy's `factorial_notation`
 * reads them; `4 !` and `3!!!` are errors there and null here.
 * With `python`, also Python's comparison and bitwise operators (`<< >> <= >= == != < > & | ^ ~`),
 * `@`, `,` and plain string literals (`"y"`), for a reader that evaluates Python's grammar.
 */
export function tokenizeSympy(text: string, opts: { python?: boolean } = {}): SympyToken[] | null {
  const src = pyStrip(text);
  const out: SympyToken[] = [];
  let i = 0;
  let gap = '';
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^[ \t\n\r\f]+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      gap = ws[0];
      continue;
    }
    const prev = out[out.length - 1];
    if (opts.python) {
      const pop = PYTHON_OP.exec(rest);
      if (pop?.[1] !== undefined) {
        gap = '';
        out.push({ t: 'op', v: pop[1] });
        i += pop[1].length;
        continue;
      }
      const str = PYTHON_STR.exec(rest);
      if (str) {
        gap = '';
        out.push({ t: 'str', v: str[1] ?? str[2] ?? '' });
        i += str[0].length;
        continue;
      }
    }
    const bang = /^!+/.exec(rest);
    if (bang) {
      const after = prev?.t === 'num' || prev?.t === 'name' || (prev?.t === 'op' && prev.v === ')');
      if (gap !== '' || !after || bang[0].length > 2 || rest[bang[0].length] === '=') return null;
      out.push({ t: 'op', v: bang[0] });
      i += bang[0].length;
      continue;
    }
    const joinable = gap !== '' && !/[\n\r]/.test(gap);
    gap = '';
    // Python's hexadecimal, octal and binary integers (`0x5e`, `0o17`, `0B101`): sympy's Integer of their value.
    const based = /^0(?:[xX](?:_?[\da-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/.exec(rest);
    if (based) {
      const v = pyIntBase0(based[0]);
      if (v === null) return null;
      out.push({ t: 'num', v: rational(v), float: false, src: based[0] });
      i += based[0].length;
      continue;
    }
    const num = /^(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/.exec(rest);
    if (num) {
      const v = pyDecimal(num[0]);
      if (!v) return null;
      out.push({ t: 'num', v, float: /[.eE]/.test(num[0]), src: num[0] });
      i += num[0].length;
      // An imaginary literal (`2j`, `1.5J`): sympy's auto_number writes it as `Integer(2)*I`, with
      // no parentheses, so `2**3j` is `2**3*I`.
      if (/^[jJ]/.test(src.slice(i))) {
        out.push({ t: 'op', v: '*' }, { t: 'name', v: 'I' });
        i += 1;
      }
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      out.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = /^(\*\*|\/\/|[-+*/()%])/.exec(rest);
    if (op?.[1] !== undefined) {
      if (joinable && prev?.t === 'op' && prev.v === op[1] && (op[1] === '*' || op[1] === '/')) {
        out[out.length - 1] = { t: 'op', v: op[1] + op[1] };
        i += 1;
        continue;
      }
      out.push({ t: 'op', v: op[1] });
      i += op[1].length;
      continue;
    }
    return null;
  }
  return out;
}
