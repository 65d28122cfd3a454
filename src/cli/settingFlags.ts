// CLI flags that set a setting: their range, unit and default come from the settings table
// (src/config/settingsSpec.ts) and they are validated by the table's zod schema, so a flag and
// its setting accept exactly the same values. The parsed flags become a Settings object, which
// runOptionsFrom turns into run options the same way as the extension's settings.
import { parseSettings, settingSchema, SETTINGS_SPEC, type SettingKey, type Settings, type SettingSpec } from '../config/settingsSpec';
import { CliError, EXIT } from './cliSupport';

/** A flag that sets one setting. `value` names its argument in --help; `help` says what it does. */
export interface SettingFlag {
  readonly setting: SettingKey;
  readonly value: string;
  readonly help: string;
}

/** How the model is asked (solve, eval, mcp). */
export const MODEL_FLAGS = {
  backend: { setting: 'backend', value: 'KIND', help: 'model server kind' },
  model: { setting: 'model', value: 'NAME', help: 'model name' },
  'max-code-calls': { setting: 'maxCodeCalls', value: 'N', help: 'code-call budget per question' },
  protocol: {
    setting: 'protocol',
    value: 'MODE',
    help: 'how code and results travel; auto: r1ci for R1-CI models, tools for models with native tool calls (Ollama capabilities), chat otherwise',
  },
  think: { setting: 'think', value: 'MODE', help: 'reasoning of reasoning models' },
  temperature: { setting: 'temperature', value: 'T', help: 'sampling temperature' },
  seed: { setting: 'seed', value: 'N', help: 'sampling seed (default: none)' },
  'context-tokens': { setting: 'contextTokens', value: 'N', help: 'context window requested from Ollama (num_ctx)' },
  'stall-seconds': { setting: 'stallSeconds', value: 'S', help: 'give up on a reply after this long without a token' },
} as const satisfies Record<string, SettingFlag>;

/** The sandbox: interpreter and every limit of the table (a unit test checks none is missing). */
export const SANDBOX_FLAGS = {
  python: { setting: 'python.path', value: 'PATH', help: 'Python interpreter for the code (default: python3 on PATH)' },
  timeout: { setting: 'sandbox.timeoutSeconds', value: 'SECONDS', help: 'wall-clock limit per code cell' },
  'memory-mib': { setting: 'sandbox.memoryMiB', value: 'N', help: 'memory of the whole sandbox (all its processes and /tmp together)' },
  'output-kib': { setting: 'sandbox.outputKiB', value: 'N', help: 'output given back to the model per cell' },
  'file-size-mib': { setting: 'sandbox.fileSizeMiB', value: 'N', help: 'largest file a cell may write' },
  'disk-mib': { setting: 'sandbox.diskMiB', value: 'N', help: 'disk the scratch folder may take in total' },
} as const satisfies Record<string, SettingFlag>;

/** Evaluation budgets (eval). */
export const EVAL_FLAGS = {
  concurrency: { setting: 'eval.concurrency', value: 'N', help: 'questions at once; 0: 1 for ollama, 4 for openai' },
  'question-timeout': { setting: 'eval.timeoutSeconds', value: 'S', help: 'wall-clock limit per question, 0 = none' },
  samples: {
    setting: 'eval.samples',
    value: 'K',
    help: 'ask each question K times: pass@K, mean@K, success rate p and the improvement potential 4p(1−p) (use --temperature > 0)',
  },
} as const satisfies Record<string, SettingFlag>;

type FlagTable = Readonly<Record<string, SettingFlag>>;

/** node:util parseArgs declarations of a flag table (every setting flag takes a string). */
export function flagOptions<T extends FlagTable>(flags: T): { readonly [K in keyof T]: { readonly type: 'string' } } {
  return Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' }])) as { readonly [K in keyof T]: { readonly type: 'string' } };
}

/** "a whole number from 64 to 1048576 MiB", "one of auto, r1ci, chat, tools": the values the setting takes. */
function describeValues(spec: SettingSpec): string {
  if (spec.type === 'string') return 'enum' in spec && spec.enum ? `one of ${spec.enum.join(', ')}` : 'a string';
  if (spec.type === 'boolean') return 'true or false';
  const range = rangeText(spec);
  return `${spec.type === 'number' ? 'a number' : 'a whole number'}${range ? ` ${range}` : ''}`;
}

/** "from 64 to 1048576 MiB", "≥ 0", or "" for a setting without bounds. */
function rangeText(spec: SettingSpec): string {
  const min = 'minimum' in spec ? spec.minimum : undefined;
  const max = 'maximum' in spec ? spec.maximum : undefined;
  const unit = 'unit' in spec && spec.unit ? ` ${spec.unit === 's' ? 'seconds' : spec.unit}` : '';
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  return max !== undefined ? `≤ ${max}${unit}` : '';
}

const HELP_INDENT = 26;
const HELP_WIDTH = 100;

/** --help lines of a flag table: what it does, the values it takes and its default, from the table. */
export function flagUsage(flags: FlagTable): string {
  return Object.entries(flags)
    .map(([name, flag]) => {
      const spec: SettingSpec = SETTINGS_SPEC[flag.setting];
      const values = 'enum' in spec && spec.enum ? `${spec.enum.join(' | ')}: ` : '';
      const range = rangeText(spec);
      const shown = spec.default === '' || spec.default === null || /\(default: /.test(flag.help) ? '' : ` (default: ${String(spec.default)})`;
      return wrap(`  ${`--${name} ${flag.value}`.padEnd(HELP_INDENT - 2)}${values}${flag.help}${range ? `, ${range}` : ''}${shown}`);
    })
    .join('\n');
}

/** Breaks a help line at spaces before HELP_WIDTH, continuing under the description column. */
function wrap(line: string): string {
  const out: string[] = [];
  let rest = line;
  while (rest.length > HELP_WIDTH) {
    const cut = rest.lastIndexOf(' ', HELP_WIDTH);
    if (cut <= HELP_INDENT) break;
    out.push(rest.slice(0, cut));
    rest = `${' '.repeat(HELP_INDENT)}${rest.slice(cut + 1)}`;
  }
  out.push(rest);
  return out.join('\n');
}

/**
 * Reads the setting flags of `tables` from parseArgs `values` into a Settings object (unset
 * flags: the table's default; `extra` sets settings a flag does not map 1:1, e.g. --base-url).
 * Throws CliError (usage) naming the flag and the values it takes when one is out of range.
 */
export function settingsFromFlags(values: Readonly<Record<string, unknown>>, tables: readonly FlagTable[], extra: Partial<Record<SettingKey, unknown>> = {}): Settings {
  const raw: Partial<Record<SettingKey, unknown>> = { ...extra };
  for (const table of tables) {
    for (const [name, flag] of Object.entries(table)) {
      const given = values[name];
      if (typeof given !== 'string') continue;
      const spec: SettingSpec = SETTINGS_SPEC[flag.setting];
      // Numbers arrive as text; "" and "1e" are not numbers (Number("") would be 0).
      const value = spec.type === 'string' ? given : /^\s*$/.test(given) ? Number.NaN : Number(given);
      if (!settingSchema(flag.setting).safeParse(value).success) throw new CliError(`--${name} must be ${describeValues(spec)} (got "${given}").`, EXIT.usage);
      raw[flag.setting] = value;
    }
  }
  const { settings, problems } = parseSettings((key) => raw[key]);
  if (problems.length > 0) throw new CliError(problems.join(' '), EXIT.usage);
  return settings;
}
