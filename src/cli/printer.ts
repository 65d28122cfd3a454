// Human-readable, streaming rendering of agent events on a terminal. Nothing the model or its
// code wrote reaches the terminal raw: controls, escape sequences and bidi overrides are shown
// escaped (terminalText.ts), so a reply or a cell cannot clear the screen or set the title.
import type { AgentEvent } from '../agent/events';
import { escapeControls, forDisplay } from '../sandbox/terminalText';
import type { ExecResult } from '../sandbox/types';
import type { AnswerSource } from '../agent/finalAnswer';

/** What the final-answer line adds about where the answer came from. */
const ANSWER_NOTE: Record<AnswerSource, string> = {
  model: '',
  'model-boxed': ' (written as \\boxed{}, not <<<…>>>)',
  'code-output': ' (printed by the code)',
};

interface Out {
  write(text: string): void;
}

export function createPrinter(out: Out, color: boolean): (event: AgentEvent) => void {
  const paint = (code: string, text: string): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  let atLineStart = true;
  const totals = { modelMs: 0, codeMs: 0, promptTokens: 0, outputTokens: 0, turns: 0 };
  const write = (text: string): void => {
    if (text.length === 0) return;
    out.write(text);
    atLineStart = text.endsWith('\n');
  };
  const line = (text: string): void => {
    if (!atLineStart) write('\n');
    write(`${text}\n`);
  };
  // Reasoning streams dimmed, each line behind a bar, under a "thinking" header: a terminal
  // cannot fold it, so it is set apart instead (--json keeps it per turn as `reasoning`).
  let thinking = false;
  const reason = (text: string): void => {
    if (!thinking) {
      line(paint('2', '┌ thinking'));
      thinking = true;
    }
    text.split('\n').forEach((piece, i) => {
      if (i > 0) write('\n');
      if (piece.length > 0) write(`${atLineStart ? paint('2', '│ ') : ''}${paint('2', piece)}`);
    });
  };
  return (event) => {
    if (thinking && event.type !== 'reasoning') {
      line(paint('2', '└'));
      thinking = false;
    }
    switch (event.type) {
      case 'reasoning':
        reason(event.text);
        break;
      case 'start':
        line(paint('2', `model ${event.model} · up to ${event.maxCodeCalls} code calls`));
        break;
      case 'token':
        // A CRLF inside one chunk is a line end; any other CR is shown escaped.
        write(escapeControls(event.text.replace(/\r\n/g, '\n')));
        break;
      case 'exec-start':
        line(paint('36', `── running code cell ${event.index + 1} ──`));
        break;
      case 'exec-result':
        totals.codeMs += event.result.durationMs;
        line(paint('36', `Code Execution Results (${describeStatus(event.result)}):`));
        if (event.result.stdout) line(forDisplay(event.result.stdout).replace(/\s+$/, ''));
        if (event.result.stderr) line(paint('31', forDisplay(event.result.stderr).replace(/\s+$/, '')));
        line(paint('36', '──'));
        break;
      case 'error':
        line(paint('31', `error: ${escapeControls(event.message)}`));
        break;
      case 'warning':
        line(paint('33', `warning: ${escapeControls(event.message)}`));
        break;
      case 'turn-end':
        totals.turns++;
        totals.modelMs += event.stats.modelMs;
        totals.promptTokens += event.stats.promptTokens ?? 0;
        totals.outputTokens += event.stats.outputTokens ?? 0;
        break;
      case 'done':
        if (totals.turns > 0) line(paint('2', summary(totals)));
        if (event.answer !== null) line(paint('1;32', `Final answer: ${escapeControls(event.answer)}${ANSWER_NOTE[event.answerSource ?? 'model']}`));
        else if (event.reason === 'cancelled') line(paint('33', 'Cancelled.'));
        else if (event.reason !== 'error') line(paint('33', `No final answer (${escapeControls(event.message ?? 'the model gave no <<<answer>>>')}).`));
        break;
      case 'code':
        // Code that is not in the streamed text (a tool call, a block from the reasoning) is shown here.
        if (event.source === 'tool-call' || event.source === 'reasoning') {
          line(paint('36', `── python ${event.source === 'tool-call' ? 'tool call' : 'from the reasoning'} ──`));
          line(event.code);
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

function summary(t: { modelMs: number; codeMs: number; promptTokens: number; outputTokens: number; turns: number }): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return `${t.turns} model turn(s): model ${s(t.modelMs)} (${t.promptTokens} tokens in, ${t.outputTokens} out), code ${s(t.codeMs)}`;
}
