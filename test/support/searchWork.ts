// How much a piece of code scans, counted rather than timed (timing goals belong in bench/):
// the characters String.prototype.indexOf is asked to search while it runs.

/** Characters searched by indexOf calls (from their start position to the match, or to the end) while `work` runs. */
export function charactersSearched(work: () => void): number {
  const original = String.prototype.indexOf;
  let searched = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    const found = original.call(this, search, from);
    searched += (found < 0 ? this.length : found) - Math.max(0, from ?? 0);
    return found;
  };
  try {
    work();
  } finally {
    String.prototype.indexOf = original;
  }
  return searched;
}
