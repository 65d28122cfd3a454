// CLI flags are validated by the settings table (issue 14 item 4): every sandbox limit has a
// flag with the setting's bounds, an out-of-range flag is refused at the same bound as the
// setting, and flags become the same run options as the extension's settings.
import { describe, expect, it, vi } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cliSupport';
import { readModelOptions } from '../../../src/cli/modelOptions';
import { flagUsage, settingsFromFlags } from '../../../src/cli/settingFlags';
import { EVAL_FLAGS, MODEL_FLAGS, SANDBOX_FLAGS, type SettingFlag } from '../../../src/config/settingFlags';
import { runOptionsFrom } from '../../../src/config/runOptions';
import { parseSettings, SETTINGS_SPEC, type SettingKey, type SettingSpec } from '../../../src/config/settingsSpec';

const TABLES = [MODEL_FLAGS, SANDBOX_FLAGS, EVAL_FLAGS] as const;
const ALL_FLAGS: [string, SettingFlag][] = TABLES.flatMap((t) => Object.entries(t) as [string, SettingFlag][]);

function flagError(flag: string, value: string): string | undefined {
  try {
    settingsFromFlags({ [flag]: value }, TABLES);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as CliError).message;
  }
}

function settingAccepts(key: SettingKey, value: number): boolean {
  return parseSettings((k) => (k === key ? value : undefined)).problems.length === 0;
}

function bounds(spec: SettingSpec): { min?: number; max?: number } {
  return { min: 'minimum' in spec ? spec.minimum : undefined, max: 'maximum' in spec ? spec.maximum : undefined };
}

