// Shows a stored evaluation result (a failure, usually) in a solve panel: its turns, code cells
// and their outputs are replayed as the view events a live solve would have produced. Nothing
// is re-run; the panel is a read-only record.
import * as vscode from 'vscode';
import type { ResultRecord } from '../../eval/results';
import { stopReasonSchema } from '../../trajectory/trajectory';
import type { SessionInfo, ViewEvent } from '../conversation/transcriptProtocol';
import { SolvePanel } from '../solve/solvePanel';
import { truncate } from '../conversation/conversationSession';
import type { Log } from '../shared/log';

const FENCE = /```[\w-]*\s*\n/g;

/** The view events of a stored result, in the order a live run emits them. */
export function replayEvents(result: ResultRecord): ViewEvent[] {
  const events: ViewEvent[] = [{ type: 'question', text: result.question, model: result.model }];
  let cell = 0;
  (result.steps ?? []).forEach((step, turn) => {
    events.push({ type: 'turn-start', turn });
    if (step.reasoning) events.push({ type: 'reasoning', turn, text: step.reasoning });
    if (step.text.length > 0) events.push({ type: 'token', turn, text: step.text });
    if (step.code !== undefined) {
      // The block is the last fenced block of the turn (generation stops at its closing fence);
      // code from a tool call or the reasoning follows the whole text.
      const starts = [...step.text.matchAll(FENCE)].map((m) => m.index ?? 0);
      const fromText = step.codeSource === undefined || step.codeSource === 'text';
      const offsetInTurn = !fromText ? step.text.length : starts.length >= 2 ? (starts[starts.length - 2] ?? 0) : (starts[0] ?? 0);
      events.push({ type: 'code', index: cell, turn, language: step.language ?? 'python', code: step.code, offsetInTurn, ...(fromText ? {} : { source: step.codeSource }) });
      if (step.output) {
        events.push({
          type: 'exec-result',
          index: cell,
          result: { ...step.output, artifacts: [] },
        });
      }
      cell++;
    }
    events.push({ type: 'turn-end', turn, stats: { modelMs: 0 } });
  });
  if (result.error !== undefined) events.push({ type: 'error', message: result.error });
  events.push({ type: 'notice', message: `Stored result: ${result.correct ? 'correct' : 'wrong'}. ${result.reason}${result.expected !== undefined ? ` — expected ${truncate(result.expected, 200)}` : ''}` });
  // A result from before stop reasons were stored (or with an unknown one) ends by its answer.
  const reason = stopReasonSchema.safeParse(result.stopReason);
  events.push({
    type: 'done',
    reason: reason.success ? reason.data : result.answer !== null ? 'answer' : 'no-answer',
    answer: result.answer,
    ...(result.answerSource ? { answerSource: result.answerSource } : {}),
    codeCalls: result.codeCalls,
    turns: result.turns,
  });
  return events;
}

/** The tier shown for a stored result: the one recorded with it (never a guess). */
export function replayTier(result: ResultRecord): Pick<SessionInfo, 'tier' | 'tierNote'> {
  if (result.textOnly) return { tier: 'off', tierNote: 'Text-only run: no code was executed.' };
  if (result.tier) return { tier: result.tier, tierNote: `Replayed from a results file: the code ran on the ${result.tier} tier when it was evaluated; nothing is re-run.` };
  return { tier: 'unrecorded', tierNote: 'Replayed from a results file written before the tier was recorded; nothing is re-run.' };
}

/** Opens a panel replaying `result`; resolves with the events shown (tests read them). */
export function showStoredResult(context: vscode.ExtensionContext, log: Log, result: ResultRecord): { panel: SolvePanel; events: ViewEvent[] } {
  const panel = new SolvePanel(context.extensionUri, `${result.correct ? 'Correct' : 'Wrong'}: ${result.id}`, [], log);
  panel.showSession({ question: result.question, model: result.model, maxCodeCalls: result.codeCalls, ...replayTier(result) });
  const events = replayEvents(result);
  for (const e of events) panel.push(e);
  panel.flush();
  return { panel, events };
}
