// The one result shape both tools give back for a cell — the VS Code language-model tool and the
// MCP server's run_python: status, tier, session, duration, artifacts, then stdout and stderr.
// Agents read it as text, so every field is labelled and the streams are fenced.
import type { ExecResult } from '../sandbox';
import { escapeName, forModel } from '../sandbox/terminalText';
import type { SessionCellRun } from './sessionRegistry';

/** "ok", "error (exit code 1)", "timed out after 2 s", "stopped: MemoryError at the memory limit (2 GiB); variables are kept", "cancelled". */
export function cellStatus(result: ExecResult): string {
  if (result.killMessage) return result.killMessage;
  if (result.killed === 'cancelled') return 'cancelled';
  if (result.timedOut) return 'timed out';
  if (result.exitCode === 0) return 'ok';
  return result.exitCode === null ? 'error (killed by a signal)' : `error (exit code ${result.exitCode})`;
}

/** True when the cell did not finish on its own with exit code 0 (tools mark the result as an error). */
export function cellFailed(result: ExecResult): boolean {
  return result.exitCode !== 0 || result.killed !== undefined || result.timedOut;
}

/** Milliseconds as "12 ms" below a second, else "1.5 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The text result of one cell: labelled header lines, then the fenced output streams. */
export function formatCellReport(run: SessionCellRun): string {
  const r = run.result;
  const lines = [
    `status: ${cellStatus(r)}`,
    `tier: ${run.tier} (${run.tierNote})`,
    `session: ${run.sessionId === null ? 'none (a fresh interpreter, discarded after this cell; pass a session id to keep variables)' : `${run.sessionId}${run.newSession ? ' (new: no earlier variables)' : ''}`}`,
    `duration: ${formatDuration(r.durationMs)}`,
  ];
  if (r.notice) lines.push(`notice: ${r.notice}`);
  if (r.artifacts.length > 0) lines.push(`artifacts: ${r.artifacts.map((a) => `${escapeName(a.name)} (${a.mimeType}, ${a.sizeBytes} bytes${a.notCopied ? `, not copied: ${a.notCopied}` : ''})`).join(', ')}`);
  if (r.truncated) lines.push('output: truncated to the sandbox output limit');
  // Agents are models: they read output as a terminal would leave it (terminalText.ts).
  lines.push(`stdout:\n${fence(forModel(r.stdout))}`);
  lines.push(`stderr:\n${fence(forModel(r.stderr))}`);
  return lines.join('\n');
}

/** `text` in a Markdown fence long enough that the text cannot close it (model output is hostile). */
export function fence(text: string, language = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return `${marks}${language}\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${marks}`;
}
