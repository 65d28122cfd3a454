// Joining a message made elsewhere (an error's text, a server's words) with a sentence of our own.

/**
 * `text` ending in a full stop (or another sentence end), so a sentence can follow it: a server's
 * "CUDA out of memory" then "Retrying once…", or a refusal that already ends in "." then advice
 * (never "written.. Name"). Trailing whitespace is dropped.
 */
export function withFullStop(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?…:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
