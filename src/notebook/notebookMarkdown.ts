// Model text as the Markdown of a notebook cell (VS Code and Jupyter render it with raw HTML
// on, and math only between dollar signs). Code spans and fenced blocks are left exactly as
// written; in the prose between them:
// - `<` becomes an entity, so tags and `<<<…>>>` show as typed instead of being run or lost;
// - `[` becomes an entity, so no link or image forms (`![](https://…)` would load from the
//   network, `[…](command:…)` run a command): the model's links show as typed;
// - `\(…\)` and `\[…\]` become `$…$` and `$$…$$`: Markdown reads `\(` as an escaped `(` and
//   drops the backslash, so LaTeX-style math (what reasoning models write) would show as
//   `( x^2 )` text. VS Code's notebook Markdown (markdown-it-katex) and Jupyter (MathJax) both
//   typeset dollar math. Inside math `<` is written `\lt` (KaTeX and MathJax both know it): an
//   entity would show as typed, and a raw `<` would be HTML wherever math rendering is off;
// - the final-answer marker `<<<answer>>>` is dropped when the answer cell shows that answer,
//   so the answer is said once (issue 13);
// - control characters and bidi overrides (code included) are shown escaped (`\u202e`), as in the
//   views (terminalText.ts): the renderer would otherwise reorder what the user reads.
// The split into code and prose above is a model of CommonMark, and the renderer's reading can
// differ (an escaped backtick, an indented "fence", a list item that ends an unclosed fence, a
// `$$` across a blank line): so the result is parsed once more as CommonMark (raw HTML on, no
// math, the strictest reading), and where a link, image or HTML tag would form after all, the
// whole text goes in with every `[`, `<` and `\` as an entity instead.
import MarkdownIt from 'markdown-it';
import { escapeControls } from '../sandbox/terminalText';
import { answerMarkers } from '../text/answerMarkers';
import { closingDollar, forwardSearch } from '../text/mathScan';

/** A stretch of Markdown: `code` stretches (fenced blocks, code spans) are never changed. */
interface Part {
  readonly text: string;
  readonly code: boolean;
}

/**
 * A fence line at any indentation (list items nest fences), as finalAnswer.ts reads them: 1 the
 * fence, 2 the rest of the line. The fence is taken whole (a lookahead, then its capture): giving
 * characters back never lets `(.*)$` pass a line terminator (`\r`), and on a long fence it cost
 * quadratic time.
 */
const FENCE_OPEN = /^ *(?=(`{3,}|~{3,}))\1(.*)$/;

/** Splits Markdown into fenced blocks (with their fence lines; an unclosed one runs to the end), code spans and prose; joined they give back `markdown`. */
function splitCode(markdown: string): Part[] {
  const parts: Part[] = [];
  const lines = markdown.split('\n');
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += line.length + 1;
  }
  let proseFrom = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    const marker = open?.[1];
    // A backtick fence's info string has no backtick (CommonMark); such a line is prose.
    if (!marker || (marker.startsWith('`') && (open[2] ?? '').includes('`'))) continue;
    let end = i + 1;
    while (end < lines.length && !isClosingFence(lines[end] ?? '', marker)) end++;
    const from = offsets[i] ?? 0;
    const to = Math.min(markdown.length, (offsets[end] ?? markdown.length) + (lines[end]?.length ?? 0));
    parts.push(...splitSpans(markdown.slice(proseFrom, from)), { text: markdown.slice(from, to), code: true });
    proseFrom = to;
    i = end;
  }
  parts.push(...splitSpans(markdown.slice(proseFrom)));
  return parts;
}

function isClosingFence(line: string, marker: string): boolean {
  const m = /^ *(`{3,}|~{3,})\s*$/.exec(line);
  return m?.[1] !== undefined && m[1][0] === marker[0] && m[1].length >= marker.length;
}

/** A maximal run of backticks: where it starts and how many. */
interface BacktickRun {
  readonly at: number;
  readonly length: number;
}

/**
 * Inline code spans in `prose`, as `[start, end)` offsets in order: a run of N backticks up to the
 * next run of exactly N, within a paragraph (no blank line between). What
 * `` /(`+)(?!`)(?:(?!\n[ \t]*\n)[\s\S])*?(?<!`)\1(?!`)/g `` matches, in linear time (that regex
 * retried from every backtick of a long run, and took seconds on 64,000 of them): a run with no
 * closer of its length opens with its last N−1 backticks, then N−2, and so on, as the regex does.
 */
