// `r1ci score`'s engine on ids a user gets slightly wrong: the id of an item without its file
// (`a` for `tasks.jsonl#a`), or with the folder that holds the one given. The line stays wrong,
// and its reason names the id that was probably meant.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../../src/eval/load';
import { indexTasks, scoreSubmission, type TaskIndex } from '../../../src/eval/scoreAnswers';

let dir = '';
let index: TaskIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1ci-score-ids-'));
  mkdirSync(join(dir, 'set', 'more'), { recursive: true });
  writeFileSync(join(dir, 'set', 'tasks.jsonl'), '{"id": "a", "question": "1+1?", "answer": "2"}\n{"id": "b", "question": "2+2?", "answer": "4"}\n');
  writeFileSync(join(dir, 'set', 'more', 'tasks.jsonl'), '{"id": "a", "question": "3+3?", "answer": "6"}\n');
  writeFileSync(join(dir, 'set', 'other.jsonl'), '{"id": "c", "question": "5+5?", "answer": "10"}\n');
  index = indexTasks(await loadTasks(join(dir, 'set')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an unknown id in r1ci score', () => {
  it('the ids are as documented: relative to the folder given', () => {
    expect([...index.records.keys()].sort()).toEqual(['more/tasks.jsonl#a', 'other.jsonl#c', 'tasks.jsonl#a', 'tasks.jsonl#b']);
  });

  it('an item id without its file names the one id it can be', async () => {
    const line = await scoreSubmission(index, 'c', { answer: '10' });
    expect(line).toMatchObject({ id: 'c', correct: false, score: 0 });
    expect(line.reason).toMatch(/^unknown id: no question in the tasks given has it; did you mean "other\.jsonl#c"\?/);
  });

  it('an id that still holds the folder given names the id without it', async () => {
    const line = await scoreSubmission(index, 'set/tasks.jsonl#b', { answer: '4' });
    expect(line.correct).toBe(false);
    expect(line.reason).toContain('did you mean "tasks.jsonl#b"?');
  });

  it('an id that fits several questions, or none, names none', async () => {
    for (const id of ['a', 'zz', 'tasks.jsonl#zz']) {
      const line = await scoreSubmission(index, id, { answer: '2' });
      expect(line.reason).toMatch(/^unknown id: no question in the tasks given has it \(ids: docs\/task-files\.md, "Ids"\)$/);
    }
  });
});
