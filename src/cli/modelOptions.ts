// The options that say which model, on which server, is asked and how, and the sandbox it
// runs code in: shared by `solve`, `eval` and `mcp`, so all accept the same flags with the
// same defaults and checks. The flags are read into Settings (settingFlags.ts) and turned into
// run options by the same translation as the extension's settings (config/runOptions.ts).
import type { ModelBackend } from '../agent/backends';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { backendFor, modelRunSettingsFor, runOptionsFrom, type RunOptions } from '../config/runOptions';
import { defaultSettings } from '../config/settingsSpec';
import { CliError, EXIT } from './cliSupport';
import { escapeControls } from '../sandbox/terminalText';
import { MODEL_FLAGS, SANDBOX_FLAGS } from '../config/settingFlags';
import { flagOptions, flagUsage, settingsFromFlags } from './settingFlags';

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
 * a bad value is a usage error that names the flag and the values it takes, and so are
 * a server URL that is not an http:// or https:// URL, `--host` and `--base-url` with
 * different URLs (one flag under two names), `--api-key` without
 * `--backend openai` and `--context-tokens` with it (flags the chosen backend would ignore).
 */
export function readModelOptions(values: Readonly<Record<string, unknown>>, extraFlags: Parameters<typeof settingsFromFlags>[1] = [], env: NodeJS.ProcessEnv = process.env): ModelOptions {
  const baseUrl = str(values['base-url']);
  const host = str(values.host);
  // One flag under two names: the server URL of the chosen backend. Given both, one would be dropped without a word.
  if (baseUrl !== undefined && host !== undefined && baseUrl !== host) {
    throw new CliError(`--host and --base-url are the same flag (the model server's URL, for either --backend); give one (got --host ${host} and --base-url ${baseUrl}).`, EXIT.usage);
  }
  const url = baseUrl ?? host;
  const backendFlag = str(values.backend) ?? defaultSettings().backend;
  // Flags one backend never uses: given with the other, they would be dropped without a word.
  if (str(values['api-key']) !== undefined && backendFlag !== 'openai') {
    throw new CliError(`--api-key is sent only to an OpenAI-compatible server: give --backend openai with it (the backend is ${backendFlag}).`, EXIT.usage);
  }
  if (str(values['context-tokens']) !== undefined && backendFlag === 'openai') {
    throw new CliError(
      "--context-tokens and --backend openai cannot be given together: --context-tokens is Ollama's num_ctx, and an OpenAI-compatible server fixes the context window when it loads the model.",
      EXIT.usage,
    );
  }
  const settings = settingsFromFlags(values, [MODEL_FLAGS, SANDBOX_FLAGS, ...extraFlags], url === undefined ? {} : { [backendFlag === 'openai' ? 'openai.baseUrl' : 'ollama.host']: url });
  const apiKey = str(values['api-key']) ?? env['R1CI_API_KEY'] ?? env['OPENAI_API_KEY'];
  const run = runOptionsFrom(settings, apiKey);
  // Name where the URL came from: the flag the user typed, or OLLAMA_HOST when no flag was given.
  const source = baseUrl !== undefined ? '--base-url' : host !== undefined ? '--host' : backendFlag !== 'openai' && env['OLLAMA_HOST']?.trim() ? 'OLLAMA_HOST' : '--base-url';
  const example = backendFlag === 'openai' ? 'http://127.0.0.1:8000/v1' : 'http://127.0.0.1:11434';
  // An OpenAI-compatible URL typed without its scheme (`localhost:8000/v1`) would fail to parse, or
  // parse with "localhost:" as its scheme; say what is missing, with what was typed (any user:password@ left out).
  if (backendFlag === 'openai' && url !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim())) {
    throw new CliError(`${source} needs http:// or https:// in front (got "${escapeControls(url.trim().replace(/^[^@/]*@/, '…@'))}"); write it like ${example}.`, EXIT.usage);
  }
  let backend: ModelBackend;
  try {
    backend = backendFor(run);
  } catch (error) {
    throw new CliError(`${source} is not a valid URL (${error instanceof Error ? error.message : String(error)}); write it like ${example}.`, EXIT.usage);
  }
  // Model servers speak HTTP: another scheme (ftp://, file://, a typo) is said now, as a usage
  // error, not after the sandbox started as "cannot reach the server".
  const scheme = new URL(backend.baseUrl).protocol;
  if (scheme !== 'http:' && scheme !== 'https:') throw new CliError(`${source} must be an http:// or https:// URL (got ${scheme}//…); write it like ${example}.`, EXIT.usage);
  return { run, backend };
}

/** How the model is asked, with the protocol decided: 'auto' asks the server for the model's capabilities (Ollama /api/show). */
export function resolveModelRun(m: ModelOptions, signal?: AbortSignal): Promise<ModelRunSettings> {
  return modelRunSettingsFor(m.run, m.backend, signal);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
