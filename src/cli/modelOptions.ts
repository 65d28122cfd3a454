// The options that say which model, on which server, is asked and how, and the sandbox it
// runs code in: shared by `solve`, `eval` and `mcp`, so all accept the same flags with the
// same defaults and checks. The flags are read into Settings (settingFlags.ts) and turned into
// run options by the same translation as the extension's settings (config/runOptions.ts).
import type { ModelBackend } from '../agent/backends';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { backendFor, modelRunSettingsFor, runOptionsFrom, type RunOptions } from '../config/runOptions';
import { defaultSettings, SETTINGS_SPEC, type Settings } from '../config/settingsSpec';
import { CliError, EXIT } from './cliSupport';
import { flagOptions, flagUsage, MODEL_FLAGS, SANDBOX_FLAGS, settingsFromFlags } from './settingFlags';

/** node:util parseArgs declarations; spread into a command's own options. */
export const MODEL_OPTIONS = {
  ...flagOptions(MODEL_FLAGS),
  ...flagOptions(SANDBOX_FLAGS),
  'base-url': { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

export function modelOptionsUsage(): string {
  const d = defaultSettings();
  return `  --base-url URL          server URL: Ollama host (default: $OLLAMA_HOST or http://127.0.0.1:11434),
                          or the OpenAI-compatible /v1 URL (default: ${d['openai.baseUrl']})
  --host URL              same as --base-url (kept for Ollama users)
  --api-key KEY           bearer key for an OpenAI-compatible server (default: $R1CI_API_KEY, then $OPENAI_API_KEY)
${flagUsage(MODEL_FLAGS)}
${flagUsage(SANDBOX_FLAGS)}`;
}

/** The run options of the flags, with the model server made. */
export interface ModelOptions {
  readonly run: RunOptions;
  readonly backend: ModelBackend;
}

/**
 * Checks the raw flags (those of MODEL_OPTIONS and of any `extraFlags` table, e.g. EVAL_FLAGS);
 * a bad value is a usage error that names the flag and the values it takes.
 */
export function readModelOptions(values: Readonly<Record<string, unknown>>, extraFlags: Parameters<typeof settingsFromFlags>[1] = [], env: NodeJS.ProcessEnv = process.env): ModelOptions {
  const url = str(values['base-url']) ?? str(values.host);
  const backendFlag = str(values.backend) ?? defaultSettings().backend;
  const settings = settingsFromFlags(values, [MODEL_FLAGS, SANDBOX_FLAGS, ...extraFlags], url === undefined ? {} : { [backendFlag === 'openai' ? 'openai.baseUrl' : 'ollama.host']: url });
  const apiKey = str(values['api-key']) ?? env['R1CI_API_KEY'] ?? env['OPENAI_API_KEY'];
  const run = runOptionsFrom(settings, apiKey);
  try {
    return { run, backend: backendFor(run) };
  } catch (error) {
    throw new CliError(`--base-url is not a valid URL (${error instanceof Error ? error.message : String(error)}).`, EXIT.usage);
  }
}

/**
 * The inverse of `readModelOptions`: the flags that reach the same model server and model, asked
 * the same way, with the same sandbox limits as `settings` (the extension's, for the `r1ci mcp`
 * it configures). One `--flag value` per model or sandbox setting that differs from its default,
 * and `--host` (Ollama) or `--base-url` (OpenAI-compatible) for a server URL that is set; the
 * defaults give no flags. The API key is never a flag here: it travels as $R1CI_API_KEY.
 */
export function modelFlagsFor(settings: Settings): string[] {
  const args: string[] = [];
  for (const [flag, { setting }] of Object.entries({ ...MODEL_FLAGS, ...SANDBOX_FLAGS })) {
    const value = settings[setting];
    if (value !== null && value !== SETTINGS_SPEC[setting].default) args.push(`--${flag}`, String(value));
  }
  if (settings.backend === 'openai' && settings['openai.baseUrl'] !== SETTINGS_SPEC['openai.baseUrl'].default) args.push('--base-url', settings['openai.baseUrl']);
  if (settings.backend === 'ollama' && settings['ollama.host'] !== '') args.push('--host', settings['ollama.host']);
  return args;
}

/** How the model is asked, with the protocol decided: 'auto' asks the server for the model's capabilities (Ollama /api/show). */
export function resolveModelRun(m: ModelOptions, signal?: AbortSignal): Promise<ModelRunSettings> {
  return modelRunSettingsFor(m.run, m.backend, signal);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
