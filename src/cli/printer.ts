// Human-readable, streaming rendering of agent events on a terminal. Nothing the model or its
// code wrote reaches the terminal raw: controls, escape sequences and bidi overrides are shown
// escaped (terminalText.ts), so a reply or a cell cannot clear the screen or set the title.
import type { AgentEvent } from '../agent/events';
import { codeForDisplay, escapeControls, escapeName, forDisplay } from '../sandbox/terminalText';
import type { ExecResult } from '../sandbox/types';
import type { AnswerSource } from '../agent/finalAnswer';
import { formatBytes } from '../sandbox/format';
import { counted } from '../text/counted';

/** What the final-answer line adds about where the answer came from. */
const ANSWER_NOTE: Record<AnswerSource, string> = {
  model: '',
  'model-boxed': ' (written as \\boxed{}, not <<<…>>>)',
  'code-output': ' (printed by the code)',
  reasoning: ' (written in the reasoning; the reply itself was empty)',
  'reasoning-boxed': ' (written as \\boxed{} in the reasoning, not <<<…>>>; the reply itself was empty)',
};

interface Out {
  write(text: string): void;
}

/**
 * A printer of agent events onto `out`. One choke point: `write` shows every control character
 * of the text it is given escaped (terminalText.ts), and only the printer's own style codes
 * (`style`, an SGR parameter such as '2' or '1;32', when `color`) reach the terminal raw — so no
 * path, present or future, can hand model text, code, ids or messages to the terminal unescaped.
 * `codeRuns` false: the isolation gate said no (isolationGate.ts), so each cell is shown as not
 * run instead of as running with results.
 */
