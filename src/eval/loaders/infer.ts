// Choosing a scorer from a stored answer alone (BBH targets, task files without `checker`).

import { parseNumberText } from '../answerText';
import type { ScorerSpec } from '../types';

const CHOICE = /^\([A-Za-z]\)$/;

/** Whether `c` is one character that `\s` matches (what `trim` removes). */
const isSpace = (c: string | undefined): boolean => c !== undefined && c !== '' && c.trim() === '';

/** Whether `c` ends a line for `^`, `$` and `.` in a regular expression. */
const isLineBreak = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

/**
 * Maps option letters to their text from lines like "(A) 12/11/1937" in a question: what
 * `/^\s*\(([A-Z])\)\s*(.+?)\s*$/gm` reads (blank lines may come before an option and between its
 * letter and its text), in time linear in the length of `question` (that regex retried from every
 * line start of a long run of line breaks, and took seconds on 64,000 of them). Undefined when
 * there is none.
 */
export function parseOptions(question: string): Record<string, string> | undefined {
  const options: Record<string, string> = {};
  const n = question.length;
  // The last run of whitespace found, [runFrom, runTo): a line start inside it ends there too.
  let runFrom = -1;
  let runTo = -1;
  const skipSpace = (from: number): number => {
    if (from >= runFrom && from <= runTo) return runTo;
    let i = from;
    while (i < n && isSpace(question[i])) i++;
    [runFrom, runTo] = [from, i];
    return i;
  };
  /** The start of the line after the one at `from`, or −1 on the last line. */
  const nextLine = (from: number): number => {
    for (let i = from; i < n; i++) if (isLineBreak(question[i])) return i + 1;
    return -1;
  };
  for (let line = 0; line >= 0;) {
    // Where this reading ends: the next line start is looked for from here.
    let end = line;
    const open = skipSpace(line);
    const letter = question[open + 1] ?? '';
    if (question[open] === '(' && letter >= 'A' && letter <= 'Z' && question[open + 2] === ')') {
      const from = skipSpace(open + 3);
      if (from < n) {
        let lineEnd = from;
        while (lineEnd < n && !isLineBreak(question[lineEnd])) lineEnd++;
        let to = lineEnd;
        while (isSpace(question[to - 1])) to--;
        options[letter] = question.slice(from, to);
        // The reading takes the blank lines after it, up to the last line break before more text.
        const next = skipSpace(lineEnd);
        end = next === n ? n : lineEnd;
        for (let i = lineEnd; i < next && next < n; i++) if (isLineBreak(question[i])) end = i;
      } else {
        // Only whitespace after the letter: the text is its last character that is not a line break.
        let last = n - 1;
        while (last > open + 2 && isLineBreak(question[last])) last--;
        if (last > open + 2) {
          options[letter] = question.charAt(last);
          end = n;
        }
      }
    }
    line = nextLine(end);
  }
  return Object.keys(options).length > 0 ? options : undefined;
}

/** number → numeric; "(B)" → choice; numeric text → numeric; arrays → list; else exact text. */
export function inferScorer(answer: unknown, question: string): ScorerSpec {
  if (typeof answer === 'number') return { kind: 'number', expected: String(answer) };
  if (Array.isArray(answer)) return { kind: 'list', expected: answer };
  if (typeof answer === 'string') {
    if (CHOICE.test(answer.trim())) {
      const options = parseOptions(question);
      return options ? { kind: 'choice', expected: answer.trim(), options } : { kind: 'choice', expected: answer.trim() };
    }
    if (parseNumberText(answer) !== null && /\d/.test(answer)) return { kind: 'number', expected: answer.trim() };
    return { kind: 'exact', expected: answer };
  }
  return { kind: 'exact', expected: JSON.stringify(answer) };
}
