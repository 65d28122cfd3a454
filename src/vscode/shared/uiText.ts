// Text from the model, a model server or a task file, made safe for VS Code's own UI outside
// webviews. Each surface parses a little syntax of its own, and hostile text must not reach it:
// - status bar items and QuickPick labels/descriptions render `$(name)` as a codicon (a server's
//   model name "$(check) llama" would look like our own mark);
// - notifications (showErrorMessage & co.) turn `[label](command:…)`, `(file:…)` and `(https:…)`
//   into links, and open them with commands allowed: a server's error message must not carry a
//   clickable command;
// - MarkdownString (hovers, TestItem.error) renders Markdown: links and remote images (which load
//   from the network) must not come from a task file.
// - the Testing view's output (TestRun.appendOutput) is a terminal: escape sequences act there.
// - the output channel (a LogOutputChannel) starts each entry with its time and level: a line
//   break in quoted text would start what reads as an entry of ours ("[info] Sandbox tier: isolated").
// Every one also shows control characters and bidi overrides escaped (terminalText.ts), so
// nothing reads differently from what it is. Pure functions (no `vscode` import): unit-tested.
import { escapeControls } from '../../sandbox/terminalText';

/** VS Code's icon syntax `$(name)` / `$(name~spin)`; `\$(` shows the text as is (VS Code's own `escapeIcons`). */
const ICON = /(?<!\\)\$\(/g;

/**
 * `text` for a status bar item, a QuickPick label/description/detail or a tree label: controls
 * shown escaped, and every `$(` written `\$(` so the surface shows it as text, not as a codicon.
 */
export function plainLabel(text: string): string {
  return escapeControls(text).replace(ICON, '\\$(');
}

/**
 * A link as a notification parses it: `[label](href)` (VS Code's parseLinkedText accepts
 * http(s):, command: and file: targets). A space between `]` and `(` leaves it plain text.
 */
const NOTIFICATION_LINK = /\]\(/g;

/**
 * `text` for showErrorMessage/showWarningMessage/showInformationMessage: controls shown
 * escaped, and no `[label](target)` left for the notification to turn into a link (a command
 * link in a server's error message would run that command on a click).
 */
export function notificationText(text: string): string {
  return escapeControls(text).replace(NOTIFICATION_LINK, '] (');
}

/**
 * `text` as literal Markdown for an untrusted MarkdownString: CommonMark backslash escapes for
 * what starts a link or image (`[`, `]`), raw HTML or an autolink (`<`, `>`), a code span,
 * emphasis, a heading or a table; controls shown escaped. Plain words, numbers and addresses
 * stay as they are.
 */
export function escapeMarkdown(text: string): string {
  return escapeControls(text).replace(/[\\`*_{}[\]<>#|]/g, '\\$&');
}

/**
 * One line for a terminal-backed view (TestRun.appendOutput writes to an xterm.js terminal):
 * every control character, escape sequence and bidi override in `text` shown escaped, so an
 * answer cannot clear the output, set a title or plant an OSC 8 link; then the CRLF the
 * terminal needs.
 */
export function terminalLine(text: string): string {
  return `${escapeControls(text)}\r\n`;
}

/**
 * One entry of the extension's log (the LogOutputChannel): controls and bidi overrides shown
 * escaped, and every line after the first indented, so quoted text (a server's error, a task
 * file, program output) cannot start a line that reads as an entry of its own.
 */
export function logText(text: string): string {
  return escapeControls(text.replace(/\r\n/g, '\n')).replace(/\n/g, '\n    ');
}