describe('CLI setting flags', () => {
  it('every sandbox limit of the settings table has a flag with the same bounds, unit and default in --help', () => {
    const limits = (Object.entries(SETTINGS_SPEC) as [SettingKey, SettingSpec][]).filter(([, spec]) => spec.guard === 'limit');
    expect(limits.length).toBeGreaterThanOrEqual(5);
    const usage = flagUsage(SANDBOX_FLAGS);
    for (const [key, spec] of limits) {
      const entry = Object.entries(SANDBOX_FLAGS).find(([, f]) => f.setting === key);
      expect(entry, `no CLI flag for the sandbox limit "${key}"`).toBeDefined();
      const [flag] = entry as [string, SettingFlag];
      const { min, max } = bounds(spec);
      expect(min, key).toBeDefined();
      expect(max, key).toBeDefined();
      const unit = 'unit' in spec ? (spec.unit === 's' ? 'seconds' : spec.unit) : '';
      // The flag's help, its wrapped continuation lines joined.
      const line = (usage.split(/\n(?= {2}--)/).find((l) => l.startsWith(`  --${flag} `)) ?? '').replace(/\s+/g, ' ');
      expect(line).toContain(`from ${min} to ${max} ${unit} (default: ${spec.default})`);
      // Inside the bounds: accepted as given. One past either bound: refused, as the setting is.
      expect(settingsFromFlags({ [flag]: String(min) }, TABLES)[key]).toBe(min);
      expect(settingsFromFlags({ [flag]: String(max) }, TABLES)[key]).toBe(max);
      for (const outside of [(min as number) - 1, (max as number) + 1]) {
        expect(settingAccepts(key, outside)).toBe(false);
        expect(flagError(flag, String(outside))).toBe(`--${flag} must be a whole number from ${min} to ${max} ${unit} (got "${outside}").`);
      }
    }
  });

  it('a flag out of range gets the same bound as its setting, for every numeric flag', () => {
    for (const [flag, { setting }] of ALL_FLAGS) {
      const spec: SettingSpec = SETTINGS_SPEC[setting];
      const { min, max } = bounds(spec);
      for (const [value, inside] of [
        [min, true],
        [max, true],
        [min === undefined ? undefined : min - 1, false],
        [max === undefined ? undefined : max + 1, false],
      ] as const) {
        if (value === undefined) continue;
        expect(settingAccepts(setting, value), `${setting} = ${value}`).toBe(inside);
        expect(flagError(flag, String(value)) === undefined, `--${flag} ${value}`).toBe(inside);
      }
    }
  });

  it('refuses what the settings refuse: --context-tokens below 1024, --stall-seconds below 5, words for numbers, unknown enum values', () => {
    expect(flagError('context-tokens', '512')).toBe('--context-tokens must be a whole number from 1024 to 1048576 tokens (got "512").');
    expect(flagError('context-tokens', '1024')).toBeUndefined();
    expect(flagError('stall-seconds', '1')).toBe('--stall-seconds must be a whole number from 5 to 3600 seconds (got "1").');
    expect(flagError('stall-seconds', '0.5')).toMatch(/^--stall-seconds must be a whole number/);
    expect(flagError('temperature', '')).toBe('--temperature must be a number from 0 to 2 (got "").');
    expect(flagError('max-code-calls', 'five')).toMatch(/^--max-code-calls must be a whole number from 0 to 50/);
    expect(flagError('protocol', 'telepathy')).toBe('--protocol must be one of auto, r1ci, chat, tools (got "telepathy").');
    expect(flagError('backend', 'llamafile')).toBe('--backend must be one of ollama, openai (got "llamafile").');
  });

  it('numbers are plain decimals: hex, exponents, spaces, signs other than "-" and empty text are refused for every numeric flag', () => {
    for (const [flag, { setting }] of ALL_FLAGS) {
      const spec: SettingSpec = SETTINGS_SPEC[setting];
      if (spec.type === 'string') continue;
      const { min, max } = bounds(spec);
      const n = Math.min(max ?? 16, Math.max(min ?? 1, 16));
      expect(flagError(flag, String(n)), `--${flag} ${n}`).toBeUndefined();
      for (const loose of [`0x${n.toString(16)}`, `${n / 10}e1`, ` ${n}`, `${n} `, `+${n}`, `${n}.`, '', '0b1', 'Infinity']) {
        expect(flagError(flag, loose), `--${flag} "${loose}"`).toMatch(new RegExp(`^--${flag} must be a (whole )?number`));
      }
    }
  });

  it('flags become the same run options as the same values set as settings', () => {
    const flags = { 'memory-mib': '256', 'output-kib': '8', 'file-size-mib': '3', 'disk-mib': '64', timeout: '5', 'max-code-calls': '8', seed: '7', 'stall-seconds': '30', python: '/opt/py' };
    const settings: Partial<Record<SettingKey, unknown>> = {
      'sandbox.memoryMiB': 256,
      'sandbox.outputKiB': 8,
      'sandbox.fileSizeMiB': 3,
      'sandbox.diskMiB': 64,
      'sandbox.timeoutSeconds': 5,
      maxCodeCalls: 8,
      seed: 7,
      stallSeconds: 30,
      'python.path': '/opt/py',
    };
    const fromFlags = readModelOptions(flags, [], {}).run;
    expect(fromFlags).toEqual(runOptionsFrom(parseSettings((k) => settings[k]).settings));
    expect(fromFlags.sandbox.limits).toMatchObject({ memoryBytes: 256 * 1024 ** 2, outputBytes: 8 * 1024, fileSizeBytes: 3 * 1024 ** 2, diskBytes: 64 * 1024 ** 2, timeoutMs: 5000 });
  });

  it('--base-url goes to the chosen kind of server, and the API key only to an OpenAI-compatible one', () => {
    const openai = readModelOptions({ backend: 'openai', 'base-url': 'http://127.0.0.1:9/v1' }, [], { R1CI_API_KEY: 'sk-env' });
    expect(openai.run.server).toEqual({ kind: 'openai', ollamaHost: '', openaiBaseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-env' });
    expect(openai.backend.baseUrl).toBe('http://127.0.0.1:9/v1');
    const ollama = readModelOptions({ host: 'http://127.0.0.1:9' }, [], { R1CI_API_KEY: 'sk-env' });
    expect(ollama.run.server).toMatchObject({ kind: 'ollama', ollamaHost: 'http://127.0.0.1:9', apiKey: undefined });
  });

  it('a URL that cannot be parsed is a usage error naming where it came from: --host, --base-url or OLLAMA_HOST', () => {
    const messageOf = (values: Record<string, string>, env: NodeJS.ProcessEnv): string => {
      try {
        readModelOptions(values, [], env);
      } catch (error) {
        expect(error).toMatchObject({ exitCode: EXIT.usage });
        return (error as CliError).message;
      }
      throw new Error('no error');
    };
    expect(messageOf({ host: 'http://[bad' }, {})).toMatch(/^--host is not a valid URL \(.*\); write it like http:\/\/127\.0\.0\.1:11434\.$/);
    expect(messageOf({ backend: 'openai', 'base-url': 'http://[bad' }, {})).toMatch(/^--base-url is not a valid URL \(.*\); write it like http:\/\/127\.0\.0\.1:8000\/v1\.$/);
    // An OpenAI-compatible URL written without its scheme was "not a valid URL (Invalid URL)", or,
    // for localhost:8000, read as the scheme "localhost:" ("got localhost://…", not what was typed).
    for (const typed of ['localhost:8000/v1', '127.0.0.1:8000/v1', 'gpu-box:8000']) {
      expect(messageOf({ backend: 'openai', 'base-url': typed }, {})).toBe(`--base-url needs http:// or https:// in front (got "${typed}"); write it like http://127.0.0.1:8000/v1.`);
    }
    vi.stubEnv('OLLAMA_HOST', 'http://[bad');
    try {
      expect(messageOf({}, process.env)).toMatch(/^OLLAMA_HOST is not a valid URL/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('--host and --base-url are one flag: the same URL twice is fine, two different ones are a usage error naming both', () => {
    expect(readModelOptions({ host: 'http://127.0.0.1:9', 'base-url': 'http://127.0.0.1:9' }, [], {}).run.server).toMatchObject({ ollamaHost: 'http://127.0.0.1:9' });
    let thrown: unknown;
    try {
      readModelOptions({ host: 'http://127.0.0.1:9', 'base-url': 'http://127.0.0.1:8/v1' }, [], {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect(thrown).toMatchObject({ exitCode: EXIT.usage });
    expect((thrown as CliError).message).toContain('--host http://127.0.0.1:9 and --base-url http://127.0.0.1:8/v1');
  });
});
