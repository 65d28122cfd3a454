// The item Reasoning-Gym hands to `score_answer`, and typed reads of its metadata.

/** One Reasoning-Gym item as its generator yields it (`answer` is null where many answers are right). */
export interface RgEntry {
  readonly answer: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * A scorer: RG's `score_answer(answer, entry)` for one dataset, reimplemented. `answer` is the
 * candidate exactly as given (nothing stripped). Returns a score in [0, 1]. May throw on
 * malformed metadata; the caller turns that into score 0 with the error as the reason.
 */
export type RgScorer = (answer: string, entry: RgEntry) => number;

/** Thrown when an item lacks data its dataset's scorer needs. */
export class RgDataError extends Error {}

export function oracle(entry: RgEntry): string {
  if (typeof entry.answer !== 'string') throw new RgDataError('the item has no stored answer');
  return entry.answer;
}

export function metaValue(entry: RgEntry, key: string): unknown {
  if (!(key in entry.metadata)) throw new RgDataError(`metadata.${key} is missing`);
  return entry.metadata[key];
}

export function metaString(entry: RgEntry, key: string): string {
  const v = metaValue(entry, key);
  if (typeof v !== 'string') throw new RgDataError(`metadata.${key} is not a string`);
  return v;
}

export function metaNumber(entry: RgEntry, key: string): number {
  const v = metaValue(entry, key);
  if (typeof v !== 'number') throw new RgDataError(`metadata.${key} is not a number`);
  return v;
}

export function metaArray(entry: RgEntry, key: string): unknown[] {
  const v = metaValue(entry, key);
  if (!Array.isArray(v)) throw new RgDataError(`metadata.${key} is not a list`);
  return v;
}

export function metaRecord(entry: RgEntry, key: string): Record<string, unknown> {
  const v = metaValue(entry, key);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RgDataError(`metadata.${key} is not an object`);
  return v as Record<string, unknown>;
}

/** A matrix of numbers from metadata (`solution` grids). */
export function metaNumberGrid(entry: RgEntry, key: string): number[][] {
  return metaArray(entry, key).map((row) => {
    if (!Array.isArray(row) || !row.every((c) => typeof c === 'number')) throw new RgDataError(`metadata.${key} is not a number grid`);
    return row as number[];
  });
}
