// Game of 24 (and its larger-target variants): CSV with Rank and Puzzles columns, puzzles as
// space-separated numbers; the target comes from the file name.

import path from 'node:path';
import { itemId } from '../ids';
import type { LoadProblem, LoadResult, TaskRecord } from '../types';

/**
 * The two column layouts: the generated files (`Rank,Puzzles,Solutions`) and the authors'
 * benchmark file 24.csv (`Rank,Puzzles,AMT (s),Solved rate,...`): Rank and Puzzles first.
 */
export const GAME24_HEADER = ['Rank', 'Puzzles'] as const;

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

/** The authors' few-shot examples for 24 (benchmark/run_game24_baseline_methods.py in CodeSteer-v1.0). */
const EXAMPLES_24 =
  'Input: 9 10 11 13, Answer: ((10-9)*(11+13)) = 24 Input: 4 10 10 11, Answer: ((4*11)-(10+10)) = 24 Input: 5 6 13 13, Answer: ((5-(13/13))*6)' +
  'Input: 2 6 6 7, Answer: ((6+(6*7))/2) Input: 2 6 10 18, Answer: (2-(6-(10+18)))';

/**
 * The authors' question (their prompt for 24.csv, byte for byte). For other targets the same
 * words with that target and without the 24 examples, which would contradict it.
 */
export function game24Question(numbers: readonly string[], target = '24'): string {
  const intro = `Use numbers and basic arithmetic operations (+ - * /) to obtain ${target}. Each number should be used only once but each number has to be used in the equation. `;
  return `${intro}${target === '24' ? EXAMPLES_24 : ''}Input: ${numbers.map((n) => `${n} `).join('')}Answer:\nOutput final answer with the format <<<answer>>>.`;
}

/**
 * The target is the number the file name starts with (`240_20_number.csv` → 240, `24.csv` → 24):
 * the authors name their files by target. Else the folder's name when it is a number, else 24.
 */
export function game24Target(file: string): string {
  const name = /^(\d+)(?:_|\.csv$)/i.exec(path.basename(file))?.[1];
  if (name) return String(Number(name));
  const folder = path.basename(path.dirname(file));
  return /^\d+$/.test(folder) ? String(Number(folder)) : '24';
}

/**
 * Loads a game-24 CSV. Ids are `<fileId>#<data row>` (0-based, the header not counted); the
 * `Solutions` column, when present, is only shown as the expected answer.
 */
export function loadGame24Csv(file: string, fileId: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const header = splitCsvLine((text.split(/\r?\n/, 1)[0] ?? '').replace(/^\ufeff/, '')).map((h) => h.toLowerCase());
  const solutionColumn = header.indexOf('solutions');
  const target = game24Target(file);
  const task = target === '24' ? 'game24' : `game24_${target}`;
  let row = -1;
  text.split(/\r?\n/).forEach((line, i) => {
    if (i === 0 || line.trim() === '') return;
    row++;
    const lineNo = i + 1;
    const cells = splitCsvLine(line);
    const [rank, puzzle] = cells;
    const solution = solutionColumn >= 0 ? cells[solutionColumn] : undefined;
    const numbers = (puzzle ?? '').split(/\s+/).filter((n) => n !== '');
    if (!rank || numbers.length < 2 || !numbers.every((n) => /^\d+(\.\d+)?$/.test(n))) {
      problems.push({ file, line: lineNo, message: `expected "Rank,Puzzles,..." with space-separated numbers, got "${line}"` });
      return;
    }
    records.push({
      id: itemId(fileId, row),
      task,
      question: game24Question(numbers, target),
      scorer: { kind: 'arithmetic_target', numbers, target, ordered: false, ...(solution ? { solution } : {}) },
      source: { file, line: lineNo, index: row },
      metadata: { layout: 'game24', rank: Number(rank), target: Number(target) },
    });
  });
  return { records, problems };
}
