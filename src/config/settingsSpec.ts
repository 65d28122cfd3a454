// Every setting of the extension, declared once. package.json's `contributes.configuration`
// is generated from this table by the build (scripts/build.mjs), and the zod schema that
// validates what VS Code hands us is derived from it too, as are the CLI's flags
// (src/cli/settingFlags.ts). runOptions.ts turns validated settings into what a run takes.
// Defaults the core also needs without any settings (the sandbox's limits, the stall timeout)
// are declared there once and quoted here, converted to the setting's unit.
import { z } from 'zod';
import { DEFAULT_STALL_SECONDS } from '../agent/stallWatchdog';
import { DEFAULT_LIMITS } from '../sandbox/types';

const KiB = 1024;
const MiB = 1024 ** 2;

interface BaseSpec {
  readonly description: string;
  readonly order?: number;
  /** Kept out of the workspace (machine-specific or sensitive). */
  readonly scope?: 'application' | 'machine' | 'window' | 'resource' | 'machine-overridable';
  /**
   * Part of the sandbox boundary: listed in package.json's restrictedConfigurations (ignored in
   * Restricted Mode), and a workspace value that weakens it needs the user's consent
   * (workspaceGuard.ts). `tier`/`approval`: weaker values only; `limit`: values larger than the
   * user's (a smaller limit applies unasked); `interpreter`/`server`: every change.
   */
  readonly guard?: GuardKind;
}
/**
 * What a guarded setting decides (issue 10 item 7). `concurrency`: how many sandboxes run at
 * once, each with the full limits, so it multiplies them (0 = chosen from the server kind).
 */
export type GuardKind = 'tier' | 'approval' | 'limit' | 'concurrency' | 'interpreter' | 'server';
interface StringSpec extends BaseSpec {
  readonly type: 'string';
  readonly default: string;
  readonly enum?: readonly string[];
  readonly enumDescriptions?: readonly string[];
  /** Fewest characters (VS Code's settings schema keyword; 1: never empty). */
  readonly minLength?: number;
}
interface NumberSpec extends BaseSpec {
  readonly type: 'number' | 'integer';
  readonly default: number;
  readonly minimum?: number;
  readonly maximum?: number;
  /** Unit of the value, for help texts and messages (not written to package.json). */
  readonly unit?: SettingUnit;
}
/** Units of numeric settings: seconds, days, KiB, MiB, tokens. */
export type SettingUnit = 's' | 'days' | 'KiB' | 'MiB' | 'tokens';
interface NullableIntegerSpec extends BaseSpec {
  readonly type: readonly ['integer', 'null'];
  readonly default: null;
  readonly minimum?: number;
}
interface BooleanSpec extends BaseSpec {
  readonly type: 'boolean';
  readonly default: boolean;
}
export type SettingSpec = StringSpec | NumberSpec | NullableIntegerSpec | BooleanSpec;

export const SETTINGS_SECTION = 'r1ci';

