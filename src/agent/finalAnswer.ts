// The final answer is the content of the last <<<...>>> the model wrote (the R1-CI format).

const ANSWER = /<<<([\s\S]*?)>>>/g;

/** Returns the last `<<<...>>>` content in `modelText`, trimmed, or null when there is none. */
export function extractFinalAnswer(modelText: string): string | null {
  let last: string | null = null;
  for (const m of modelText.matchAll(ANSWER)) last = m[1] ?? '';
  if (last !== null) return last.trim();
  return extractBoxed(modelText);
}

/** `\boxed{...}` (with nested braces) as a fallback for models trained on math formats. */
function extractBoxed(text: string): string | null {
  const marker = '\\boxed{';
  const start = text.lastIndexOf(marker);
  if (start < 0) return null;
  let depth = 1;
  for (let i = start + marker.length; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start + marker.length, i).trim();
  }
  return null;
}
