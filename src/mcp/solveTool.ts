// The MCP `solve` tool: our own agent (the same runAgent as `r1ci solve`) answers a question with
// the configured model and protocol, in a sandbox of its own, and the caller gets the final
// answer and the code it ran.
import { runAgent } from '../agent/runAgent';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { collectTrajectory } from '../agent/trajectory';
import type { Trajectory } from '../trajectory/trajectory';
import type { SessionSandboxFactory } from '../codeTool/sessionRegistry';
import { cellStatus } from '../codeTool/cellReport';
import type { IsolationTier } from '../sandbox';

export interface SolveOutcome {
  readonly trajectory: Trajectory;
  readonly tier: IsolationTier;
  readonly tierNote: string;
}

/**
 * Runs the agent on `question` in a fresh sandbox (disposed after).
 * @throws what the sandbox factory throws (e.g. the tier is refused); model errors end up in `trajectory.error`.
 */
export async function solveWithAgent(question: string, settings: ModelRunSettings, createSandbox: SessionSandboxFactory, signal: AbortSignal): Promise<SolveOutcome> {
  const sandbox = await createSandbox(signal);
  try {
    const trajectory = await collectTrajectory(runAgent(question, { ...settings, runner: sandbox.runner, signal }));
    return { trajectory, tier: sandbox.runner.tier, tierNote: sandbox.runner.tierNote };
  } finally {
    await sandbox.runner.dispose();
    await sandbox.release?.().catch(() => undefined);
  }
}

/** The text an MCP client gets back: the answer (or why there is none), the tier, then each cell's code and status. */
export function formatSolveReport({ trajectory: t, tier, tierNote }: SolveOutcome): string {
  const answer = t.answer !== null ? t.answer : t.error !== undefined ? `none (${t.error})` : t.reason === 'budget' ? 'none (code-call budget used up)' : `none (${t.reason})`;
  const cells = t.turns.flatMap((turn) => (turn.cell ? [turn.cell] : []));
  const lines = [`answer: ${answer}`, `model: ${t.model}`, `tier: ${tier} (${tierNote})`, `code cells: ${cells.length}`];
  for (const cell of cells) {
    lines.push(`--- cell ${cell.index + 1}: ${cell.result ? cellStatus(cell.result) : 'not run'} ---`, '```python', cell.code.replace(/\n$/, ''), '```');
  }
  return lines.join('\n');
}
