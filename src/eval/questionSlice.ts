// Choosing part of a task file's questions with Python's slice notation, as the authors' scripts
// do: CodeSteer's run_game24_baseline_methods.py asks rows 5, 35, 65 … of 24.csv
// (`range(5, len(df), 30)`), which is `--slice 5::30` here.

/** A slice of the loaded questions: indices start, start + step, … below stop (0-based, load order). */
export interface QuestionSlice {
  readonly start: number;
  /** Exclusive; undefined = to the end. */
  readonly stop: number | undefined;
  /** At least 1. */
  readonly step: number;
}

/** A slice text that is not `START:STOP:STEP` with whole numbers ≥ 0 (STEP ≥ 1); the message says why. */
export class SliceSyntaxError extends Error {}

const PART = /^\d{1,9}$/;

/**
 * Reads `START:STOP:STEP`, `START:STOP` or `START::STEP` (each part may be empty, as in Python:
 * `::30`, `5:`, `:100`). Only whole numbers ≥ 0: a negative index (from the end) is refused, so a
 * slice names the same questions however many a later copy of the file holds.
 * Throws SliceSyntaxError naming the problem.
 */
export function parseQuestionSlice(text: string): QuestionSlice {
  const parts = text.trim().split(':');
  if (parts.length < 2 || parts.length > 3) throw new SliceSyntaxError(`"${text}" is not a slice: write START:STOP or START:STOP:STEP (e.g. 5::30).`);
  const read = (part: string | undefined, name: string): number | undefined => {
    const p = (part ?? '').trim();
    if (p === '') return undefined;
    if (!PART.test(p)) throw new SliceSyntaxError(`the slice's ${name} "${p}" is not a whole number ≥ 0 (negative indices are not taken).`);
    return Number(p);
  };
  const start = read(parts[0], 'start') ?? 0;
  const stop = read(parts[1], 'stop');
  const step = read(parts[2], 'step') ?? 1;
  if (step === 0) throw new SliceSyntaxError("the slice's step is 0; give 1 or more.");
  if (stop !== undefined && stop <= start) throw new SliceSyntaxError(`the slice ${text.trim()} holds no question (its stop is not after its start).`);
  return { start, stop, step };
}

/** The items of `items` the slice names, in order. Never throws. */
export function applyQuestionSlice<T>(items: readonly T[], slice: QuestionSlice): T[] {
  const out: T[] = [];
  const end = Math.min(items.length, slice.stop ?? items.length);
  for (let i = slice.start; i < end; i += slice.step) out.push(items[i] as T);
  return out;
}
