// The final answer is the content of the last <<<...>>> the model wrote (the R1-CI format).
//
// Where it is written matters: `print(f"<<<{x}>>>")` inside code is usually a template, so an
// answer written for the reader wins: in prose, in an inline code span of prose
// (`` `<<<42>>>` ``), as a fenced block holding nothing but answers (small models do that) or
// as a literal in a fenced block that does not run (```` ```text ````, `Final answer: <<<42>>>`),
// the last of them by position, as the benchmark authors read the last `<<<(.*?)>>>` of the
// whole reply (CodeSteer's `re.findall(...)[-1]`). Only when none exists does a literal marker
// inside python code count: a reply whose code prints `<<<3>>>` is answered that way in their
// harness. Templates (f-strings, formatted or concatenated strings, fields alone) never count.
//
// `\boxed{}` is a different format. The authors' validators reject it
// (../shared/conformance/symbench.jsonl checks that), so the strict reading used for scoring
// (`extractFinalAnswer`) ignores it. Reasoning models trained on math formats still end with
// it, so the agent's reading (`findFinalAnswer`) reports it as a fallback with format 'boxed':
// the user sees the answer, and an evaluation scores it as not in the requested format.
//
// Never an answer: reasoning (inline <think>...</think> here; the reasoning channel never
// reaches this module), the instruction's own placeholder `<<<answer content>>>` quoted back,
// quoted lines (`> ...`). Each stretch of model text (one model request)
// is searched on its own, so a fence an earlier turn left open cannot swallow a later answer.

import { closesFence, isExecutableLabel, openingFence, quotedPositions, type OpeningFence } from './fenceLines';
import { answerMarkers } from '../text/answerMarkers';
import { pyStrip } from '../text/pythonStrip';

/** A block of nothing but answers (one or more `<<<...>>>`, whitespace around): shown, never executed. */
const ANSWER_ONLY = /^\s*<<<([\s\S]*?)>>>\s*$/;

interface Segment {
  readonly text: string;
  readonly fenced: boolean;
  /** A fenced block that the agent runs (a python label: fenceLines.ts `isExecutableLabel`). */
  readonly runs: boolean;
  /** A fenced block opened inside a blockquote (`> ```…`): quoted, so never written for the reader. */
  readonly quoted: boolean;
}

/**
 * Splits Markdown into prose and fenced-block contents (an unclosed fence runs to the end). Fences
 * open and close as the code-block detector reads them (fenceLines.ts): in list items and
 * blockquotes too, and a python block also at a fence line with text after it.
 */
export function splitFenced(text: string): Segment[] {
  const segments: Segment[] = [];
  let open: OpeningFence | undefined;
  let current: string[] = [];
  const flush = (fenced: boolean): void => {
    const block = fenced ? open : undefined;
    if (current.length > 0) segments.push({ text: current.join('\n'), fenced, runs: block !== undefined && isExecutableLabel(block.language), quoted: (block?.quotes ?? 0) > 0 });
    current = [];
  };
  for (const line of text.split('\n')) {
    if (open === undefined) {
      open = openingFence(line);
      if (open) flush(false);
      else current.push(line);
    } else if (closesFence(line, open, isExecutableLabel(open.language))) {
      flush(true);
      open = undefined;
    } else {
      current.push(line);
    }
  }
  flush(open !== undefined);
  return segments;
}

/** The placeholder of the instruction prompts (src/agent/protocol.ts): quoting it back is not answering. */
const PLACEHOLDERS = new Set(['answer content', 'answer', '...', '…', 'your answer', 'final answer']);

/**
 * Inline reasoning: `<think>…</think>` opening the stretch (only blanks before it), or an opened
 * `<think>` never closed (the rest is reasoning). One per reply, ended by its first closing tag,
 * as servers read it (vLLM's reasoning parsers partition at the first end token, llama.cpp's
 * `--reasoning-format` alike): a later `<think>` or `</think>` is the reply's text, as the live
 * split (thinkTags.ts) shows it.
 */
const INLINE_THINK = /^\s*<think>[\s\S]*?(?:<\/think>|$)/;
/**
 * A `</think>` with no opening tag at the start: the chat template opened it (deepseek-r1
 * distills served without a reasoning parser), so everything before the first one is reasoning.
 */
const ORPHAN_THINK_CLOSE = /^[\s\S]*?<\/think>/;

/** What stands for the `<` of a think tag Markdown quotes (a private-use character). */
const QUOTED_TAG_MARK = '\uE000';

