// Turns a solved question (a Trajectory) into the plan of a notebook: the question and the
// model's reasoning as markdown, each code block as a code cell with the result it really
// produced, and the final answer. No `vscode` here, so the layout is unit-tested on its own.
import type { Trajectory } from '../trajectory/trajectory';
import type { ExecResult } from '../sandbox/types';
import { escapeControls } from '../sandbox/terminalText';
import { notebookMarkdown } from './notebookMarkdown';
import { trimTrailing } from '../text/trimTrailing';

export type SolutionCell =
  | { readonly kind: 'markdown'; readonly source: string; readonly role: 'question' | 'reasoning' | 'answer' }
  | {
      readonly kind: 'code';
      readonly source: string;
      readonly language: string;
      /** 1-based, in the order the cells ran during the solve. */
      readonly executionOrder: number;
      /** Absent when the code was not run (declined, cancelled before it started). */
      readonly result?: ExecResult;
    };

export function solutionCells(trajectory: Trajectory): SolutionCell[] {
  const cells: SolutionCell[] = [{ kind: 'markdown', role: 'question', source: questionMarkdown(trajectory) }];
  let order = 0;
  for (const turn of trajectory.turns) {
    pushThinking(cells, turn.reasoning);
    const cell = turn.cell;
    if (!cell) {
      pushReasoning(cells, turn.text, trajectory.answer);
      continue;
    }
    // Code from a tool call or from the reasoning is not in the turn's text: the cell follows all of it.
    const fence = cell.source === 'tool-call' || cell.source === 'reasoning' ? turn.text.length : openingFenceOffset(turn.text, cell.code);
    pushReasoning(cells, turn.text.slice(0, fence), trajectory.answer);
    order += 1;
    cells.push({
      kind: 'code',
      source: trimTrailing(cell.code, '\n'),
      language: notebookLanguage(cell.language),
      executionOrder: order,
      ...(cell.result ? { result: cell.result } : {}),
    });
  }
  cells.push({ kind: 'markdown', role: 'answer', source: answerMarkdown(trajectory) });
  return cells;
}

function questionMarkdown(t: Trajectory): string {
  const calls = t.codeCalls === 1 ? '1 code call' : `${t.codeCalls} code calls`;
  return `## Question\n\n${notebookMarkdown(t.question.trim())}\n\n*Solved by ${codeSpan(t.model)} with R1 Code Interpreter (${calls}).*`;
}

function answerMarkdown(t: Trajectory): string {
  if (t.answer !== null) return `## Answer\n\n**${escapeMarkdown(t.answer)}**`;
  const why: Record<Trajectory['reason'], string> = {
    answer: 'The model gave no final answer.',
    'no-answer': 'The model stopped without a final answer.',
    budget: 'The code-call budget ran out before the model gave a final answer.',
    cancelled: 'The solve was cancelled before the model gave a final answer.',
    error: `The solve failed${t.error ? `: ${t.error}` : '.'}`,
    running: 'The solve had not finished when it was inserted.',
  };
  return `## Answer\n\n*${escapeMarkdown(why[t.reason])}*`;
}

/** The model's reasoning channel, folded as in the views (HTML in it stays text, math renders). */
function pushThinking(cells: SolutionCell[], reasoning: string | undefined): void {
  const source = notebookMarkdown((reasoning ?? '').trim());
  if (source) cells.push({ kind: 'markdown', role: 'reasoning', source: `<details><summary>Reasoning</summary>\n\n${source}\n\n</details>` });
}

/** The model's text; its `<<<answer>>>` marker is left out, the answer cell shows the answer once. */
function pushReasoning(cells: SolutionCell[], text: string, answer: string | null): void {
  const source = notebookMarkdown(text, answer).trim();
  if (source) cells.push({ kind: 'markdown', role: 'reasoning', source });
}

/**
 * Where the code block's opening fence starts in the turn's text. The turn ends with the
 * block's closing fence, so the opening fence is the last one before the code itself.
 */
export function openingFenceOffset(text: string, code: string): number {
  const trimmedCode = trimTrailing(code, '\n');
  const codeAt = trimmedCode ? text.lastIndexOf(trimmedCode) : -1;
  if (codeAt >= 0) {
    const fence = text.lastIndexOf('```', codeAt);
    if (fence >= 0) return lineStart(text, fence);
  }
  // Fallback: skip the closing fence at the end, take the fence before it.
  const closing = text.trimEnd().lastIndexOf('```');
  const opening = closing > 0 ? text.lastIndexOf('```', closing - 1) : -1;
  return opening >= 0 ? lineStart(text, opening) : text.length;
}

/** Fences may be indented; cut the reasoning before the indentation too. */
function lineStart(text: string, index: number): number {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  return /^[ \t]*$/.test(text.slice(start, index)) ? start : index;
}

/** Models write ```py or ```python3; the notebook knows one language id. */
function notebookLanguage(language: string): string {
  return /^(py|python\d?|)$/i.test(language.trim()) ? 'python' : language.trim().toLowerCase();
}

/**
 * `text` as a Markdown code span (a server's model name, or a workspace's "r1ci.model"): delimited
 * by a longer backtick run than any inside, so it cannot close early, and on one line (a code span
 * shows a line break as a space anyway), so no blank line ends it and starts a paragraph of its own.
 */
function codeSpan(raw: string): string {
  const text = escapeControls(raw).replace(/\n/g, ' ');
  const ticks = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return /^`|`$/.test(text) ? `${ticks} ${text} ${ticks}` : `${ticks}${text}${ticks}`;
}

/** `text` shown as typed in Markdown: its punctuation escaped, its controls and bidi overrides shown escaped (`\u202e`). */
function escapeMarkdown(text: string): string {
  return escapeControls(text).replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
