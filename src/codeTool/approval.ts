// Whether a cell an outside agent asked for runs, asks first, or is refused — the same rule as
// for our own agent's code ("r1ci.sandbox.approval": default = run without asking on the
// isolated tier, ask on the basic tier).
import type { IsolationTier } from '../sandbox';
import { fence } from './cellReport';
import { codeForDisplay, escapeControls } from '../sandbox/terminalText';

export type ApprovalSetting = 'default' | 'auto' | 'ask' | 'never';

/** `run`: no confirmation; `ask`: the user confirms first; `refuse`: code execution is turned off. */
export function toolApproval(approval: ApprovalSetting, tier: IsolationTier): 'run' | 'ask' | 'refuse' {
  if (approval === 'never') return 'refuse';
  if (approval === 'ask' || (approval === 'default' && tier !== 'isolated')) return 'ask';
  return 'run';
}

/** What the user sees before a tool call runs: the code and where it runs, and whether they must confirm. */
export interface InvocationPreview {
  /** Markdown: the tier (and session), the tier's note, then the code as codeForDisplay shows it (Python's lines; controls, bidi overrides and invisible characters escaped). */
  readonly markdown: string;
  /** Set when the user must confirm first (the confirmation's title). */
  readonly confirmTitle?: string;
  /** One line for the chat while the call runs. */
  readonly runningLine: string;
}

/** The preview of running `code` on `tier` (in `sessionId`, when given) under the approval setting. */
export function invocationPreview(code: string, sessionId: string | undefined, tier: IsolationTier, tierNote: string, approval: ApprovalSetting): InvocationPreview {
  const where = `${tier} tier${sessionId ? `, session \`${sessionId}\`` : ''}`;
  // Python's own lines, controls, bidi overrides and invisible characters shown escaped: the code the user approves reads as the code that runs ("Trojan Source").
  const markdown = `Sandbox: **${where}** — ${markdownText(tierNote)}\n\n${fence(codeForDisplay(code), 'python')}`;
  const runningLine = `Running Python in the sandbox (${where})`;
  return toolApproval(approval, tier) === 'ask' ? { markdown, runningLine, confirmTitle: `Run this Python in the ${tier} sandbox?` } : { markdown, runningLine };
}

/**
 * The tier's note as Markdown text: it may quote a probe's output (the interpreter's first line),
 * so no link, image or HTML may form from it: `\\`, `[`, `]`, `<` and `>` backslash-escaped (code
 * spans such as an install command stay), controls and bidi overrides shown escaped.
 */
function markdownText(text: string): string {
  return escapeControls(text).replace(/[\\[\]<>]/g, '\\$&');
}