/**
 * `stretch` with the think tags that Markdown quotes (in an inline code span or a closed fenced
 * block: a reply that explains `</think>` names it, a model's own tag is never quoted) made no
 * tags, their `<` QUOTED_TAG_MARK; `stretch` itself when it holds no such tag (or holds the mark).
 */
function maskQuotedThinkTags(stretch: string): string {
  if (!stretch.includes('think>') || stretch.includes(QUOTED_TAG_MARK)) return stretch;
  const quoted = quotedPositions(stretch);
  return stretch.replace(/<(?=\/?think>)/g, (lt: string, at: number) => (quoted(at) ? QUOTED_TAG_MARK : lt));
}

/** `part` of a masked stretch as the stretch wrote it. */
const unmasked = (part: string): string => part.replaceAll(QUOTED_TAG_MARK, '<');

/**
 * A masked stretch split at its inline reasoning: the reasoning block opening it (INLINE_THINK,
 * with its tags), else the text up to and with its first lone closing tag (ORPHAN_THINK_CLOSE), and
 * the rest; `lone` says which.
 */
function reasoningBlock(masked: string): { readonly block: string; readonly rest: string; readonly lone: boolean } {
  const opened = INLINE_THINK.exec(masked)?.[0];
  if (opened !== undefined) return { block: opened, rest: masked.slice(opened.length), lone: false };
  const orphan = ORPHAN_THINK_CLOSE.exec(masked)?.[0] ?? '';
  return { block: orphan, rest: masked.slice(orphan.length), lone: orphan !== '' };
}

/** A stretch without its inline reasoning (think tags Markdown quotes are no tags). */
function withoutThinking(stretch: string): string {
  const masked = maskQuotedThinkTags(stretch);
  const { rest } = reasoningBlock(masked);
  return masked === stretch ? rest : unmasked(rest);
}

/** The stretch holds a `</think>` with no opening tag before it, not quoted: the chat template wrote `<think>` (see ORPHAN_THINK_CLOSE). */
export function hasLoneThinkClose(stretch: string): boolean {
  return reasoningBlock(maskQuotedThinkTags(stretch)).lone;
}

/**
 * `reply` (the text a live split left after taking a reply's inline reasoning out: thinkTags.ts)
 * written as a stretch whose reasoning is empty, so that reading it again (the answer search,
 * `splitInlineReasoning`, `hasLoneThinkClose`) takes all of it as the reply, as the live split
 * did: a `</think>` in it is text, not the end of more reasoning.
 */
export function replyStretch(reply: string): string {
  return `<think></think>\n${reply}`;
}

/**
 * A stretch of model text split into its inline reasoning (the insides of `<think>…</think>`,
 * and the text before a lone `</think>` whose opening tag the chat template wrote) and the reply
 * proper, as the answer search reads it (`withoutThinking`). The streamed text keeps a lone
 * `</think>`'s reasoning as text (it is known to be reasoning only once the tag arrives).
 */
export function splitInlineReasoning(stretch: string): { readonly reasoning: string; readonly reply: string } {
  const masked = maskQuotedThinkTags(stretch);
  const { block, rest } = reasoningBlock(masked);
  const reasoning = block.replace(/^\s*<think>/, '').replace(/<\/think>$/, '');
  return masked === stretch ? { reasoning, reply: rest } : { reasoning: unmasked(reasoning), reply: unmasked(rest) };
}

/**
 * Prose split into what is searched for answers and what inline code spans quote. Quoted lines
 * (`> ...` after up to 3 spaces, as CommonMark opens a blockquote: not after a tab or a Unicode
 * space) are dropped. An inline code span (backticks paired as CommonMark pairs them: `codeSpans`)
 * holding `<<<` or `>>>` is taken out of `text` (a span naming the marker, `` `<<<` ``, pairs with
 * nothing) and its content goes to `spans`, where a literal `<<<…>>>` inside one span is an
 * answer (`` `<<<42>>>` ``: the authors' `<<<(.*?)>>>` reads it; a template is not), placed
 * where the span stood;
 * any other span stays as written, so `<<<`42`>>>` answers `` `42` `` as theirs does.
 * A line inside an answer that an earlier kept line opened (`<<<` not yet closed by `>>>`) is
 * kept even when it starts with `>`: it is the answer (BBH dyck_languages' `> } >` written on
 * its own line), not a quote.
 */
