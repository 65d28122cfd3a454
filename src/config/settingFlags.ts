// The command line's setting flags, declared beside the settings table they set (settingsSpec.ts):
// each flag names its setting, so its range, unit and default are the setting's. The CLI parses
// them (src/cli/settingFlags.ts); the extension writes them back out for the `r1ci mcp` it
// configures (modelFlagsFor). Both sides read this one table.
import { SETTINGS_SPEC, type SettingKey, type Settings } from './settingsSpec';

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
  python: { setting: 'python.path', value: 'PATH', help: 'Python interpreter for the code (default: python3 on PATH, else python)' },
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

/** A table of setting flags, keyed by flag name (without the dashes). */
export type FlagTable = Readonly<Record<string, SettingFlag>>;

/**
 * The inverse of the CLI's `readModelOptions` (src/cli/modelOptions.ts): the flags that reach the same model server and model, asked
 * the same way, with the same sandbox limits as `settings` (the extension's, for the `r1ci mcp`
 * it configures). One `--flag=value` argument per model or sandbox setting that differs from its
 * default, and `--host=` (Ollama) or `--base-url=` (OpenAI-compatible) for a server URL that is
 * set; the defaults give no flags, and no --context-tokens for an OpenAI-compatible server (Ollama only). Always the one-argument form: a value from a workspace's
 * settings that starts with "-" (a model named "--python=…") stays that flag's value instead of
 * being read as a flag of its own. The API key is never a flag here: it travels as $R1CI_API_KEY.
 */
export function modelFlagsFor(settings: Settings): string[] {
  const args: string[] = [];
  for (const [flag, { setting }] of Object.entries({ ...MODEL_FLAGS, ...SANDBOX_FLAGS })) {
    const value = settings[setting];
    // num_ctx is Ollama's: `r1ci mcp` refuses --context-tokens with --backend openai.
    if (setting === 'contextTokens' && settings.backend === 'openai') continue;
    if (value !== null && value !== SETTINGS_SPEC[setting].default) args.push(`--${flag}=${String(value)}`);
  }
  if (settings.backend === 'openai' && settings['openai.baseUrl'] !== SETTINGS_SPEC['openai.baseUrl'].default) args.push(`--base-url=${settings['openai.baseUrl']}`);
  if (settings.backend === 'ollama' && settings['ollama.host'] !== '') args.push(`--host=${settings['ollama.host']}`);
  return args;
}
