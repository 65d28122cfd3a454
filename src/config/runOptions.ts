// The one way from settings to a run (issue 14 item 4). The extension (solve, chat, eval,
// notebook kernel, LM tool, model picker, status bar) and the CLI (flags parsed into the same
// Settings by src/cli/settingFlags.ts) both call runOptionsFrom, so a setting means the same
// thing everywhere: the server and its API key, how the model is asked, the sandbox's limits
// in bytes and milliseconds, and the budgets. Pure: no vscode, no I/O.
import { createBackend, type BackendConfig, type ModelBackend } from '../agent/backends';
import type { ThinkSetting } from '../agent/backends/types';
import type { ModelRunSettings } from '../agent/modelRunSettings';
import { resolveProtocol, type ProtocolSetting } from '../agent/protocol';
import { DEFAULT_LIMITS, type SandboxLimits } from '../sandbox/types';
import type { Settings } from './settingsSpec';

/** What makes a sandbox (pool) from the settings; spreads into SandboxPoolOptions / SandboxOptions. */
export interface SandboxRunOptions {
  /** Interpreter chosen by the user; undefined = python3/python on PATH. */
  readonly pythonPath: string | undefined;
  readonly limits: SandboxLimits;
  readonly mode: Settings['sandbox.state'];
  readonly isolation: Settings['sandbox.isolation'];
}

/** Everything a run takes from the settings, in the units the core uses. */
export interface RunOptions {
  /** The model server and, for an OpenAI-compatible one, its API key (never for Ollama). */
  readonly server: BackendConfig;
  readonly model: string;
  /** "auto" is decided per model by modelRunSettingsFor (asks the server for capabilities). */
  readonly protocol: ProtocolSetting;
  readonly think: ThinkSetting;
  /** Code-call budget per question. */
  readonly maxCodeCalls: number;
  readonly temperature: number;
  readonly seed: number | undefined;
  /** Context window requested from Ollama (num_ctx), tokens. */
  readonly contextTokens: number;
  /** Silence allowed between two tokens, seconds. */
  readonly stallSeconds: number;
  readonly sandbox: SandboxRunOptions;
  /** Whether model code runs unasked ("r1ci.sandbox.approval"). */
  readonly approval: Settings['sandbox.approval'];
  /** Scratch folders untouched this long are removed at start; 0 keeps them. */
  readonly scratchMaxAgeDays: number;
  readonly eval: {
    /** Questions at once; 0 = from the server kind (autoConcurrency). */
    readonly concurrency: number;
    /** Wall-clock limit per question, ms; 0 = none. */
    readonly questionTimeoutMs: number;
    /** Times each question is asked (k of pass@k). */
    readonly samples: number;
  };
}

const KiB = 1024;
const MiB = 1024 ** 2;

/**
 * Maps validated settings (parseSettings, or the CLI's flags) to run options. `apiKey` comes
 * from wherever the front end keeps it (VS Code's SecretStorage, the CLI's --api-key or
 * environment); it is passed on only to an OpenAI-compatible server.
 */
export function runOptionsFrom(settings: Settings, apiKey?: string): RunOptions {
  return {
    server: serverOptionsFrom(settings, apiKey),
    model: settings.model,
    protocol: settings.protocol,
    think: settings.think,
    maxCodeCalls: settings.maxCodeCalls,
    temperature: settings.temperature,
    seed: settings.seed ?? undefined,
    contextTokens: settings.contextTokens,
    stallSeconds: settings.stallSeconds,
    sandbox: {
      pythonPath: settings['python.path'] || undefined,
      limits: {
        // Budgets without a setting keep the sandbox's own defaults.
        ...DEFAULT_LIMITS,
        timeoutMs: settings['sandbox.timeoutSeconds'] * 1000,
        memoryBytes: settings['sandbox.memoryMiB'] * MiB,
        outputBytes: settings['sandbox.outputKiB'] * KiB,
        fileSizeBytes: settings['sandbox.fileSizeMiB'] * MiB,
        diskBytes: settings['sandbox.diskMiB'] * MiB,
      },
      mode: settings['sandbox.state'],
      isolation: settings['sandbox.isolation'],
    },
    approval: settings['sandbox.approval'],
    scratchMaxAgeDays: settings['sandbox.scratchMaxAgeDays'],
    eval: {
      concurrency: settings['eval.concurrency'],
      questionTimeoutMs: settings['eval.timeoutSeconds'] * 1000,
      samples: settings['eval.samples'],
    },
  };
}

/** The settings that say which model server is asked. */
export type ServerSettings = Pick<Settings, 'backend' | 'ollama.host' | 'openai.baseUrl'>;

/** The server part of runOptionsFrom, for callers that only talk to the server (model picker, status bar). */
export function serverOptionsFrom(settings: ServerSettings, apiKey?: string): BackendConfig {
  return {
    kind: settings.backend,
    ollamaHost: settings['ollama.host'],
    openaiBaseUrl: settings['openai.baseUrl'],
    apiKey: settings.backend === 'openai' && apiKey ? apiKey : undefined,
  };
}

/** The model server of `run`. Throws (TypeError) when its URL is not a valid URL. */
export function backendFor(run: Pick<RunOptions, 'server'>): ModelBackend {
  return createBackend(run.server);
}

/** What one run overrides: a question asked with another model or budget than the settings say. */
export interface RunOverrides {
  readonly model?: string;
  readonly maxCodeCalls?: number;
}

/**
 * How the model is asked, ready for runAgent/evaluate: `backend` (from backendFor) plus the
 * settings, with a protocol of "auto" decided for the model (Ollama's /api/show capabilities;
 * protocol.ts). Rejects only when `signal` aborts.
 */
export async function modelRunSettingsFor(run: RunOptions, backend: ModelBackend, signal?: AbortSignal, overrides: RunOverrides = {}): Promise<ModelRunSettings> {
  const model = overrides.model ?? run.model;
  return {
    backend,
    model,
    protocol: await resolveProtocol(backend, model, run.protocol, signal),
    think: run.think,
    maxCodeCalls: overrides.maxCodeCalls ?? run.maxCodeCalls,
    temperature: run.temperature,
    seed: run.seed,
    contextTokens: run.contextTokens,
    stallSeconds: run.stallSeconds,
  };
}