function searchable(prose: string): { readonly text: string; readonly spans: readonly QuotedSpan[] } {
  const kept: string[] = [];
  const spans: QuotedSpan[] = [];
  let open = false;
  let lineStart = 0;
  for (const raw of prose.split('\n')) {
    if (!open && /^ {0,3}>(?!>>)/.test(raw)) continue; // CommonMark's blockquote (spaces only); `>>>` closes a multi-line answer
    let line = '';
    let from = 0;
    for (const span of codeSpans(raw)) {
      const content = raw.slice(span.start + span.fence, span.end - span.fence);
      if (!content.includes('<<<') && !content.includes('>>>')) continue;
      line += `${raw.slice(from, span.start)} `;
      spans.push({ content, at: lineStart + line.length - 1 });
      from = span.end;
    }
    line += raw.slice(from);
    kept.push(line);
    lineStart += line.length + 1;
    open = openAfter(line, open);
  }
  return { text: kept.join('\n'), spans };
}

/**
 * The inline code spans of one line, as CommonMark pairs backticks: a run of n backticks opens a
 * span that the next run of exactly n closes (```` ``<<<a`b>>>`` ```` is one span), and a run that
 * no run of its length follows is text. `start`/`end` bound the span with its backticks; `fence`
 * is n. Linear: each length's runs are searched from where the last search for that length stopped.
 */
