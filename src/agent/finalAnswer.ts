// The final answer is the content of the last <<<...>>> the model wrote (the R1-CI format).
//
// Where it is written matters: `print(f"<<<{x}>>>")` inside code is a template, not the answer,
// so answers in prose win. A fenced block holding nothing but an answer (small models do
// that) still counts, as does \boxed{} for models trained on math formats.

const ANSWER = /<<<([\s\S]*?)>>>/g;
const ANSWER_ONLY = /^\s*<<<([\s\S]*?)>>>\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

interface Segment {
  readonly text: string;
  readonly fenced: boolean;
}

/** Splits Markdown into prose and fenced-block contents (an unclosed fence runs to the end). */
export function splitFenced(text: string): Segment[] {
  const segments: Segment[] = [];
  let fence: string | undefined;
  let current: string[] = [];
  const flush = (fenced: boolean): void => {
    if (current.length > 0) segments.push({ text: current.join('\n'), fenced });
    current = [];
  };
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    if (fence === undefined && m?.[1] !== undefined && !line.slice(m[0].length).includes(m[1][0] ?? '`')) {
      flush(false);
      fence = m[1];
    } else if (fence !== undefined && m?.[1] !== undefined && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) {
      flush(true);
      fence = undefined;
    } else {
      current.push(line);
    }
  }
  flush(fence !== undefined);
  return segments;
}

function lastMarked(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(ANSWER)) last = m[1] ?? '';
  return last;
}

/**
 * Returns the final answer, trimmed, or null when there is none: the last `<<<...>>>` in prose;
 * else a fenced block that holds only `<<<...>>>`; else the last `\boxed{...}` in prose.
 */
export function extractFinalAnswer(modelText: string): string | null {
  const segments = splitFenced(modelText);
  let prose: string | null = null;
  let fencedOnly: string | null = null;
  for (const s of segments) {
    if (!s.fenced) {
      const found = lastMarked(s.text);
      if (found !== null) prose = found;
    } else {
      const m = ANSWER_ONLY.exec(s.text);
      if (m) fencedOnly = m[1] ?? '';
    }
  }
  const marked = prose ?? fencedOnly;
  if (marked !== null) return marked.trim();
  let boxed: string | null = null;
  for (const s of segments) if (!s.fenced) boxed = extractBoxed(s.text) ?? boxed;
  return boxed;
}

/** True when a fenced block's content is only an answer: it is shown, not executed. */
export function isAnswerOnly(code: string): boolean {
  return ANSWER_ONLY.test(code);
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
