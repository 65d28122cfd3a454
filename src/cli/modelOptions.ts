// The options that say which model, on which server, is asked and how: shared by `solve` and
// `eval`, so both accept the same flags with the same defaults and the same checks.
import { createBackend, type ModelBackend } from '../agent/backends';
import { THINK_SETTINGS, type ThinkSetting } from '../agent/backends/types';
import { PROTOCOL_SETTINGS, resolveProtocol, type ProtocolMode, type ProtocolSetting } from '../agent/protocol';
import { defaultSettings } from '../config/settingsSpec';
import { CliError, EXIT, intOption, numberOption } from './cliSupport';

/** node:util parseArgs declarations; spread into a command's own options. */
export const MODEL_OPTIONS = {
  backend: { type: 'string' },
  'base-url': { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
  model: { type: 'string' },
  'max-code-calls': { type: 'string' },
  protocol: { type: 'string' },
  think: { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  'context-tokens': { type: 'string' },
  'stall-seconds': { type: 'string' },
  python: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export function modelOptionsUsage(): string {
  const d = defaultSettings();
  return `  --backend KIND          ollama | openai (default: ${d.backend})
  --base-url URL          server URL: Ollama host (default: $OLLAMA_HOST or http://127.0.0.1:11434),
                          or the OpenAI-compatible /v1 URL (default: ${d['openai.baseUrl']})
  --host URL              same as --base-url (kept for Ollama users)
  --api-key KEY           bearer key for an OpenAI-compatible server (default: $R1CI_API_KEY, then $OPENAI_API_KEY)
  --model NAME            model name (default: ${d.model})
  --max-code-calls N      code-call budget (default: ${d.maxCodeCalls})
  --protocol MODE         auto | r1ci | chat | tools (default: auto: r1ci for R1-CI models, tools for
                          models with native tool calls (Ollama capabilities), chat otherwise)
  --think MODE            auto | on | off | low | medium | high: reasoning models (default: ${d.think})
  --temperature T         sampling temperature (default: ${d.temperature})
  --seed N                sampling seed
  --context-tokens N      context window requested from Ollama, num_ctx (default: ${d.contextTokens})
  --stall-seconds S       give up on a reply after S seconds without a token (default: ${d.stallSeconds})
  --python PATH           Python interpreter for the code (default: python3 on PATH)
  --timeout SECONDS       wall-clock limit per code cell (default: ${d['sandbox.timeoutSeconds']})`;
}

type RawModelOptions = { readonly [K in keyof typeof MODEL_OPTIONS]?: string };

export interface ModelOptions {
  readonly backendKind: 'ollama' | 'openai';
  readonly backend: ModelBackend;
  readonly model: string;
  /** The --protocol flag; resolveModelProtocol turns 'auto' into a mode. */
  readonly protocolSetting: ProtocolSetting;
  readonly think: ThinkSetting;
  readonly maxCodeCalls: number;
  readonly temperature: number;
  readonly seed: number | undefined;
  readonly contextTokens: number;
  readonly stallSeconds: number;
  readonly pythonPath: string | undefined;
  readonly cellTimeoutSeconds: number;
}

/** Checks the raw flags; a bad value is a usage error that names the flag. */
export function readModelOptions(values: RawModelOptions, env: NodeJS.ProcessEnv = process.env): ModelOptions {
  const d = defaultSettings();
  const backendKind = values.backend ?? d.backend;
  if (backendKind !== 'ollama' && backendKind !== 'openai') throw new CliError(`--backend must be ollama or openai (got "${backendKind}").`, EXIT.usage);
  const protocolSetting = PROTOCOL_SETTINGS.find((p) => p === (values.protocol ?? 'auto'));
  if (protocolSetting === undefined) throw new CliError(`--protocol must be ${PROTOCOL_SETTINGS.join(', ')} (got "${values.protocol ?? ''}").`, EXIT.usage);
  const think = THINK_SETTINGS.find((t) => t === (values.think ?? d.think));
  if (think === undefined) throw new CliError(`--think must be ${THINK_SETTINGS.join(', ')} (got "${values.think ?? ''}").`, EXIT.usage);
  const model = values.model ?? d.model;
  const url = values['base-url'] ?? values.host;
  const apiKey = values['api-key'] ?? env['R1CI_API_KEY'] ?? env['OPENAI_API_KEY'];
  let backend: ModelBackend;
  try {
    backend = backendKind === 'ollama' ? createBackend({ kind: backendKind, ollamaHost: url }) : createBackend({ kind: backendKind, openaiBaseUrl: url ?? d['openai.baseUrl'], apiKey });
  } catch (error) {
    throw new CliError(`--base-url is not a valid URL (${error instanceof Error ? error.message : String(error)}).`, EXIT.usage);
  }
  return {
    backendKind,
    backend,
    model,
    protocolSetting,
    think,
    maxCodeCalls: intOption('--max-code-calls', values['max-code-calls'], d.maxCodeCalls, 0),
    temperature: numberOption('--temperature', values.temperature, d.temperature, 0),
    seed: values.seed === undefined ? undefined : intOption('--seed', values.seed, 0, 0),
    contextTokens: intOption('--context-tokens', values['context-tokens'], d.contextTokens, 256),
    stallSeconds: numberOption('--stall-seconds', values['stall-seconds'], d.stallSeconds, 0.1),
    pythonPath: values.python,
    cellTimeoutSeconds: intOption('--timeout', values.timeout, d['sandbox.timeoutSeconds'], 1),
  };
}

/** The options with the protocol decided: 'auto' asks the server for the model's capabilities (Ollama /api/show). */
export async function resolveModelProtocol(m: ModelOptions, signal?: AbortSignal): Promise<ModelOptions & { readonly protocol: ProtocolMode }> {
  return { ...m, protocol: await resolveProtocol(m.backend, m.model, m.protocolSetting, signal) };
}