export const SETTINGS_SPEC = {
  backend: {
    type: 'string',
    default: 'ollama',
    enum: ['ollama', 'openai'],
    enumDescriptions: ['Ollama (local, default).', 'Any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, SGLang.'],
    description: 'Which kind of model server to talk to.',
    order: 0,
    guard: 'server',
  },
  'ollama.host': {
    type: 'string',
    default: '',
    description: 'Ollama server URL. Empty: the OLLAMA_HOST environment variable, else http://127.0.0.1:11434.',
    order: 1,
    guard: 'server',
  },
  'openai.baseUrl': {
    type: 'string',
    default: 'http://127.0.0.1:8000/v1',
    description: "Base URL of an OpenAI-compatible server (ends in /v1). The API key, if any, is kept in VS Code's secret storage, never in settings.",
    order: 2,
    guard: 'server',
  },
  model: {
    type: 'string',
    default: 'qwen2.5-coder:7b',
    minLength: 1,
    description: 'Model name as the server knows it, e.g. an R1-CI model imported into Ollama, or qwen2.5-coder:7b.',
    order: 3,
  },
  protocol: {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'r1ci', 'chat', 'tools'],
    enumDescriptions: [
      'R1-CI for models whose name says R1-Code-Interpreter; tools for models whose capabilities (Ollama) include native tool calls; chat otherwise.',
      "Results appended to the model's own turn, which it continues (how R1-CI models were trained).",
      'Results sent as a new user message (better for general instruction models).',
      'The Python runner offered as a native tool; results go back as tool messages (models trained for tool calling).',
    ],
    description: 'How the model asks for code to run and how execution results are given back to it.',
    order: 4,
  },
  think: {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'on', 'off', 'low', 'medium', 'high'],
    enumDescriptions: [
      'Ollama: ask for separate reasoning when the model lists the "thinking" capability. OpenAI-compatible: the server decides.',
      'Ollama: think (reasoning in its own field).',
      'Ollama: do not think.',
      'gpt-oss reasoning effort low (Ollama think, OpenAI-compatible reasoning_effort).',
      'gpt-oss reasoning effort medium.',
      'gpt-oss reasoning effort high.',
    ],
    description: 'Reasoning of reasoning models (qwen3, deepseek-r1, gpt-oss). Reasoning is shown folded and stored, never searched for the answer.',
    order: 22,
  },
  maxCodeCalls: { type: 'integer', default: 5, minimum: 0, maximum: 50, description: 'Code-call budget per question: 5 for the R1-CI v1 checkpoints, 8 for v2 (the budgets of the paper).', order: 5 },
  temperature: { type: 'number', default: 0.6, minimum: 0, maximum: 2, description: 'Sampling temperature (the paper uses 0.6).', order: 6 },
  seed: { type: ['integer', 'null'], default: null, minimum: 0, description: 'Sampling seed for reproducible runs; null for none.', order: 7 },
  contextTokens: {
    type: 'integer',
    default: 16384,
    minimum: 1024,
    unit: 'tokens',
    maximum: 1048576,
    description: "Context window requested from Ollama (num_ctx). Ollama's own default silently truncates long conversations.",
    order: 8,
  },
  stallSeconds: {
    type: 'integer',
    default: DEFAULT_STALL_SECONDS,
    minimum: 5,
    unit: 's',
    maximum: 3600,
    description: 'Give up on a model reply after this many seconds without a token (the request is retried once when nothing was shown yet). The first token may take up to 5 minutes while a model loads.',
    order: 9,
  },
  'python.path': {
    type: 'string',
    default: '',
    description: 'Python interpreter for model-written code. Empty: python3 (or python) on PATH, resolved once to the real interpreter.',
    order: 10,
    guard: 'interpreter',
  },
  'sandbox.timeoutSeconds': { type: 'integer', default: DEFAULT_LIMITS.timeoutMs / 1000, minimum: 1, unit: 's', maximum: 3600, description: 'Wall-clock limit per code cell.', order: 11, guard: 'limit' },
  'sandbox.memoryMiB': {
    type: 'integer',
    default: DEFAULT_LIMITS.memoryBytes / MiB,
    minimum: 64,
    unit: 'MiB',
    maximum: 1048576,
    description: "Memory of the whole sandbox: all the processes a conversation's code starts and the files it keeps in /tmp, home and /dev/shm, together (a memory cgroup where one can be had, else watched on Linux).",
    order: 12,
    guard: 'limit',
  },
  'sandbox.outputKiB': {
    type: 'integer',
    default: DEFAULT_LIMITS.outputBytes / KiB,
    minimum: 1,
    unit: 'KiB',
    maximum: 16384,
    description: 'Output given back to the model per cell; the full output is kept in a private folder outside the sandbox.',
    order: 13,
    guard: 'limit',
  },
  'sandbox.fileSizeMiB': {
    type: 'integer',
    default: DEFAULT_LIMITS.fileSizeBytes / MiB,
    minimum: 1,
    unit: 'MiB',
    maximum: 1048576,
    description: 'Largest file a code cell may write (RLIMIT_FSIZE); a cell that exceeds it is stopped and told so.',
    order: 14,
    guard: 'limit',
  },
  'sandbox.diskMiB': {
    type: 'integer',
    default: DEFAULT_LIMITS.diskBytes / MiB,
    minimum: 1,
    unit: 'MiB',
    maximum: 1048576,
    description: 'Disk a conversation\'s scratch folder may take in total (checked after each cell and while a long cell runs); over it the cell is told "disk budget of the sandbox used up".',
    order: 14,
    guard: 'limit',
  },
  'sandbox.scratchMaxAgeDays': {
    type: 'integer',
    default: 7,
    minimum: 0,
    unit: 'days',
    maximum: 3650,
    description: "Scratch folders (files the code wrote) untouched for this many days are removed when the extension starts; 0 keeps them. A deleted conversation's scratch folder is removed at once.",
    order: 14,
  },
  'sandbox.state': {
    type: 'string',
    default: 'persistent',
    enum: ['persistent', 'stateless'],
    enumDescriptions: ['One interpreter per conversation: later cells see earlier variables.', 'A fresh namespace for every cell, as in R1-CI training.'],
    description: 'Whether code cells of one conversation share variables.',
    order: 14,
  },
  'sandbox.isolation': {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'basic'],
    enumDescriptions: ['Use bubblewrap isolation where it works, else the basic tier (with a warning).', 'Always the basic tier (resource limits, no namespaces).'],
    description: 'How model-written code is isolated.',
    order: 15,
    guard: 'tier',
  },
  'sandbox.approval': {
    type: 'string',
    default: 'default',
    enum: ['default', 'auto', 'ask', 'never'],
    enumDescriptions: ['auto on the isolated tier, ask on the basic tier.', 'Run code without asking.', 'Show each code block and wait for Run.', 'Never run code (text-only answers).'],
    description: 'Whether model-written code runs without asking.',
    order: 16,
    guard: 'approval',
  },
  'eval.concurrency': {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 64,
    description: 'Questions evaluated at once. 0 = from the server kind: 1 for Ollama (a local model answers one request at a time well), 4 for an OpenAI-compatible server such as vLLM.',
    order: 20,
    guard: 'concurrency',
  },
  'eval.timeoutSeconds': { type: 'integer', default: 600, minimum: 0, unit: 's', maximum: 86400, description: 'Wall-clock limit per evaluated question (0 = none); a question over it is scored wrong.', order: 21 },
  'eval.samples': {
    type: 'integer',
    default: 1,
    minimum: 1,
    maximum: 1024,
    description: "Times each evaluated question is asked (k). Above 1 the results show pass@k, mean@k and each question's success rate p with the improvement potential 4p(1−p); use a temperature above 0.",
    order: 22,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS_SPEC;

/** The zod schema of one setting's value (type, enum, range), from the table. */
export function settingSchema(key: SettingKey): z.ZodType {
  return schemaFor(SETTINGS_SPEC[key]);
}

function schemaFor(spec: SettingSpec): z.ZodType {
  if (Array.isArray(spec.type)) {
    const s = spec as NullableIntegerSpec;
    let n = z.number().int();
    if (s.minimum !== undefined) n = n.min(s.minimum);
    return n.nullable();
  }
  switch (spec.type) {
    case 'string': {
      const s = spec as StringSpec;
      return s.enum ? z.enum(s.enum as [string, ...string[]]) : z.string().min(s.minLength ?? 0);
    }
    case 'boolean':
      return z.boolean();
    default: {
      const s = spec as NumberSpec;
      let n = s.type === 'integer' ? z.number().int() : z.number();
      if (s.minimum !== undefined) n = n.min(s.minimum);
      if (s.maximum !== undefined) n = n.max(s.maximum);
      return n;
    }
  }
}

/** The `contributes.configuration.properties` object for package.json. */
export function packageJsonProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(SETTINGS_SPEC) as [string, SettingSpec][]) {
    const { description, guard: _guard, unit: _unit, ...rest }: SettingSpec & { unit?: SettingUnit } = spec;
    out[`${SETTINGS_SECTION}.${key}`] = { ...rest, markdownDescription: description };
  }
  return out;
}

