// CLI flags that set a setting: their range, unit and default come from the settings table
// (src/config/settingsSpec.ts) and they are validated by the table's zod schema, so a flag and
// its setting accept exactly the same values. The parsed flags become a Settings object, which
// runOptionsFrom turns into run options the same way as the extension's settings.
import { parseSettings, settingSchema, SETTINGS_SPEC, type SettingKey, type Settings, type SettingSpec } from '../config/settingsSpec';
import type { FlagTable } from '../config/settingFlags';
import { CliError, decimal, EXIT } from './cliSupport';

/** node:util parseArgs declarations of a flag table (every setting flag takes a string). */
export function flagOptions<T extends FlagTable>(flags: T): { readonly [K in keyof T]: { readonly type: 'string' } } {
  return Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' }])) as { readonly [K in keyof T]: { readonly type: 'string' } };
}

/** "a whole number from 64 to 1048576 MiB", "one of auto, r1ci, chat, tools": the values the setting takes. */
function describeValues(spec: SettingSpec): string {
  if (spec.type === 'string') return 'enum' in spec && spec.enum ? `one of ${spec.enum.join(', ')}` : 'minLength' in spec && (spec.minLength ?? 0) > 0 ? 'a non-empty string' : 'a string';
  if (spec.type === 'boolean') return 'true or false';
  // A whole number without a maximum still has one: the settings schema (zod's int) takes only
  // safe integers, so "≥ 0" alone would refuse --seed 9007199254740992 while saying it fits.
  const unbounded = spec.type !== 'number' && !('maximum' in spec && spec.maximum !== undefined) && 'minimum' in spec && spec.minimum !== undefined;
  const range = unbounded ? `from ${spec.minimum} to ${Number.MAX_SAFE_INTEGER}` : rangeText(spec);
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
      const value = spec.type === 'string' ? given : decimal(given);
      if (!settingSchema(flag.setting).safeParse(value).success) throw new CliError(`--${name} must be ${describeValues(spec)} (got "${given}").`, EXIT.usage);
      raw[flag.setting] = value;
    }
  }
  const { settings, problems } = parseSettings((key) => raw[key]);
  if (problems.length > 0) throw new CliError(problems.join(' '), EXIT.usage);
  return settings;
}
