// A deliberately tiny `--name value` / `--flag` parser: the runners take only a few options and
// a dependency would be more to read than this.

export interface ParsedArgs {
  values: Map<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: readonly string[], valueOptions: readonly string[], flagOptions: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = arg.replace(/^--/, '');
    if (arg.startsWith('--') && valueOptions.includes(name)) {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      values.set(name, value);
      i++;
    } else if (arg.startsWith('--') && flagOptions.includes(name)) {
      flags.add(name);
    } else {
      const known = [...valueOptions.map((o) => `--${o} <value>`), ...flagOptions.map((o) => `--${o}`)].join(', ');
      throw new Error(`unknown argument ${JSON.stringify(arg)} (known: ${known})`);
    }
  }
  return { values, flags };
}

/** Parses a positive number of seconds given as a CLI value, in milliseconds. */
export function secondsOption(args: ParsedArgs, name: string, fallbackSeconds: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallbackSeconds * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--${name} must be a positive number of seconds`);
  return seconds * 1000;
}
