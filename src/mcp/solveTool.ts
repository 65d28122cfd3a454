// The MCP `solve` tool: our own agent (the same runAgent as `r1ci solve`) answers a question with
// the configured model and protocol, in a sandbox of its own, and the caller gets the final
// answer and the code it ran.
import { runAgent } from '../agent/runAgent';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { collectTrajectory } from '../agent/trajectory';
import type { AgentEvent } from '../agent/events';
import type { Trajectory } from '../trajectory/trajectory';
import type { SessionRegistry } from '../codeTool/sessionRegistry';
import { cellStatus, fence } from '../codeTool/cellReport';
import { codeForDisplay, escapeName } from '../sandbox/terminalText';
import type { IsolationTier } from '../sandbox';

export interface SolveOutcome {
  readonly trajectory: Trajectory;
  readonly tier: IsolationTier;
  readonly tierNote: string;
}

/**
 * Runs the agent on `question` in a fresh sandbox lent by `registry` (disposed after): it counts
 * against the server's `--max-sessions` with the sessions and one-off cells, so solve calls at
 * once never start sandboxes past it.
 * @throws SessionError when every sandbox is busy or the server is shutting down; what the sandbox
 * factory throws (e.g. the tier is refused). Model errors end up in `trajectory.error`.
 * `onProgress` hears each step as it starts or ends (solveStep).
 */
export function solveWithAgent(question: string, settings: ModelRunSettings, registry: Pick<SessionRegistry, 'withSandbox'>, signal: AbortSignal, onProgress?: (message: string) => void): Promise<SolveOutcome> {
  return registry.withSandbox(async (runner, joined) => {
    const trajectory = await collectTrajectory(runAgent(question, { ...settings, runner, signal: joined }), (event) => {
      const step = onProgress && solveStep(event);
      if (step) onProgress(step);
    });
    return { trajectory, tier: runner.tier, tierNote: runner.tierNote };
  }, signal);
}

/**
 * The steps of a solve an MCP client is told of as progress (`notifications/progress` messages):
 * each model turn and each code cell, numbered from 1 (`model turn 2`, `running code cell 1`,
 * `code cell 1: ok`). Counts and the host's cell status only: none of the model's text.
 * @returns undefined for the events that are no step (tokens, reasoning, warnings, the end).
 */
export function solveStep(event: AgentEvent): string | undefined {
  if (event.type === 'turn-start') return `model turn ${event.turn + 1}`;
  if (event.type === 'exec-start') return `running code cell ${event.index + 1}`;
  if (event.type === 'exec-result') return `code cell ${event.index + 1}: ${cellStatus(event.result)}`;
  return undefined;
}

/**
 * The text an MCP client gets back: the answer (or why there is none), the tier, then each cell's
 * code and status. The answer and the code are the model's (hostile): the answer stays on its line
 * (line ends, controls and invisible characters escaped, as a name is: escapeName) and each cell's
 * code is in a fence it cannot close, as codeForDisplay shows it (a `\r` is a line end to
 * Markdown and to Python alike), so neither can add labelled lines ("tier:", "--- cell") of its own.
 */
export function formatSolveReport({ trajectory: t, tier, tierNote }: SolveOutcome): string {
  const answer = t.answer !== null ? escapeName(t.answer) : t.error !== undefined ? `none (${escapeName(t.error)})` : t.reason === 'budget' ? 'none (code-call budget used up)' : `none (${t.reason})`;
  const cells = t.turns.flatMap((turn) => (turn.cell ? [turn.cell] : []));
  const lines = [`answer: ${answer}`, `model: ${t.model}`, `tier: ${tier} (${tierNote})`, `code cells: ${cells.length}`];
  for (const cell of cells) {
    lines.push(`--- cell ${cell.index + 1}: ${cell.result ? cellStatus(cell.result) : 'not run'} ---`, fence(codeForDisplay(cell.code).replace(/\n$/, ''), 'python'));
  }
  return lines.join('\n');
}
