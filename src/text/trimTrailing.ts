// Cutting a run of characters off the end of a text, in linear time. A regular expression such as
// `/[.。]+$/` or `/\n+$/` retries at every start of a run that does not reach the end, which is
// quadratic in the run's length: 60,000 spaces then one letter in a cell's output held the host's
// main thread for 3 s in `/\s+$/`. Model output, model code and tool output are hostile, so text
// from them is trimmed by scanning. (JavaScript's own `trimEnd()` scans too, and removes exactly
// what `\s` matches.)

/**
 * `text` without the run of characters from `chars` at its end (each a single UTF-16 unit), e.g.
 * `trimTrailing('x.。.', '.。')` is `'x'`. Linear in the length of `text`.
 */
export function trimTrailing(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text.charAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}
