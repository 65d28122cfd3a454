// Choosing a scorer from a stored answer alone (BBH targets, task files without `checker`).

import { parseNumberText } from '../answerText';
import type { ScorerSpec } from '../types';

const CHOICE = /^\([A-Za-z]\)$/;

/** Maps option letters to their text from lines like "(A) 12/11/1937" in a question. */
export function parseOptions(question: string): Record<string, string> | undefined {
  const options: Record<string, string> = {};
  for (const m of question.matchAll(/^\s*\(([A-Z])\)\s*(.+?)\s*$/gm)) {
    if (m[1] && m[2]) options[m[1]] = m[2];
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
