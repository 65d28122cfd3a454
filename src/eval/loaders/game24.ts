// Game of 24: CSV "Rank,Puzzles,Solutions", puzzles as space-separated numbers.

import path from 'node:path';
import type { LoadProblem, LoadResult, TaskRecord } from '../types';

export const GAME24_HEADER = ['Rank', 'Puzzles', 'Solutions'] as const;

/** Splits one CSV line, honouring double quotes (solutions may contain commas when quoted). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

export function isGame24Header(line: string): boolean {
  const cells = splitCsvLine(line.replace(/^\ufeff/, ''));
  return GAME24_HEADER.every((h, i) => cells[i]?.toLowerCase() === h.toLowerCase());
}

export function game24Question(numbers: readonly string[], target = '24'): string {
  return (
    `Use the numbers ${numbers.join(', ')} to make ${target}: each number exactly once, combined with +, -, *, / and parentheses. ` +
    `Give one arithmetic expression. Output final answer with the format <<<answer>>>, for example <<<(1+2)*(3+5)>>>.`
  );
}

export function loadGame24Csv(file: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const base = path.basename(file).replace(/\.csv$/i, '');
  const lines = text.split(/\r?\n/);
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === '') return;
    const lineNo = i + 1;
    const [rank, puzzle, solution] = splitCsvLine(line);
    const numbers = (puzzle ?? '').split(/\s+/).filter((n) => n !== '');
    if (!rank || numbers.length < 2 || !numbers.every((n) => /^\d+(\.\d+)?$/.test(n))) {
      problems.push({ file, line: lineNo, message: `expected "Rank,Puzzles,Solutions" with space-separated numbers, got "${line}"` });
      return;
    }
    const id = `game24/${base}/${rank}`;
    if (seen.has(id)) {
      problems.push({ file, line: lineNo, message: `duplicate rank ${rank}` });
      return;
    }
    seen.add(id);
    records.push({
      id,
      task: 'game24',
      question: game24Question(numbers),
      scorer: { kind: 'arithmetic_target', numbers, target: '24', ordered: false, ...(solution ? { solution } : {}) },
      source: { file, line: lineNo },
      metadata: { layout: 'game24', rank: Number(rank) },
    });
  });
  return { records, problems };
}
