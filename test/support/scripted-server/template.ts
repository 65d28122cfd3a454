// Placeholders that let a scripted turn quote the execution result the client really sent back,
// so a test proves the real output of the really executed code reached the model.
//
//   {{result}}                 text after the latest "Code Execution Results:" (to the end of that message), trimmed
//   {{result.lines[N]}}        line N of it (negative N counts from the end)
//   {{resultLine N}}           the same
//   {{resultMatch "pattern"}}  first capture group (or the whole match) of a regex over the result
//   {{RESULT}}                 the first non-empty line of it (the notation of ../shared/cases/real-models)

const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;

type Placeholder = { readonly kind: 'result' } | { readonly kind: 'firstLine' } | { readonly kind: 'line'; readonly index: number } | { readonly kind: 'match'; readonly pattern: RegExp };

function parsePlaceholder(expression: string): Placeholder | string {
  if (expression === 'result') return { kind: 'result' };
  if (expression === 'RESULT') return { kind: 'firstLine' };
  const line = /^result\.lines\[(-?\d+)\]$/.exec(expression) ?? /^resultLine\s+(-?\d+)$/.exec(expression);
  if (line?.[1] !== undefined) return { kind: 'line', index: Number(line[1]) };
  const match = /^resultMatch\s+"((?:[^"\\]|\\.)*)"$/.exec(expression);
  if (match?.[1] !== undefined) {
    const source = match[1].replace(/\\"/g, '"');
    try {
      return { kind: 'match', pattern: new RegExp(source) };
    } catch (error) {
      return `placeholder {{${expression}}}: invalid regular expression (${String(error)})`;
    }
  }
  return `unknown placeholder {{${expression}}} (use {{result}}, {{RESULT}}, {{result.lines[N]}}, {{resultLine N}} or {{resultMatch "pattern"}})`;
}

/** Problems with the placeholders of a text, for validation at load time. */
export function findTemplateProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const parsed = parsePlaceholder(m[1] ?? '');
    if (typeof parsed === 'string') problems.push(parsed);
  }
  return problems;
}

export type RenderOutcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string };

/**
 * Fills the placeholders from `result` (null when the request carried no execution result).
 * A placeholder that cannot be filled makes the whole render fail, so the caller can reply with
 * an obvious failure text instead of a plausible-looking but wrong answer.
 */
export function renderTemplate(text: string, result: string | null): RenderOutcome {
  let problem: string | null = null;
  const rendered = text.replace(PLACEHOLDER, (whole, expression: string) => {
    if (problem !== null) return whole;
    const placeholder = parsePlaceholder(expression);
    if (typeof placeholder === 'string') {
      problem = placeholder;
      return whole;
    }
    if (result === null) {
      problem = 'no execution result was sent';
      return whole;
    }
    const value = fill(placeholder, result);
    if (value === null) {
      problem = `placeholder {{${expression}}} found nothing in the execution result ${JSON.stringify(result)}`;
      return whole;
    }
    return value;
  });
  return problem === null ? { ok: true, text: rendered } : { ok: false, problem };
}

function fill(placeholder: Placeholder, result: string): string | null {
  switch (placeholder.kind) {
    case 'result':
      return result;
    case 'firstLine':
      return (
        result
          .split(/\r?\n/)
          .find((l) => l.trim() !== '')
          ?.trim() ?? null
      );
    case 'line': {
      const lines = result.split(/\r?\n/);
      const index = placeholder.index < 0 ? lines.length + placeholder.index : placeholder.index;
      return lines[index]?.trim() ?? null;
    }
    case 'match': {
      const m = placeholder.pattern.exec(result);
      if (m === null) return null;
      return m[1] ?? m[0];
    }
  }
}
