// Markdown fence lines as CommonMark reads them, shared by the code-block detector
// (codeBlocks.ts: what runs) and the answer search (finalAnswer.ts: what is code, not prose), so
// both agree on where a fence opens and closes: inside list items (indented by spaces or tabs, or
// opened on the item's own line) and blockquotes, at any depth.

/** Where a fence sits: its blockquote depth and the columns before it. */
export interface FenceContainer {
  /** Blockquote markers before the opening fence: removed (up to this many) from every code line. */
  readonly quotes: number;
  /** Columns before the opening fence (after the quote markers): removed (up to this many) from every code line. */
  readonly indent: number;
}

/** An opening fence line: its fence run (``` or ~~~, 3 or more), container and label. */
export interface OpeningFence extends FenceContainer {
  readonly fence: string;
  /** The info string's first word, lower-cased ("" for a bare fence). */
  readonly language: string;
}

/** Fence labels we execute: python, python3, python3.12, py, py3, ipython, ipython3 (lower-cased first). */
const EXECUTABLE_LABEL = /^(?:i?python|py)(?:3(?:\.\d+)*)?$/;

/** True when a fence's label (as written, any case) marks code that runs. */
export function isExecutableLabel(label: string): boolean {
  return EXECUTABLE_LABEL.test(label.toLowerCase());
}

/** A blockquote marker: up to 3 spaces, `>`, one optional space. */
const QUOTE_MARKER = /^ {0,3}>[ \t]?/;
/** A list item's marker before a fence on the item's own line ("- ```python", "1. ```python"). */
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])[ \t]+(?=`{3}|~{3})/;
/** A fence run and the rest of the line (its info string, or text after a closing fence). */
const FENCE_RUN = /^(`{3,}|~{3,})([\s\S]*)$/;

/** Removes up to `max` blockquote markers; returns how many there were and the rest of the line. */
export function stripQuotes(line: string, max: number): { depth: number; rest: string } {
  let depth = 0;
  let rest = line;
  for (let m = QUOTE_MARKER.exec(rest); m !== null && depth < max; m = QUOTE_MARKER.exec(rest)) {
    rest = rest.slice(m[0].length);
    depth++;
  }
  return { depth, rest };
}

/** Tabs in the line's leading whitespace as spaces to the next multiple of 4 columns (CommonMark). */
export function expandLeadingTabs(line: string): string {
  const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
  if (!lead.includes('\t')) return line;
  let column = 0;
  for (const c of lead) column = c === '\t' ? column + 4 - (column % 4) : column + 1;
  return ' '.repeat(column) + line.slice(lead.length);
}

