// Big-Bench-Hard: bbh/<task>.json = {"examples": [{"input", "target"}]}.

import path from 'node:path';
import { z } from 'zod';
import { ANSWER_FORMAT_INSTRUCTION, type LoadResult, type TaskRecord, type LoadProblem } from '../types';
import { itemId } from '../ids';

const example = z.object({ input: z.string(), target: z.union([z.string(), z.number()]) });

/**
 * The question the paper's harness sends: the input, a blank line, then the answer-format
 * instruction (the authors' BBH suffix, exactly).
 */
export function bbhQuestion(input: string): string {
  return `${input}\n\n${ANSWER_FORMAT_INSTRUCTION}`;
}

export function isBbhFile(data: unknown): data is { examples: unknown[] } {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Array.isArray((data as { examples?: unknown }).examples);
}

/** Loads a BBH task file; ids are `<fileId>#<example index>` (0-based). */
export function loadBbhData(file: string, fileId: string, data: { examples: unknown[] }): LoadResult {
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
      id: itemId(fileId, index),
      task,
      question: bbhQuestion(p.data.input),
      // Exact match with the target, as the R1-CI paper scores BBH ("(B)", not "B" or "(b)").
      scorer: { kind: 'family', family: 'exact_string', data: { expected: target } },
      source: { file, index },
      metadata: { layout: 'bbh', target },
    });
  });
  return { records, problems };
}
