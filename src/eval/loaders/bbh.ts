// Big-Bench-Hard: bbh/<task>.json = {"examples": [{"input", "target"}]}.

import path from 'node:path';
import { z } from 'zod';
import { ANSWER_FORMAT_INSTRUCTION, type LoadResult, type TaskRecord, type LoadProblem } from '../types';
import { inferScorer } from './infer';

const example = z.object({ input: z.string(), target: z.union([z.string(), z.number()]) });

export function isBbhFile(data: unknown): data is { examples: unknown[] } {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Array.isArray((data as { examples?: unknown }).examples);
}

export function loadBbhData(file: string, data: { examples: unknown[] }): LoadResult {
  const task = path.basename(file).replace(/\.json$/i, '');
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  data.examples.forEach((raw, index) => {
    const p = example.safeParse(raw);
    if (!p.success) {
      problems.push({ file, index, message: `example ${index}: ${p.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` });
      return;
    }
    const target = String(p.data.target);
    records.push({
      id: `${task}/${index}`,
      task,
      // The paper's harness appends this instruction to every BBH input.
      question: `${p.data.input}\n${ANSWER_FORMAT_INSTRUCTION}`,
      scorer: inferScorer(target, p.data.input),
      source: { file, index },
      metadata: { layout: 'bbh', target },
    });
  });
  return { records, problems };
}