export function codeSpans(prose: string): Array<readonly [number, number]> {
  const runs: BacktickRun[] = [];
  for (let i = prose.indexOf('`'); i >= 0; i = prose.indexOf('`', i)) {
    const at = i;
    while (prose[i] === '`') i++;
    runs.push({ at, length: i - at });
  }
  // The runs of each length, in order, with a cursor that only moves forward (runs are opened in order).
  const byLength = new Map<number, { readonly indexes: number[]; next: number }>();
  runs.forEach((r, index) => {
    const list = byLength.get(r.length);
    if (list) list.indexes.push(index);
    else byLength.set(r.length, { indexes: [index], next: 0 });
  });
  const spans: Array<readonly [number, number]> = [];
  // The first blank line at or after the body's start (Infinity: none); found again only once passed.
  let blank = -1;
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i];
    if (!open) break;
    const bodyFrom = open.at + open.length;
    if (blank < bodyFrom) blank = blankLineFrom(prose, bodyFrom);
    for (let n = open.length; n >= 1; n--) {
      const same = byLength.get(n);
      if (!same) continue;
      while (same.next < same.indexes.length && (same.indexes[same.next] ?? 0) <= i) same.next++;
      const closeIndex = same.indexes[same.next];
      const close = closeIndex === undefined ? undefined : runs[closeIndex];
      if (closeIndex === undefined || !close || close.at > blank) continue;
      spans.push([bodyFrom - n, close.at + n]);
      i = closeIndex;
      break;
    }
  }
  return spans;
}

/** Where the first blank line (`\n`, blanks, `\n`) starting at or after `from` starts, or Infinity. Linear in what it scans. */
function blankLineFrom(text: string, from: number): number {
  for (let i = text.indexOf('\n', from); i >= 0;) {
    let j = i + 1;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === '\n') return i;
    i = text.indexOf('\n', j);
  }
  return Number.POSITIVE_INFINITY;
}

function splitSpans(prose: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const [start, end] of codeSpans(prose)) {
    parts.push({ text: prose.slice(at, start), code: false });
    parts.push({ text: prose.slice(start, end), code: true });
    at = end;
  }
  parts.push({ text: prose.slice(at), code: false });
  return parts;
}

/** Forward searches for delimiters (see forwardSearch: linear in text that loops). */
const searchForward = forwardSearch();

/** A blank line: where a paragraph, and so inline math, ends. */
const BLANK_LINE = /\n[ \t]*\n/g;

/** Single-dollar math as VS Code's renderer reads it: "$x$" is math, "$5 and $6" is money. */
function dollarMathEnd(text: string, start: number): number {
  if (/\s/.test(text[start + 1] ?? ' ')) return -1;
  return searchForward('$', text, start + 1, (from) => closingDollar(text, from));
}

/** Where the next blank line at or after `from` starts, or −1. */
function blankLineAt(text: string, from: number): number {
  return searchForward('blank line', text, from, (at) => {
    BLANK_LINE.lastIndex = at;
    return BLANK_LINE.exec(text)?.index ?? -1;
  });
}

/** `\(…\)`/`\[…\]` as dollar math; dollar math kept; `<` and `[` as entities elsewhere. */
function proseToMarkdown(prose: string): string {
  let out = '';
  let i = 0;
  while (i < prose.length) {
    const two = prose.slice(i, i + 2);
    if (two === '\\(' || two === '\\[') {
      const close = two === '\\(' ? '\\)' : '\\]';
      const end = searchForward(close, prose, i + 2, (from) => prose.indexOf(close, from));
      // Inline math ends with its paragraph: a `\(` whose `\)` lies beyond a blank line is text.
      const blank = two === '\\(' && end > i + 2 ? blankLineAt(prose, i + 2) : -1;
      const tex = end > i + 2 && (blank < 0 || blank >= end) ? prose.slice(i + 2, end).trim() : '';
      if (tex) {
        out += two === '\\(' ? `$${safeTex(tex)}$` : displayMath(prose, i, safeTex(tex));
        i = end + 2;
        continue;
      }
    } else if (two === '$$') {
      const end = searchForward('$$', prose, i + 2, (from) => prose.indexOf('$$', from));
      if (end > i + 2) {
        out += safeTex(prose.slice(i, end + 2));
        i = end + 2;
        continue;
      }
    } else if (two === '\\$') {
      out += two;
      i += 2;
      continue;
    } else if (prose[i] === '$') {
      const end = dollarMathEnd(prose, i);
      if (end > 0) {
        out += safeTex(prose.slice(i, end + 1));
        i = end + 1;
        continue;
      }
    }
    const c = prose[i] ?? '';
    // `[` as an entity (already escaped as `\[`, it is literal): no link or image can form. A
    // notebook loads remote images when the cell renders and, in a trusted workspace, opens
    // `command:` links on a click.
    out += c === '<' ? '&lt;' : c === '[' && prose[i - 1] !== '\\' ? '&#91;' : c;
    i += 1;
  }
  return out;
}

