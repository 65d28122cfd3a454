// Reasoning-Gym items: JSONL with one `{"question", "answer", "metadata"}` object per line, as
// `reasoning_gym.create_dataset(name, ...)` yields them. The dataset is `metadata.source_dataset`
// (else the file name); each dataset is scored by its own reimplemented `score_answer`.

import path from 'node:path';
import { z } from 'zod';
import { reasoningGymSupport } from '../reasoningGym';
import { forEachJsonlRecord } from './jsonl';
import { ANSWER_FORMAT_INSTRUCTION, type LoadProblem, type LoadResult, type TaskRecord, type UnsupportedTask } from '../types';

const rgItemSchema = z.strictObject({
  question: z.string().min(1),
  answer: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * True when a parsed JSONL record looks like a Reasoning-Gym item: exactly the keys
 * question/answer/metadata, and RG's `metadata.source_dataset`. Our own task files never
 * carry `source_dataset`, so they are not mistaken for RG items.
 */
export function isReasoningGymItem(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const keys = Object.keys(raw).sort().join(',');
  if (keys !== 'answer,metadata,question') return false;
  const meta = (raw as { metadata?: unknown }).metadata;
  return typeof meta === 'object' && meta !== null && typeof (meta as { source_dataset?: unknown }).source_dataset === 'string';
}

/**
 * Loads a Reasoning-Gym JSONL file. Ids are `<fileId>#<0-based line>` (`puzzle24.jsonl#5`, with
 * `fileId` the file's path relative to what the user gave); the task name is the dataset. Items
 * of a dataset without a scorer here come back as `unsupported`, with the reason, and are not
 * loaded, so they are never scored as something else.
 */
export function loadReasoningGymJsonl(file: string, fileId: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const unsupported: UnsupportedTask[] = [];
  const fileDataset = path.basename(file).replace(/\.jsonl$/i, '');
  forEachJsonlRecord(file, text, problems, (raw, { line }) => {
    const parsed = rgItemSchema.safeParse(raw);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((x) => `${x.path.join('.') || '(record)'}: ${x.message}`).join('; ');
      problems.push({ file, line, message: `not a Reasoning-Gym item: ${msg}` });
      return;
    }
    const item = parsed.data;
    const src = item.metadata.source_dataset;
    const dataset = typeof src === 'string' && src !== '' ? src : fileDataset;
    const support = reasoningGymSupport(dataset);
    const id = `${fileId}#${line - 1}`; // the 0-based line, blank lines included
    if (!support.supported) {
      unsupported.push({ id, task: dataset, file, reason: `Reasoning-Gym dataset "${dataset}": ${support.reason}` });
      return;
    }
    records.push({
      id,
      task: dataset,
      question: item.question.includes('<<<') ? item.question : `${item.question.trimEnd()}\n${ANSWER_FORMAT_INSTRUCTION}`,
      scorer: { kind: 'reasoning_gym', dataset, answer: item.answer, metadata: item.metadata },
      source: { file, line },
      metadata: { layout: 'reasoning_gym' },
    });
  });
  return { records, problems, unsupported };
}