/** The label in a fence's info string: its first word, also inside pandoc braces (`{python}`, `{.python .numberLines}`). */
function labelOf(info: string): string {
  return (/^\{?\.?([A-Za-z0-9_+.-]*)/.exec(info.trim())?.[1] ?? '').toLowerCase();
}

/** The fence a line opens (its container markers, indentation and label), or undefined. */
export function openingFence(line: string): OpeningFence | undefined {
  const { depth, rest } = stripQuotes(line, Infinity);
  let inner = expandLeadingTabs(rest);
  let indent = inner.length - inner.trimStart().length;
  const marker = LIST_MARKER.exec(inner.slice(indent));
  if (marker) {
    // The fence opens on the list item's line: its content column is after the marker.
    inner = expandLeadingTabs(' '.repeat(indent + marker[0].length) + inner.slice(indent + marker[0].length));
    indent = inner.length - inner.trimStart().length;
  }
  const m = FENCE_RUN.exec(inner.slice(indent));
  const fence = m?.[1];
  const info = m?.[2] ?? '';
  // A backtick fence's info string holds no backtick (CommonMark): "```a``` b" is inline code.
  if (fence === undefined || (fence[0] === '`' && info.includes('`'))) return undefined;
  return { fence, quotes: depth, indent, language: labelOf(info) };
}

/**
 * True when `line` closes a fence opened by `open`: the same fence character, at least as many,
 * indented at most 3 columns past the opening fence, and nothing after it but spaces (CommonMark),
 * or, when `loose`, anything after it (a python block: no python line starts with ``` or ~~~).
 */
export function closesFence(line: string, open: OpeningFence, loose: boolean): boolean {
  const inner = expandLeadingTabs(stripQuotes(line, open.quotes).rest);
  const lead = inner.length - inner.trimStart().length;
  const run = FENCE_RUN.exec(inner.slice(lead));
  const fence = run?.[1] ?? '';
  return run !== null && lead <= open.indent + 3 && fence[0] === open.fence[0] && fence.length >= open.fence.length && (loose || (run[2] ?? '').trim() === '');
}

/**
 * True when `line`, the unfinished last line of a reply, is the beginning of a line closing
 * `open`: nothing but the fence character, fewer than the fence needs (`` `` `` of ```), in its
 * container. No python line is made of backticks or tildes alone: the reply ended inside the
 * closing fence (a stop string or the token limit took the rest), so the code before it is complete.
 */
export function startsClosingFence(line: string, open: OpeningFence): boolean {
  const inner = expandLeadingTabs(stripQuotes(line, open.quotes).rest);
  const lead = inner.length - inner.trimStart().length;
  const run = inner.slice(lead).trimEnd();
  return lead <= open.indent + 3 && run.length > 0 && run.length < open.fence.length && [...run].every((c) => c === open.fence[0]);
}

/** A block's code from its raw lines: container markers and up to its indentation removed from each line. */
export function codeOf(raw: string, open: FenceContainer): string {
  if (open.quotes === 0 && open.indent === 0) return raw;
  const strip = new RegExp(`^ {0,${open.indent}}`);
  return raw
    .split('\n')
    .map((line) => expandLeadingTabs(stripQuotes(line, open.quotes).rest).replace(strip, ''))
    .join('\n');
}

/** The line that closes a fence opened by `open`, in its container (`> ` markers, indentation): for a block the stream left open. */
export function closingFenceLine(open: OpeningFence): string {
  return `${'> '.repeat(open.quotes)}${' '.repeat(open.indent)}${open.fence}`;
}

/** A call's opening and closing tag (`['<tool_call>', '</tool_call>']`): what lies between is its body, not Markdown. */
export type CallTags = readonly [open: string, close: string];

/**
 * Whether a position of `text` is quoted by Markdown: inside an inline code span (one line) or a
 * fenced block that closes. A reply that explains a call syntax (`<tool_call>`, `[TOOL_CALLS]`,
 * `<function=…>`, `<|python_tag|>`, a harmony call) or a reasoning tag (`</think>`) quotes it; a
 * model's own call or tag is never quoted, so one at a quoted position is none (pythonTool.ts,
 * finalAnswer.ts). The body of a call made with one of `calls` (opened outside Markdown code and
 * closed) is the call's own text, not Markdown: a fence line or backtick in its code (a Python
 * string holding "```python") quotes nothing after it, so a later call of the reply still runs.
 * With `wrappedCalls`, a closed fenced block holding nothing but a call (its text, trimmed,
 * starts with one of `calls`' opening tags and ends with that closing tag) quotes nothing: a
 * small model wrapped its own call (```` ```json\n<tool_call>…</tool_call>\n``` ````).
 * Built in one pass over the lines (the span regex stops at each backtick or line end); each
 * question is a binary search.
 */
export function quotedPositions(text: string, calls: readonly CallTags[] = [], options: { readonly wrappedCalls?: boolean } = {}): (at: number) => boolean {
  if (!text.includes('`') && !text.includes('~')) return () => false;
  const quoted: Array<readonly [number, number]> = [];
  const bodies = callBodies(text, calls);
  let open: { readonly fence: OpeningFence; readonly from: number } | undefined;
  for (let lineStart = 0; lineStart <= text.length;) {
    let newline = text.indexOf('\n', lineStart);
    let lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (open === undefined) {
      const fence = openingFence(line);
      if (fence !== undefined) open = { fence, from: lineStart };
      else {
        // Calls made on this line: their bodies are skipped to the line where each ends.
        for (let body = bodies.openedIn(lineStart, lineEnd); body !== undefined; body = bodies.openedIn(body[1], lineEnd)) {
          newline = text.indexOf('\n', body[1]);
          lineEnd = newline < 0 ? text.length : newline;
        }
      }
    } else if (closesFence(line, open.fence, false)) {
      if (!(options.wrappedCalls === true && holdsOnlyACall(text.slice(text.indexOf('\n', open.from) + 1, lineStart), calls))) quoted.push([open.from, lineEnd]);
      open = undefined;
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  // Inline spans in the text between the call bodies, each stretch on its own.
  let from = 0;
  for (const [start, end] of [...bodies.found, [text.length, text.length] as const]) {
    for (const m of text.slice(from, start).matchAll(/`[^`\n]*`/g)) quoted.push([from + m.index, from + m.index + m[0].length]);
    from = end;
  }
  if (quoted.length === 0) return () => false;
  // Ranges by start; a span inside a fence is covered by the fence, so the ranges that end
  // furthest so far answer: `reach[i]` is the largest end among the first i + 1 ranges.
  quoted.sort((a, b) => a[0] - b[0]);
  const reach: number[] = [];
  for (const [, end] of quoted) reach.push(Math.max(end, reach[reach.length - 1] ?? 0));
  return (at) => {
    // The last range that starts at or before `at`.
    let [lo, hi] = [0, quoted.length - 1];
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((quoted[mid]?.[0] ?? Infinity) <= at) [last, lo] = [mid, mid + 1];
      else hi = mid - 1;
    }
    return last >= 0 && (reach[last] ?? 0) > at;
  };
}

/** Whether a fenced block's text, trimmed, is wrapped by one of `calls`' tag pairs (see `quotedPositions`). */
function holdsOnlyACall(inner: string, calls: readonly CallTags[]): boolean {
  const body = inner.trim();
  return calls.some(([open, close]) => body.startsWith(open) && body.endsWith(close));
}

/**
 * The bodies of calls made with `calls` in `text`, found as `quotedPositions` reaches them:
 * `openedIn(from, to)` is the first call whose opening tag lies in `text[from, to)` (one line's
 * stretch) outside an inline code span of that stretch and whose closing tag follows, as
 * `[opening tag's index, index after the closing tag]` (recorded in `found`), or undefined.
 * Each tag is searched for again only past its last find, so the cost stays linear in `text`.
 */
function callBodies(text: string, calls: readonly CallTags[]): { readonly found: Array<readonly [number, number]>; openedIn(from: number, to: number): readonly [number, number] | undefined } {
  const found: Array<readonly [number, number]> = [];
  // Per call: the index of its opening tag's next occurrence (-1: not searched yet, Infinity: none).
  const nextOpen = calls.map(() => -1);
  const find = (tag: string, from: number): number => {
    const at = text.indexOf(tag, from);
    return at < 0 ? Infinity : at;
  };
  // Per call: the closing tag is absent past this index (Infinity: not known).
  const noCloseFrom = calls.map(() => Infinity);
  // Backticks counted in text[spanFrom, spanAt), and the first backtick at or after spanAt (-1: none).
  let [spanFrom, spanAt, ticks, nextTick] = [-1, -1, 0, -1];
  const inSpan = (from: number, at: number, to: number): boolean => {
    if (from !== spanFrom || at < spanAt) [spanFrom, spanAt, ticks, nextTick] = [from, from, 0, -1];
    for (; spanAt < at; spanAt++) if (text[spanAt] === '`') ticks++;
    if (nextTick < at) {
      nextTick = -1;
      for (let i = at; i < to; i++) {
        if (text[i] === '`') {
          nextTick = i;
          break;
        }
      }
      if (nextTick < 0) nextTick = to;
    }
    return ticks % 2 === 1 && nextTick < to;
  };
  const openedIn = (from: number, to: number): readonly [number, number] | undefined => {
    let best: readonly [number, number] | undefined;
    calls.forEach(([openTag, closeTag], k) => {
      for (;;) {
        if ((nextOpen[k] ?? -1) < from) nextOpen[k] = find(openTag, from);
        const at = nextOpen[k] ?? Infinity;
        if (at >= to || (best !== undefined && at > best[0])) return;
        if (!inSpan(from, at, to) && at + openTag.length < (noCloseFrom[k] ?? Infinity)) {
          const close = text.indexOf(closeTag, at + openTag.length);
          if (close >= 0) {
            best = [at, close + closeTag.length];
            return;
          }
          noCloseFrom[k] = at + openTag.length;
        }
        nextOpen[k] = find(openTag, at + 1);
      }
    });
    if (best !== undefined) found.push(best);
    return best;
  };
  return { found, openedIn };
}