function codeSpans(line: string): { readonly start: number; readonly end: number; readonly fence: number }[] {
  if (!line.includes('`')) return [];
  const runs: { readonly at: number; readonly length: number }[] = [];
  for (const m of line.matchAll(/`+/g)) runs.push({ at: m.index, length: m[0].length });
  const byLength = new Map<number, number[]>(); // run length -> indices into runs, in order
  for (const [i, run] of runs.entries()) {
    const list = byLength.get(run.length);
    if (list) list.push(i);
    else byLength.set(run.length, [i]);
  }
  const cursor = new Map<number, number>();
  const spans: { start: number; end: number; fence: number }[] = [];
  for (let i = 0; i < runs.length;) {
    const open = runs[i];
    if (open === undefined) break;
    const same = byLength.get(open.length) ?? [];
    let c = cursor.get(open.length) ?? 0;
    while (c < same.length && (same[c] ?? Infinity) <= i) c++;
    cursor.set(open.length, c);
    const close = same[c];
    const closing = close === undefined ? undefined : runs[close];
    if (close === undefined || closing === undefined) {
      i++;
      continue;
    }
    spans.push({ start: open.at, end: closing.at + closing.length, fence: open.length });
    i = close + 1;
  }
  return spans;
}

/** An inline code span taken out of prose: its content, and where it stood in the searched text (UTF-16 index). */
interface QuotedSpan {
  readonly content: string;
  readonly at: number;
}

/**
 * Whether an answer is still open at the end of `line`, given whether one was open at its start:
 * markers pair as `answerMarkers` pairs them (a `<<<` is closed by the first `>>>` after it).
 */
function openAfter(line: string, openAtStart: boolean): boolean {
  let open = openAtStart;
  let at = 0;
  for (;;) {
    const next = line.indexOf(open ? '>>>' : '<<<', at);
    if (next < 0) return open;
    at = next + 3;
    open = !open;
  }
}

/**
 * The answer of a fenced block that holds nothing but answers (one or more `<<<...>>>`, only
 * whitespace around and between them): the last that is not the instruction's placeholder, read
 * as prose reads markers; null for any other block.
 */
function answerOnly(block: string): string | null {
  const markers = answerMarkers(block);
  let from = 0;
  for (const { index, end } of markers) {
    if (block.slice(from, index).trim() !== '') return null;
    from = end;
  }
  if (markers.length === 0 || block.slice(from).trim() !== '') return null;
  return lastMarkedAt(block)?.inner ?? null;
}

/** True when `inner` has a `{…}` or a `%s`-style field (what `/\{[^}]*\}|%[sdrf]/` tests, in linear time: a run of `{` without `}` made that regex quadratic). */
function hasFormatField(inner: string): boolean {
  const open = inner.indexOf('{');
  return (open >= 0 && inner.includes('}', open)) || /%[sdrf]/.test(inner);
}

/**
 * Replacement fields of a template, alone or among separators (`{x}`, `{}`, `{0}`, `{ans:.2f}`,
 * `{len(r)}`, `{a}, {b}`, `%s`): what a template's marker holds before it is filled in. A brace
 * group that opens with a quote, or with a number followed by more than a format spec, is data (a
 * dict `{"a": 1}`, a set `{1, 2}`), and other text around a group makes it data too (`\frac{1}{2}`,
 * `[{"Agent[0.5, 0.5]": …}]`).
 */
const ONLY_FIELDS = /^[\s,;:|/$-]*(?:(?:\{(?:[A-Za-z_][^{}]*|\d*(?:![rsa])?(?::[^{}]*)?)\}|%[sdrf])[\s,;:|/$-]*)+$/;

/** A string literal of code: its first quote, the index after its closing quote (or where it stops unclosed), and whether its prefix makes it an f-string. */
interface StringLiteral {
  readonly start: number;
  readonly end: number;
  readonly closed: boolean;
  readonly fString: boolean;
}

/**
 * The string literals of `code`, in order, as Python's tokenizer finds them (one pass, linear):
 * a single-quoted or double-quoted string ends at its quote or the line's end, a triple-quoted
 * one may span lines, a backslash escapes the next character, and a `#` outside a string
 * comments out the rest of the line. The prefix (`f`, `rf`, `F`, …) is the letters right before
 * the quote. Any text (a code span, a fence of another language) is read the same way: an
 * apostrophe in words opens a "string" that the line's end closes, which makes no template of
 * a marker in it.
 */
function stringLiterals(code: string): StringLiteral[] {
  const found: StringLiteral[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '#') {
      const newline = code.indexOf('\n', i);
      i = newline < 0 ? code.length : newline;
      continue;
    }
    if (c !== '"' && c !== "'") {
      i++;
      continue;
    }
    const prefix = /(?:^|\W)([A-Za-z]{1,2})$/.exec(code.slice(Math.max(0, i - 3), i))?.[1] ?? '';
    const delimiter = code.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    let j = i + delimiter.length;
    let closed = false;
    while (j < code.length) {
      if (code[j] === '\\') j += 2;
      else if (delimiter.length === 1 && code[j] === '\n') break;
      else if (code.startsWith(delimiter, j)) {
        j += delimiter.length;
        closed = true;
        break;
      } else j++;
    }
    const end = Math.min(j, code.length);
    found.push({ start: i, end, closed, fString: /^[rRbBuU]?[fF][rR]?$/.test(prefix) });
    i = end;
  }
  return found;
}

/**
 * The last `<<<...>>>` of `code` (a code block, an inline code span, a fenced block of text) that
 * is a literal, not a template; null when none is. A template is filled in only when the code
 * runs: a marker with a field in an f-string (`f"<<<{x}>>>"`) or in a string that is formatted
 * (`"<<<{}>>>".format(x)`, `"<<<%s>>>" % x`), one in a string closed inside it and concatenated
 * (`"<<<" + str(x) + ">>>"`, `"<<<", x, ">>>"`), or one holding nothing but fields
 * (`<<<{answer}>>>`, a template kept in a variable). Braces of data are no field:
 * `print('<<<[{"a": 1}]>>>')` and `` `<<<{1, 2}>>>` `` are answers, as the authors'
 * `<<<(.*?)>>>` reads them, and so is a quoted answer (`"<<<"abc">>>"`). The instruction's
 * placeholder is never an answer.
 */
function lastLiteralInCode(code: string): string | null {
  const markers = answerMarkers(code);
  if (markers.length === 0) return null;
  const strings = stringLiterals(code);
  let last: string | null = null;
  let s = 0;
  for (const { index, end, inner } of markers) {
    while (s < strings.length && (strings[s]?.end ?? 0) <= index) s++;
    const around = strings[s];
    const holder = around !== undefined && around.start < index ? around : undefined;
    if (holder !== undefined && isTemplate(code, holder, end, inner)) continue;
    if (ONLY_FIELDS.test(inner) || PLACEHOLDERS.has(inner.trim().toLowerCase())) continue;
    last = inner;
  }
  return last;
}

/**
 * A field of a `str.format` or `%` template (`{}`, `{x}`, `{x.y}`, `{x[0]}`, `{0}`, `{ans:.2f}`,
 * `%s`); a brace group of data is none (`{"a": 1}`, `{1, 2}`, `[{"Agent[0.5, 0.5]": …}]`).
 */
const FORMAT_FIELD = /\{(?:[A-Za-z_][\w.]*(?:\[[^\]{}]*\])*|\d*)(?:![rsa])?(?::[^{}]*)?\}|%[sdrf]/;

/**
 * Whether a marker (its `inner`, its `>>>` ending at `end`) inside the string literal `holder` of
 * `code` is a template (see `lastLiteralInCode`): the string closes inside the marker and an
 * operator or another string follows its quote (`"<<<" + x + ">>>"`, `"<<<", x, ">>>"`,
 * `"<<<" f"{x}" ">>>"`), or the marker holds a field and the string is an f-string, is formatted
 * where it stands, or holds a format field (a template kept in a variable, formatted later).
 */