export function createPrinter(out: Out, color: boolean, codeRuns = true): (event: AgentEvent) => void {
  let atLineStart = true;
  const totals = { modelMs: 0, codeMs: 0, promptTokens: 0, outputTokens: 0, turns: 0, tokenTurns: 0 };
  const write = (text: string, style?: string): void => {
    if (text.length === 0) return;
    const shown = escapeControls(text);
    out.write(color && style ? `\x1b[${style}m${shown}\x1b[0m` : shown);
    atLineStart = text.endsWith('\n');
  };
  const line = (text: string, style?: string): void => {
    if (!atLineStart) write('\n');
    write(text, style);
    write('\n');
  };
  // Reasoning streams dimmed, each line behind a bar, under a "thinking" header: a terminal
  // cannot fold it, so it is set apart instead (--json keeps it per turn as `reasoning`).
  let thinking = false;
  /** Nothing of this box's reasoning shown yet: its leading newlines (DeepSeek-R1's `<think>\n`) are dropped. */
  let thinkingEmpty = false;
  /** The last reasoning chunk ended with a CR: held back until the next event says whether a LF follows (as for tokens). */
  let heldReasonCR = false;
  const reason = (raw: string): void => {
    if (!thinking) {
      line('┌ thinking', '2');
      thinking = true;
      thinkingEmpty = true;
    }
    let text = `${heldReasonCR ? '\r' : ''}${raw}`;
    heldReasonCR = text.endsWith('\r');
    text = (heldReasonCR ? text.slice(0, -1) : text).replace(/\r\n/g, '\n');
    if (thinkingEmpty) text = text.replace(/^\n+/, '');
    if (text.length > 0) thinkingEmpty = false;
    text.split('\n').forEach((piece, i) => {
      if (i > 0) write('\n');
      if (piece.length > 0) write(`${atLineStart ? '│ ' : ''}${piece}`, '2');
    });
  };
  /** The last token ended with a CR: held back until the next one says whether a LF follows. */
  let heldCR = false;
  return (event) => {
    if (heldCR && event.type !== 'token') {
      write('\r');
      heldCR = false;
    }
    if (heldReasonCR && event.type !== 'reasoning') {
      write('\r', '2');
      heldReasonCR = false;
    }
    if (thinking && event.type !== 'reasoning') {
      line('└', '2');
      thinking = false;
    }
    switch (event.type) {
      case 'reasoning':
        reason(event.text);
        break;
      case 'start':
        line(`model ${event.model} · up to ${event.maxCodeCalls} code calls`, '2');
        break;
      case 'token': {
        // A CRLF is a line end (also split between two chunks); any other CR is shown escaped.
        const text = `${heldCR ? '\r' : ''}${event.text}`;
        heldCR = text.endsWith('\r');
        write((heldCR ? text.slice(0, -1) : text).replace(/\r\n/g, '\n'));
        break;
      }
      case 'exec-start':
        line(codeRuns ? `── running code cell ${event.index + 1} ──` : `── code cell ${event.index + 1}: not run (no isolation available) ──`, '36');
        break;
      case 'exec-result':
        if (!codeRuns) break; // nothing ran: the header said so
        totals.codeMs += event.result.durationMs;
        line(`Code Execution Results (${describeStatus(event.result)}):`, '36');
        if (event.result.stdout) line(forDisplay(event.result.stdout).trimEnd());
        if (event.result.stderr) line(forDisplay(event.result.stderr).trimEnd(), '31');
        // The files the cell wrote: the scratch folder goes when the command ends (--keep-artifacts keeps copies).
        for (const a of event.result.artifacts) line(`file: ${escapeName(a.name)} (${formatBytes(a.sizeBytes)}${a.notCopied ? `, no copy: ${a.notCopied}` : ''})`, '36');
        line('──', '36');
        break;
      case 'error':
        line(`error: ${event.message}`, '31');
        break;
      case 'warning':
        line(`warning: ${event.message}`, '33');
        break;
      case 'turn-end':
        totals.turns++;
        totals.modelMs += event.stats.modelMs;
        totals.promptTokens += event.stats.promptTokens ?? 0;
        totals.outputTokens += event.stats.outputTokens ?? 0;
        if (event.stats.promptTokens !== undefined || event.stats.outputTokens !== undefined) totals.tokenTurns++;
        break;
      case 'done':
        if (totals.turns > 0) line(summary(totals), '2');
        if (event.answer !== null) line(`Final answer: ${event.answer}${ANSWER_NOTE[event.answerSource ?? 'model']}`, '1;32');
        else if (event.reason === 'cancelled') line('Cancelled.', '33');
        else if (event.reason !== 'error') line(`No final answer: ${event.message ? asClause(event.message) : 'the model gave no <<<answer>>>.'}`, '33');
        break;
      case 'code':
        // Code that is not in the streamed text (a tool call, a block from the reasoning) is shown here.
        if (event.source === 'tool-call' || event.source === 'reasoning') {
          line(`── python ${event.source === 'tool-call' ? 'tool call' : 'from the reasoning'} ──`, '36');
          // Python's lines (a lone CR ends one), invisible characters shown escaped.
          line(codeForDisplay(event.code));
        }
        break;
      case 'turn-start':
        break;
    }
  };
}

export function describeStatus(result: ExecResult): string {
  const seconds = `${(result.durationMs / 1000).toFixed(2)} s`;
  if (result.killMessage) return `${result.killMessage}, ${seconds}`;
  if (result.timedOut) return `timed out, ${seconds}`;
  return `exit ${String(result.exitCode)}, ${seconds}`;
}

function summary(t: { modelMs: number; codeMs: number; promptTokens: number; outputTokens: number; turns: number; tokenTurns: number }): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  // A server that reports no usage is not one that used no tokens, and a sum over some of the
  // turns (a turn cut at its code block ends before the server reports) is not the total.
  const counts = `${t.promptTokens} tokens in, ${t.outputTokens} out`;
  const tokens = t.tokenTurns === 0 ? 'tokens not reported' : t.tokenTurns === t.turns ? counts : `${counts} in the ${counted(t.tokenTurns, 'turn')} that reported them`;
  return `${counted(t.turns, 'model turn')}: model ${s(t.modelMs)} (${tokens}), code ${s(t.codeMs)}`;
}

/** A sentence ("The code-call budget (1) is used up.") as the clause after "No final answer: ". */
function asClause(sentence: string): string {
  const clause = /^[A-Z][a-z]/.test(sentence) ? `${sentence[0]?.toLowerCase() ?? ''}${sentence.slice(1)}` : sentence;
  return /[.!?]$/.test(clause) ? clause : `${clause}.`;
}
