// Exit codes and option parsing shared by the CLI's commands.

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

export function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be a whole number ≥ ${min} (got "${raw}").`, EXIT.usage);
  return n;
}

export function numberOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new CliError(`${name} must be a number ≥ ${min} (got "${raw}").`, EXIT.usage);
  return n;
}