function isTemplate(code: string, holder: StringLiteral, end: number, inner: string): boolean {
  const after = code.slice(holder.end, holder.end + 64);
  if (holder.closed && holder.end <= end - 3) return /^\s*[+,]|^\s+[rRbBuUfF]{0,2}["']/.test(after);
  if (!hasFormatField(inner)) return false;
  return holder.fString || /^\s*(?:\.\s*format\s*\(|%)/.test(after) || FORMAT_FIELD.test(inner);
}

function lastMarked(text: string): string | null {
  return lastMarkedAt(text)?.inner ?? null;
}

/** The last `<<<…>>>` of `text` that is not the instruction's placeholder, with its UTF-16 index; undefined when there is none. */
function lastMarkedAt(text: string): { readonly inner: string; readonly index: number } | undefined {
  let last: { inner: string; index: number } | undefined;
  for (const { inner, index } of answerMarkers(text)) {
    if (!PLACEHOLDERS.has(inner.trim().toLowerCase())) last = { inner, index };
  }
  return last;
}

export type { AnswerSource } from '../trajectory/trajectory';

/** An answer and the format it was written in. */
export interface FoundAnswer {
  /** The answer, stripped as Python's `str.strip()` strips it (as the benchmarks' own extraction does). */
  readonly answer: string;
  /** `marked`: `<<<…>>>` (prose, an answer-only fence, or a literal in code); `boxed`: `\boxed{…}`. */
  readonly format: 'marked' | 'boxed';
}

/**
 * The strict reading (scoring, `r1ci score`): the last `<<<...>>>` written for the reader (in
 * prose, in an inline code span of prose, in a fenced block that holds only `<<<...>>>`, or a
 * literal one in a fenced block that does not run, the last by position, as the authors'
 * `re.findall(r'<<<(.*?)>>>', reply)[-1]` reads them); else the last literal `<<<...>>>` inside
 * python code. `\boxed{}` is not
 * an answer here. `modelText` is one text or the model's stretches in order (one per model
 * request); each stretch's fences are matched on their own and a later stretch's answer wins.
 * Returns the answer stripped as Python strips it (a byte order mark kept), or null when there is none.
 */
export function extractFinalAnswer(modelText: string | readonly string[]): string | null {
  const found = findFinalAnswer(modelText);
  return found?.format === 'marked' ? found.answer : null;
}

/**
 * The agent's reading: as `extractFinalAnswer`, but when no stretch has a `<<<…>>>` answer, the
 * last `\boxed{…}` in prose is returned with format `boxed`. Null when there is neither.
 */
export function findFinalAnswer(modelText: string | readonly string[]): FoundAnswer | null {
  const stretches = typeof modelText === 'string' ? [modelText] : modelText;
  let marked: string | null = null;
  let boxed: string | null = null;
  for (const stretch of stretches) {
    const found = answerInStretch(withoutThinking(stretch));
    if (found.marked !== null) marked = found.marked;
    if (found.boxed !== null) boxed = found.boxed;
  }
  if (marked !== null) return { answer: pyStrip(marked), format: 'marked' };
  return boxed !== null ? { answer: boxed, format: 'boxed' } : null;
}

function answerInStretch(text: string): { marked: string | null; boxed: string | null } {
  const segments = splitFenced(text);
  // The last answer written for the reader, by position: in prose, in an inline code span of
  // prose (`` `<<<42>>>` ``), a fenced block of nothing but `<<<…>>>`, or a literal one in a
  // fenced block that does not run.
  let written: string | null = null;
  let inCode: string | null = null;
  let boxed: string | null = null;
  for (const s of segments) {
    if (!s.fenced) {
      const clean = searchable(s.text);
      let last = lastMarkedAt(clean.text);
      for (const span of clean.spans) {
        const inner = lastLiteralInCode(span.content);
        if (inner !== null && (last === undefined || span.at > last.index)) last = { inner, index: span.at };
      }
      written = last?.inner ?? written;
      boxed = extractBoxed(clean.text) ?? boxed;
    } else {
      // A block of nothing but answers is written for the reader; so is a literal answer in a
      // block that does not run (bare, text, markdown, output: `Final answer: <<<42>>>`), unless
      // a blockquote holds it. In code that runs, a marker counts only when nothing else answers.
      const only = answerOnly(s.text);
      const literal = lastLiteralInCode(s.text);
      if (only !== null) written = only;
      else if (!s.runs && !s.quoted && literal !== null) written = literal;
      inCode = literal ?? inCode;
    }
  }
  return { marked: written ?? inCode, boxed };
}

/**
 * An answer the code printed (`<<<…>>>` in the last execution's output), for when the model's
 * own text has none; the caller marks it as coming from the code's output.
 */
export function answerInOutput(output: string): string | null {
  const found = lastMarked(output);
  return found === null ? null : pyStrip(found);
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
