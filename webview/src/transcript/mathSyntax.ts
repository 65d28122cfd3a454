// markdown-it rules that recognise math in model text: $…$ and \(…\) inline, $$…$$ and \[…\]
// displayed (inline or as their own block). They only tokenise; rendering is KaTeX's (typeset.ts).
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import { closingDollar, forwardSearch } from '../../../src/text/mathScan';

const PAIRS: readonly (readonly [string, string, boolean])[] = [
  ['$$', '$$', true],
  ['\\[', '\\]', true],
  ['\\(', '\\)', false],
];

function isWhitespace(c: string | undefined): boolean {
  return c === undefined || /\s/.test(c);
}

/** Forward searches of this bundle's math rules (see forwardSearch). */
const searchForward = forwardSearch();

export function mathInlineRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  for (const [open, close, display] of PAIRS) {
    if (!src.startsWith(open, start)) continue;
    const end = searchForward(close, src, start + open.length, (from) => src.indexOf(close, from));
    if (end < 0 || end === start + open.length) return false;
    if (!silent) {
      const token = state.push('math_inline', 'math', 0);
      token.content = src.slice(start + open.length, end);
      token.meta = display ? 'display' : 'inline';
    }
    state.pos = end + close.length;
    return true;
  }
  if (src[start] !== '$') return false;
  // Single dollars: "$x$" is math, "$5 and $6" is money. The opening $ is followed by a
  // non-space; the closing $ follows a non-space, is not escaped, and no digit comes after it.
  if (isWhitespace(src[start + 1])) return false;
  const end = searchForward('$', src, start + 1, (from) => closingDollar(src, from));
  if (end < 0) return false;
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.content = src.slice(start + 1, end);
    token.meta = 'inline';
  }
  state.pos = end + 1;
  return true;
}

/** A block that starts with $$ or \[ at the start of a line and ends where the closing delimiter does. */
export function mathBlockRule(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const lineText = (line: number): string => state.src.slice((state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0), state.eMarks[line] ?? 0);
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
  const first = lineText(startLine);
  const pair = PAIRS.find(([open, , display]) => display && first.startsWith(open));
  if (!pair) return false;
  const [open, close] = pair;
  let content: string;
  let last = startLine;
  const rest = first.slice(open.length);
  const sameLine = rest.indexOf(close);
  if (sameLine >= 0) {
    // "$$ x $$" on one line is a block only when nothing follows the closing delimiter.
    if (rest.slice(sameLine + close.length).trim() !== '') return false;
    content = rest.slice(0, sameLine);
  } else {
    // The first line after this one that holds the closing delimiter (a search reused by the
    // next opener line, as searchForward says), or −1.
    const closeLine = searchForward(`block ${close} ${endLine}`, state.src, startLine + 1, (from) => {
      for (let line = from; line < endLine; line++) if (lineText(line).includes(close)) return line;
      return -1;
    });
    if (closeLine < 0) return false;
    const lines = [rest];
    for (let line = startLine + 1; line < closeLine; line++) lines.push(lineText(line));
    const closing = lineText(closeLine);
    lines.push(closing.slice(0, closing.indexOf(close)));
    last = closeLine;
    content = lines.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content.trim();
  token.map = [startLine, last + 1];
  state.line = last + 1;
  return true;
}
