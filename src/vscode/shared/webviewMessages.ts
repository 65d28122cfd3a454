// The one path every message from a webview page takes before anyone acts on it (solve panel,
// side-bar chat, results view; WebviewHost calls it): parsed with the view's zod schema, and a
// message that does not fit is logged to the output channel once, in one line saying what was
// wrong, then dropped. The page's script is ours, so a malformed message is a bug (or a page
// that was tampered with) worth seeing, never a silent no-op. The line quotes what the page
// sent (its type, the issues' paths): escaped and capped, so it cannot forge log lines or flood
// the channel. Pure (no `vscode` import): unit-tested.
import type { z } from 'zod';
import { escapeName } from '../../sandbox/terminalText';

/** Longest log line about one malformed message, in characters (before the channel's own escaping). */
export const MALFORMED_LINE_CAP = 400;

/** Schema issues named in that line; more are counted ("+N more"). */
const ISSUES_SHOWN = 3;

/** Longest quoted piece of what the page sent (its type, one issue's path), in characters. */
const QUOTE_CAP = 60;

function capped(text: string, cap: number): string {
  return text.length > cap ? `${text.slice(0, cap - 1)}…` : text;
}

/**
 * What was wrong with `raw`, a message the `view` page sent that failed its schema, as one log
 * line: `Ignored a malformed message from the results webview (type "x"): data.id: expected
 * string; …`, at most MALFORMED_LINE_CAP characters, every control character (newlines too)
 * shown escaped.
 */
export function describeMalformedMessage(view: string, raw: unknown, error: z.ZodError): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? (raw as { type: unknown }).type : undefined;
  const typeNote = typeof type === 'string' ? ` (type "${capped(type, QUOTE_CAP)}")` : raw === null || typeof raw !== 'object' ? ` (a ${raw === null ? 'null' : typeof raw}, not an object)` : '';
  const issues = error.issues.slice(0, ISSUES_SHOWN).map((issue) => `${issue.path.length > 0 ? capped(issue.path.map(String).join('.'), QUOTE_CAP) : 'message'}: ${capped(issue.message, QUOTE_CAP * 2)}`);
  const more = error.issues.length > ISSUES_SHOWN ? ` (+${error.issues.length - ISSUES_SHOWN} more)` : '';
  return capped(escapeName(`Ignored a malformed message from the ${view} webview${typeNote}: ${issues.join('; ') || 'invalid'}${more}`), MALFORMED_LINE_CAP);
}

/**
 * `raw` (a message from the `view` page) parsed with `schema`: the parsed message, or undefined
 * after logging what was wrong once to `log` (describeMalformedMessage). Never throws.
 */
export function acceptWebviewMessage<T>(view: string, schema: z.ZodType<T>, raw: unknown, log: (line: string) => void): T | undefined {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  log(describeMalformedMessage(view, raw, parsed.error));
  return undefined;
}
