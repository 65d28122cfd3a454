// Reasoning-Gym items: JSONL with one `{"question", "answer", "metadata"}` object per line, as
// `reasoning_gym.create_dataset(name, ...)` yields them. The dataset is `metadata.source_dataset`
// (else the file name); each dataset is scored by its own reimplemented `score_answer`.

import path from 'node:path';
import { z } from 'zod';
import { reasoningGymSupport } from '../reasoningGym';
import { ANSWER_FORMAT_INSTRUCTION, type LoadProblem, type LoadResult, type TaskRecord } from '../types';

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
 * Loads a Reasoning-Gym JSONL file. Ids are `<file name>#<0-based line>`; the task name is the
 * dataset. A dataset without a scorer here is one problem naming it and the reason (its items
 * are not loaded, so they are never scored as something else).
 */
export function loadReasoningGymJsonl(file: string, text: string): LoadResult {
  const records: TaskRecord[] = [];
  const problems: LoadProblem[] = [];
  const unsupported = new Map<string, string>();
  const base = path.basename(file);
  const fileDataset = base.replace(/\.jsonl$/i, '');
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, message: `line ${i + 1}: invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const parsed = rgItemSchema.safeParse(raw);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((x) => `${x.path.join('.') || '(record)'}: ${x.message}`).join('; ');
      problems.push({ file, line: i + 1, message: `line ${i + 1}: not a Reasoning-Gym item: ${msg}` });
      return;
    }
    const item = parsed.data;
    const src = item.metadata.source_dataset;
    const dataset = typeof src === 'string' && src !== '' ? src : fileDataset;
    const support = reasoningGymSupport(dataset);
    if (!support.supported) {
      if (!unsupported.has(dataset)) unsupported.set(dataset, support.reason);
      return;
    }
    records.push({
      id: `${base}#${i}`,
      task: dataset,
      question: item.question.includes('<<<') ? item.question : `${item.question.trimEnd()}\n${ANSWER_FORMAT_INSTRUCTION}`,
      scorer: { kind: 'reasoning_gym', dataset, answer: item.answer, metadata: item.metadata },
      source: { file, line: i + 1 },
      metadata: { layout: 'reasoning_gym' },
    });
  });
  for (const [dataset, reason] of unsupported) {
    problems.push({ file, message: `Reasoning-Gym dataset "${dataset}" is unsupported (its items were not loaded): ${reason}` });
  }
  return { records, problems };
}