/** The guarded settings and what each decides, from the table. */
export function guardedSettings(): ReadonlyArray<readonly [SettingKey, GuardKind]> {
  const out: [SettingKey, GuardKind][] = [];
  for (const [key, spec] of Object.entries(SETTINGS_SPEC) as [SettingKey, SettingSpec][]) if (spec.guard) out.push([key, spec.guard]);
  return out;
}

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations`: every guarded setting. */
export function restrictedConfigurations(): string[] {
  return guardedSettings().map(([key]) => `${SETTINGS_SECTION}.${key}`);
}

type SpecValue<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: readonly ['integer', 'null'] }
        ? number | null
        : number;
export type Settings = { readonly [K in SettingKey]: SpecValue<(typeof SETTINGS_SPEC)[K]> };

/**
 * Validates raw values (from VS Code or a CLI) one by one: a bad value falls back to its default
 * and is reported, so one typo never loses the rest of the settings.
 */
export function parseSettings(read: (key: SettingKey) => unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS_SPEC) as [SettingKey, SettingSpec][]) {
    const raw = read(key);
    if (raw === undefined) {
      values[key] = spec.default;
      continue;
    }
    const parsed = schemaFor(spec).safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else {
      values[key] = spec.default;
      problems.push(`Setting "${SETTINGS_SECTION}.${key}" has an invalid value ${JSON.stringify(raw)} (${parsed.error.issues[0]?.message ?? 'invalid'}); using ${JSON.stringify(spec.default)}.`);
    }
  }
  return { settings: values as Settings, problems };
}

export function defaultSettings(): Settings {
  return parseSettings(() => undefined).settings;
}