/**
 * TeX with `<` as `\lt`: the same symbol, and never the start of an HTML tag; and `](`, `][`,
 * `]:` spaced apart (math mode ignores the space), so where math is not rendered no link forms.
 */
function safeTex(tex: string): string {
  // A letter right after would extend the control word (`\ltb`), so it is set apart by a space.
  return tex
    .replace(/<(?=[A-Za-z])/g, '\\lt ')
    .replace(/</g, '\\lt')
    .replace(/\](?=[([:])/g, '] ');
}

/**
 * `$$…$$` for `\[…\]`: on lines of its own when the model put the delimiter at the start of a
 * line (a display block; the closing `$$` takes the same indentation, so a block inside a list
 * item stays in it), else inline. Blank lines would end the paragraph, so none are kept.
 */
function displayMath(prose: string, at: number, tex: string): string {
  const body = tex.replace(/\n[ \t]*(?=\n)/g, '');
  const indent = /(?:^|\n)([ \t]*)$/.exec(prose.slice(0, at))?.[1];
  return indent === undefined ? `$$${body}$$` : `$$\n${indent}${body}\n${indent}$$`;
}

/** `<<<answer>>>` markers (with the blanks before them) whose content is `answer`, in prose. */
function withoutAnswerMarker(prose: string, answer: string): string {
  // As `prose.replace(/[ \t]*<<<([\s\S]*?)>>>/g, …)` would, in linear time (a long run of blanks
  // without a marker made that regex quadratic): each marker takes the blanks before it, back to the
  // end of the one before.
  let out = '';
  let kept = 0;
  for (const { index, end, inner } of answerMarkers(prose)) {
    if (inner.trim() !== answer) continue;
    let start = index;
    while (start > kept && (prose[start - 1] === ' ' || prose[start - 1] === '\t')) start--;
    out += prose.slice(kept, start);
    kept = end;
  }
  return out + prose.slice(kept);
}

/** A fenced block that holds nothing but the answer marker (small models fence their answer). */
function isAnswerFence(block: string, answer: string): boolean {
  const inner = block.split('\n').slice(1, -1).join('\n');
  const m = /^\s*<<<([\s\S]*?)>>>\s*$/.exec(inner);
  return m?.[1] !== undefined && m[1].trim() === answer;
}

/**
 * `text` (model or user text) as notebook Markdown, as the file comment says. With `answer`
 * (the final answer the answer cell shows), its `<<<answer>>>` markers in prose and fenced
 * blocks holding only that marker are left out; other markers stay as text.
 */
export function notebookMarkdown(text: string, answer?: string | null): string {
  const markdown = splitCode(text)
    .map((part) => {
      if (part.code) return answer != null && isAnswerFence(part.text, answer) ? '' : part.text;
      return proseToMarkdown(answer != null ? withoutAnswerMarker(part.text, answer) : part.text);
    })
    .join('');
  // Controls have no Markdown meaning: escaping them last changes nothing else (CRLF is a line break).
  const result = escapeControls(markdown.replace(/\r\n?/g, '\n'));
  return formsMarkup(result) ? literalMarkdown(text) : result;
}

/** CommonMark as notebooks read it, raw HTML on, without math (math not rendered is read as prose). */
const commonMark = new MarkdownIt({ html: true });

/** Whether `markdown` renders a link (autolinks and references included), an image or raw HTML anywhere. */
function formsMarkup(markdown: string): boolean {
  const markup = (tokens: ReturnType<MarkdownIt['parse']>): boolean =>
    tokens.some((t) => t.type === 'link_open' || t.type === 'image' || t.type === 'html_inline' || t.type === 'html_block' || (t.children !== null && markup(t.children)));
  return markup(commonMark.parse(markdown, {}));
}

/** `text` that no Markdown renderer turns into a link, an image or HTML: no `[`, `<` or `\` left (entities show them as typed). */
function literalMarkdown(text: string): string {
  return escapeControls(text.replace(/\r\n?/g, '\n')).replace(/[[<\\]/g, (c) => (c === '[' ? '&#91;' : c === '<' ? '&lt;' : '&#92;'));
}
