// The default results file name: one rule for every task file type. `<tasks>` is the task file's
// name without its data extension (`.jsonl`, `.json`, `.csv`, with a `.tasks` before it) and a
// folder's name as it is; a `24.csv` had kept its `.csv` while `.jsonl` and `.json` were dropped.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultResultsFile } from '../../../src/eval/resultsLocation';

describe('defaultResultsFile', () => {
  const base = path.join(path.sep, 'data');
  const name = (target: string, textOnly = false): string => path.basename(defaultResultsFile(path.join(base, target), 'qwen2.5-coder:7b', textOnly));

  it('drops the data extension of every task file type alike', () => {
    expect(name('24.csv')).toBe('24.qwen2.5-coder_7b.results.jsonl');
    expect(name('24.jsonl')).toBe('24.qwen2.5-coder_7b.results.jsonl');
    expect(name('24.json')).toBe('24.qwen2.5-coder_7b.results.jsonl');
    expect(name('game.tasks.jsonl')).toBe('game.qwen2.5-coder_7b.results.jsonl');
    expect(name('game.tasks.csv', true)).toBe('game.qwen2.5-coder_7b.text-only.results.jsonl');
  });

  it('keeps a folder name and any other dot in the name as they are', () => {
    expect(name('gsm.v2')).toBe('gsm.v2.qwen2.5-coder_7b.results.jsonl');
    expect(name('tasks')).toBe('tasks.qwen2.5-coder_7b.results.jsonl');
    expect(defaultResultsFile(path.join(base, 'x.csv'), 'm', false)).toBe(path.join(base, '.r1ci', 'results', 'x.m.results.jsonl'));
  });
});
