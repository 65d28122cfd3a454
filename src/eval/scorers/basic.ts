// Scorers for answers that have one right value: text, numbers, choices, lists, matrices.

import { cleanAnswer, normalizeText, numbersClose, parseIntMatrix, parseLiteral, parseNumberText, reshape, stripQuotes, type Literal } from '../answerText';
import type { ScoreResult } from '../types';

export function scoreExact(expected: string, answer: string): ScoreResult {
  let got = normalizeText(answer);
  // A one-element list around a text answer (["ABC"]) is still that text.
  const lit = parseLiteral(cleanAnswer(answer));
  if (Array.isArray(lit) && lit.length === 1 && typeof lit[0] === 'string' && !expected.trim().startsWith('[')) {
    got = normalizeText(lit[0]);
  }
  const want = normalizeText(expected);
  return got === want ? { correct: true, score: 1, reason: 'matches the expected answer', expected } : { correct: false, score: 0, reason: `expected "${expected}", got "${cleanAnswer(answer)}"`, expected };
}

export function scoreNumber(expected: string, answer: string, relTol = 1e-6): ScoreResult {
  const want = parseNumberText(expected);
  if (want === null) return { correct: false, score: 0, reason: `stored answer "${expected}" is not a number`, expected };
  const got = parseNumberText(answer);
  if (got === null) return { correct: false, score: 0, reason: `"${cleanAnswer(answer)}" is not a number`, expected };
  return numbersClose(want, got, relTol) ? { correct: true, score: 1, reason: `${got} equals ${want}`, expected } : { correct: false, score: 0, reason: `${got} is not ${want}`, expected };
}

/** The option letter in "(B)", "B", "b)", "B.", "Option B", "(B) 12/25/1937"; null otherwise. */
export function choiceLetter(answer: string): string | null {
  const t = stripQuotes(cleanAnswer(answer)).replace(/^option\s+/i, '');
  const m = /^\(([A-Za-z])\)(?:\s.*)?$/s.exec(t) ?? /^([A-Za-z])(?:[.:)](?:\s.*)?)?$/s.exec(t);
  if (m?.[1] === undefined) return null;
  const letter = m[1].toUpperCase();
  // A hedge such as "(B) or (C)" names two options and is not an answer.
  const others = [...t.slice(1).matchAll(/\(([A-Z])\)/g)].filter((x) => x[1] !== letter);
  return others.length > 0 ? null : letter;
}

export function scoreChoice(expected: string, answer: string, options?: Record<string, string>): ScoreResult {
  const want = choiceLetter(expected);
  if (!want) return { correct: false, score: 0, reason: `stored answer "${expected}" is not an option letter`, expected };
  let got = choiceLetter(answer);
  if (!got && options) {
    // The model may answer with the option's text instead of its letter.
    const text = normalizeText(answer);
    const hit = Object.entries(options).filter(([, v]) => normalizeText(v) === text);
    if (hit.length === 1 && hit[0]) got = hit[0][0].toUpperCase();
  }
  if (!got) return { correct: false, score: 0, reason: `"${cleanAnswer(answer)}" does not name an option`, expected };
  return got === want ? { correct: true, score: 1, reason: `option (${got})`, expected } : { correct: false, score: 0, reason: `chose (${got}), expected (${want})`, expected };
}

function literalEquals(want: unknown, got: Literal): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(got) && got.length === want.length && want.every((w, i) => literalEquals(w, got[i] ?? ''));
  }
  if (Array.isArray(got)) return false;
  const wantText = typeof want === 'string' ? want : JSON.stringify(want);
  const a = parseNumberText(wantText);
  const b = parseNumberText(got);
  if (a !== null && b !== null) return numbersClose(a, b);
  return normalizeText(wantText) === normalizeText(got);
}

export function formatList(value: unknown): string {
  return JSON.stringify(value);
}

export function scoreList(expected: unknown[], answer: string): ScoreResult {
  const shown = formatList(expected);
  const text = cleanAnswer(answer);
  let got = parseLiteral(text);
  // Bare "5, 3, F, A" is accepted as a flat list.
  if (!Array.isArray(got) && !text.startsWith('[') && !text.startsWith('(')) got = parseLiteral(`[${text}]`);
  if (!Array.isArray(got)) return { correct: false, score: 0, reason: `"${text}" is not a list`, expected: shown };
  return literalEquals(expected, got) ? { correct: true, score: 1, reason: 'list matches', expected: shown } : { correct: false, score: 0, reason: `expected ${shown}, got ${text}`, expected: shown };
}

export function formatMatrix(m: readonly (readonly number[])[]): string {
  return m.map((row) => row.join(', ')).join('\n');
}

export function scoreMatrix(expected: number[][], answer: string): ScoreResult {
  const shown = formatMatrix(expected);
  const parsed = parseIntMatrix(answer);
  const cols = expected[0]?.length ?? 0;
  const got = parsed ? reshape(parsed, expected.length, cols) : null;
  if (!got) return { correct: false, score: 0, reason: `not a ${expected.length}×${cols} matrix of integers`, expected: shown };
  const same = expected.every((row, r) => row.every((v, c) => got[r]?.[c] === v));
  return same ? { correct: true, score: 1, reason: 'matrix matches', expected: shown } : { correct: false, score: 0, reason: `matrix differs from the expected one`, expected: shown };
}
