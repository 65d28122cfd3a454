// A failed cell as the Error a notebook error output carries (NotebookCellOutputItem.error):
// its name and message from Python's last traceback line (or why the sandbox stopped it), shown
// by VS Code as text; no stack (see failureOf).
import type { ExecResult } from '../sandbox/types';

/**
 * The error of a failed cell: Python's last traceback line ("NameError: name 'x' is not
 * defined") names it; a kill says why the sandbox stopped the cell. `stack` is empty.
 */
export function failureOf(result: ExecResult): Error {
  const stderr = result.stderr.trimEnd();
  const last =
    stderr
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? '';
  // The name and the whitespace after it are taken whole (a lookahead, then its capture): giving
  // characters back can never let `(.*)$` pass a line terminator, and in a long line of output it
  // cost quadratic time. Groups: 1 the name, 2 the whitespace, 3 the message.
  const match = /^(?=([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning)?))\1:?(?=(\s*))\2(.*)$/.exec(last);
  const error = new Error();
  if (result.killMessage) {
    error.name = result.killed === 'cancelled' ? 'Interrupted' : 'Stopped';
    error.message = `The sandbox ${result.killMessage}.`;
  } else if (match && /^[A-Z]/.test(match[1] ?? '')) {
    error.name = match[1] ?? 'Error';
    error.message = match[3] ?? '';
  } else {
    error.name = 'Error';
    error.message = `The code exited with status ${result.exitCode ?? 'unknown'}.`;
  }
  // No stack: VS Code's renderer builds HTML from one (in a trusted workspace, `<a href>` in it
  // becomes markup, and traceback-looking lines become links cut from the text), and it would be
  // the program's stderr. With none it shows `name: message` as text; the traceback goes out as
  // a stderr stream (execOutputs), which it never reads as HTML.
  error.stack = '';
  return error;
}
