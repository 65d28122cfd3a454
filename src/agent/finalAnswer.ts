// The final answer is the content of the last <<<...>>> the model wrote (the R1-CI format).
//
// Where it is written matters: `print(f"<<<{x}>>>")` inside code is usually a template, so
// answers in prose win, then a fenced block holding nothing but an answer (small models do
// that). Only when neither exists does a marker inside code count: the benchmark authors read
// the last `<<<(.*?)>>>` of the whole reply, and a reply whose code prints `<<<3>>>` is
// answered that way in their harness. `\boxed{}` is not an answer in this format (the authors'
// validators reject it; ../shared/conformance/symbench.jsonl checks both cases).

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
 * else a fenced block that holds only `<<<...>>>`; else the last `<<<...>>>` inside code.
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
  let inCode: string | null = null;
  for (const s of segments) if (s.fenced) inCode = lastLiteralInCode(s.text) ?? inCode;
  return inCode?.trim() ?? null;
}

/**
 * The last `<<<...>>>` in code that is a literal, not a template: markers in an f-string
 * (`f"<<<{x}>>>"`) or holding a format placeholder (`{}`, `%s`) are filled in only when the
 * code runs, so they are not an answer.
 */
function lastLiteralInCode(code: string): string | null {
  let last: string | null = null;
  for (const m of code.matchAll(ANSWER)) {
    const inner = m[1] ?? '';
    const before = code.slice(Math.max(0, m.index - 2), m.index);
    if (/[fF]["']$/.test(before) || /\{[^}]*\}|%[sdrf]/.test(inner)) continue;
    last = inner;
  }
  return last;
}

/** True when a fenced block's content is only an answer: it is shown, not executed. */
export function isAnswerOnly(code: string): boolean {
  return ANSWER_ONLY.test(code);
}
