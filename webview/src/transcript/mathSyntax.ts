// markdown-it rules that recognise math in model text: $…$ and \(…\) inline, $$…$$ and \[…\]
// displayed (inline or as their own block). They only tokenise; rendering is KaTeX's (typeset.ts).
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

const PAIRS: readonly (readonly [string, string, boolean])[] = [
  ['$$', '$$', true],
  ['\\[', '\\]', true],
  ['\\(', '\\)', false],
];

function isWhitespace(c: string | undefined): boolean {
  return c === undefined || /\s/.test(c);
}

export function mathInlineRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  for (const [open, close, display] of PAIRS) {
    if (!src.startsWith(open, start)) continue;
    const end = src.indexOf(close, start + open.length);
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
  let end = start + 1;
  for (;;) {
    end = src.indexOf('$', end);
    if (end < 0) return false;
    if (src[end - 1] !== '\\' && !isWhitespace(src[end - 1]) && !/\d/.test(src[end + 1] ?? '')) break;
    end++;
  }
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
    const lines = [rest];
    let found = false;
    for (let line = startLine + 1; line < endLine; line++) {
      const text = lineText(line);
      const at = text.indexOf(close);
      if (at >= 0) {
        lines.push(text.slice(0, at));
        last = line;
        found = true;
        break;
      }
      lines.push(text);
    }
    if (!found) return false;
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
