// Exit codes, option parsing and terminal output shared by the CLI's commands.
import { escapeControls } from '../sandbox/terminalText';

export const EXIT = {
  ok: 0,
  /** The run failed: server down, model missing, sandbox broken, bad input file. */
  failure: 1,
  usage: 2,
  /** The model answered nothing. */
  noAnswer: 3,
  cancelled: 130,
} as const;

/** An error whose message is shown as is, with the given exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A whole-number flag without a setting behind it (e.g. mcp's --max-sessions); settings' flags: settingFlags.ts. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be a whole number ≥ ${min} (got "${raw}").`, EXIT.usage);
  return n;
}

/** Where human-readable lines go: the `write` of a process stream. */
export interface TextOut {
  write(text: string): unknown;
}

/**
 * `stream` for human-readable lines: every control character, escape sequence and bidi override
 * in what is written is shown escaped (terminalText.ts), so task names, ids, file names and
 * parse errors quoting a dataset line never act on the terminal. Not for data on stdout (JSON,
 * JSONL exports): their encoders already escape, and a second pass would change the data.
 */
export function escapingWriter(stream: TextOut): { write(text: string): void } {
  return { write: (text) => void stream.write(escapeControls(text)) };
}
