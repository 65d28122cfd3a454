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

/** What a tool call was shown before it was invoked: the tier, and whether the user confirmed it. */
export interface PreparedCall {
  readonly tier: IsolationTier;
  /** True when the preview asked for a confirmation (VS Code asked, or the user allows this tool always). */
  readonly confirmed: boolean;
}

/**
 * The calls previewed (VS Code's `prepareInvocation`) and not yet invoked, by their input (code
 * and session id): VS Code hands `invoke` no word of what `prepareInvocation` showed, so the
 * tool keeps it to check, when the cell's sandbox has started, that the cell runs where it was
 * approved to run. A preview that asked is not an approval: the user may have declined it (then
 * no invoke comes and its record stays) or not answered yet (calls at once). So `take` counts a
 * call as confirmed only when every preview of the same input still on record asked, for the
 * same tier. At most `limit` calls are kept (oldest dropped: their invoke is then treated as
 * never confirmed).
 */
export class PreparedCalls {
  private readonly calls = new Map<string, PreparedCall[]>();
  private size = 0;

  constructor(private readonly limit = 64) {}

  /** Records that the call with `code` in `sessionId` was shown for `tier`, with a confirmation or not. */
  record(code: string, sessionId: string | undefined, call: PreparedCall): void {
    const key = callKey(code, sessionId);
    this.calls.set(key, [...(this.calls.get(key) ?? []), call]);
    this.size++;
    while (this.size > this.limit) {
      const oldest = this.calls.keys().next().value;
      if (oldest === undefined) break;
      const left = this.calls.get(oldest)?.slice(1) ?? [];
      if (left.length > 0) this.calls.set(oldest, left);
      else this.calls.delete(oldest);
      this.size--;
    }
  }

  /**
   * Takes out the previews of the call and returns the latest (the one VS Code showed right
   * before this invoke, when calls come one at a time); undefined when there is none. It comes
   * back confirmed only when every preview of the call on record was confirmed for its tier: one
   * left unconfirmed, or for another tier, may be this invoke's own (a declined preview of the
   * same code must not stand in for it). All are taken, so a declined one never blocks a later
   * call; an identical call invoked at once then finds none and is refused where its tier asks.
   */
  take(code: string, sessionId: string | undefined): PreparedCall | undefined {
    const key = callKey(code, sessionId);
    const all = this.calls.get(key) ?? [];
    const latest = all.at(-1);
    if (latest === undefined) return undefined;
    this.calls.delete(key);
    this.size -= all.length;
    return { tier: latest.tier, confirmed: all.every((call) => call.confirmed && call.tier === latest.tier) };
  }
}

function callKey(code: string, sessionId: string | undefined): string {
  return JSON.stringify([code, sessionId ?? null]);
}

/**
 * Whether a call may run on `tier`, the tier its sandbox turned out to have, given what the user
 * was shown (`prepared`; undefined when no preview is on record): undefined to run, else the
 * refusal the caller reads. It refuses when the approval setting asks first on `tier` and the
 * call was not confirmed for it: the tier (or the setting) changed between the preview and the
 * run, e.g. "r1ci.sandbox.isolation" set to basic, so code approved to run isolated without a
 * question would run as the user.
 */
export function tierRefusal(approval: ApprovalSetting, tier: IsolationTier, prepared: PreparedCall | undefined): string | undefined {
  const rule = toolApproval(approval, tier);
  if (rule === 'refuse') return 'Not run: code execution is turned off ("r1ci.sandbox.approval": "never").';
  if (rule === 'run' || (prepared?.confirmed === true && prepared.tier === tier)) return undefined;
  const shown = prepared === undefined ? 'This call was not shown for confirmation' : `This call was shown for the ${prepared.tier} tier${prepared.confirmed ? '' : ' without a confirmation'}`;
  return `Not run: ${shown}, but its sandbox is the ${tier} tier, where "r1ci.sandbox.approval" asks first. Call the tool again to be asked.`;
}
