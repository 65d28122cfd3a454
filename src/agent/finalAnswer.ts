// The final answer is the content of the last <<<...>>> the model wrote (the R1-CI format).
//
// Where it is written matters: `print(f"<<<{x}>>>")` inside code is usually a template, so an
// answer written for the reader wins: in prose, in an inline code span of prose
// (`` `<<<42>>>` ``) or as a fenced block holding nothing but an answer (small models do that),
// the last of them by position, as the benchmark authors read the last `<<<(.*?)>>>` of the
// whole reply (CodeSteer's `re.findall(...)[-1]`). Only when none exists does a literal marker
// inside code count: a reply whose code prints `<<<3>>>` is answered that way in their harness.
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
    if (current.length > 0) segments.push({ text: current.join('\n'), fenced });
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
 * space) are dropped. An inline code span holding `<<<` or `>>>` is taken out of `text` (a span
 * naming the marker, `` `<<<` ``, pairs with nothing) and its content goes to `spans`, where a
 * whole `<<<…>>>` inside one span is an answer (`` `<<<42>>>` ``: the authors' `<<<(.*?)>>>` reads it), placed
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
    let shrunk = 0; // characters the spans taken out so far on this line removed
    const line = raw.replace(/`[^`\n]*`/g, (span: string, offset: number) => {
      if (!span.includes('<<<') && !span.includes('>>>')) return span;
      spans.push({ content: span.slice(1, -1), at: lineStart + offset - shrunk });
      shrunk += span.length - 1;
      return ' ';
    });
    kept.push(line);
    lineStart += line.length + 1;
    open = openAfter(line, open);
  }
  return { text: kept.join('\n'), spans };
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
 * The answer of a fenced block that holds nothing but one `<<<...>>>` (whitespace around it), its
 * marker read as prose reads markers; null for any other block.
 */
function answerOnly(block: string): string | null {
  const markers = answerMarkers(block);
  const only = markers.length === 1 ? markers[0] : undefined;
  if (only === undefined || block.slice(0, only.index).trim() !== '' || block.slice(only.end).trim() !== '') return null;
  return only.inner;
}

/** True when `inner` has a `{…}` or a `%s`-style field (what `/\{[^}]*\}|%[sdrf]/` tests, in linear time: a run of `{` without `}` made that regex quadratic). */
function hasFormatField(inner: string): boolean {
  const open = inner.indexOf('{');
  return (open >= 0 && inner.includes('}', open)) || /%[sdrf]/.test(inner);
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
 * prose, in an inline code span of prose, or as a fenced block that holds only `<<<...>>>`, the
 * last by position, as the authors' `re.findall(r'<<<(.*?)>>>', reply)[-1]` reads them); else the
 * last literal `<<<...>>>` inside code. `\boxed{}` is not
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
  // prose (`` `<<<42>>>` ``), or a fenced block of nothing but `<<<…>>>`.
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
      const only = answerOnly(s.text);
      if (only !== null && !PLACEHOLDERS.has(only.trim().toLowerCase())) written = only;
      inCode = lastLiteralInCode(s.text) ?? inCode;
    }
  }
  return { marked: written ?? inCode, boxed };
}

/**
 * The last `<<<...>>>` in code that is a literal, not a template: markers in an f-string
 * (`f"<<<{x}>>>"`) or holding a format placeholder (`{}`, `%s`) are filled in only when the
 * code runs, so they are not an answer.
 */
function lastLiteralInCode(code: string): string | null {
  let last: string | null = null;
  for (const { index, inner } of answerMarkers(code)) {
    const before = code.slice(Math.max(0, index - 2), index);
    // `"<<<" + str(x) + ">>>"`: the string that opens the marker closes inside it, so what lies
    // between is code, not a literal answer.
    const quote = /["']$/.exec(before)?.[0];
    const splitString = quote !== undefined && inner.includes(quote);
    if (/[fF]["']$/.test(before) || splitString || hasFormatField(inner) || PLACEHOLDERS.has(inner.trim().toLowerCase())) continue;
    last = inner;
  }
  return last;
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
