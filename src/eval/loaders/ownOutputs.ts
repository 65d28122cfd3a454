// Files r1ci itself writes (results, answers, training exports) often sit next to the tasks
// they came from: a walk of that folder names them as skipped instead of reporting their lines
// as broken task records (and so failing the run) or, worse, loading them as questions.

import { z } from 'zod';
import { resultRecordSchema } from '../results';
import { answerLineSchema } from '../scoreAnswers';

/**
 * Shapes of r1ci's own JSONL outputs, tried on a file's first record, with what to call them.
 * Field names from src/eval/export (SFT: chat `messages`; LLaMA-Factory alpaca
 * `instruction`/`output` and sharegpt `conversations`; rollout groups `prompt`/`samples`).
 */
const OWN_OUTPUTS: ReadonlyArray<{ readonly schema: z.ZodType; readonly what: string; readonly isExport: boolean }> = [
  { schema: resultRecordSchema, what: 'an r1ci results file (written by `r1ci eval`)', isExport: false },
  { schema: z.object({ id: z.string(), prompt: z.string(), samples: z.array(z.unknown()) }), what: 'RL rollout groups (written by `r1ci export-rollouts`)', isExport: true },
  {
    schema: z.object({ id: z.string(), task: z.string(), samples: z.number(), p: z.number(), potential: z.number(), stage: z.number() }),
    what: 'a curriculum (written by `r1ci export-rollouts --curriculum`)',
    isExport: true,
  },
  { schema: z.object({ messages: z.array(z.object({ role: z.string() })) }), what: 'SFT data, chat format (written by `r1ci export-sft`)', isExport: true },
  { schema: z.object({ instruction: z.string(), output: z.string() }), what: 'SFT data, alpaca format (written by `r1ci export-sft`)', isExport: true },
  { schema: z.object({ conversations: z.array(z.object({ from: z.string(), value: z.string() })) }), what: 'SFT data, sharegpt format (written by `r1ci export-sft`)', isExport: true },
];

/**
 * Why a JSONL file whose first record is `first` is not read as tasks, or undefined when it is
 * not one of r1ci's own outputs. A task record always has `question` and no result fields, so
 * nothing here matches a task file; an answers line (for `r1ci score --answers`) is one without
 * a `question`.
 */
export function ownOutputKind(first: unknown): string | undefined {
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  for (const { schema, what } of OWN_OUTPUTS) if (schema.safeParse(first).success) return what;
  if (!('question' in first) && answerLineSchema.safeParse(first).success) return 'an answers file (input of `r1ci score --answers`)';
  return undefined;
}

/**
 * True when `first` (a file's first record) is a line of a training export r1ci writes whole
 * (SFT in any format, rollout groups, a curriculum): such a file may be replaced by a new export.
 */
export function isTrainingExportRecord(first: unknown): boolean {
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return false;
  return OWN_OUTPUTS.some(({ schema, isExport }) => isExport && schema.safeParse(first).success);
}
