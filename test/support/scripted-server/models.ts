// The models the fake server "has": installed (in /api/tags and /v1/models), pullable, loaded (/api/ps).
import { createHash } from 'node:crypto';

export interface ModelSpec {
  /** e.g. "qwen2.5-coder:7b"; a name without a tag means ":latest". */
  readonly name: string;
  readonly family?: string;
  readonly parameterSize?: string;
  readonly quantization?: string;
  /** Reported by /api/show (model_info "<family>.context_length") and /api/ps. */
  readonly contextLength?: number;
  readonly sizeBytes?: number;
  /** /api/show capabilities (default ["completion"]; reasoning models add "thinking", tool-calling ones "tools"). */
  readonly capabilities?: readonly string[];
  /** Listed as `max_model_len` in /v1/models, as vLLM does (absent: not listed, like most servers). */
  readonly maxModelLen?: number;
  /**
   * Given by GET /props as `default_generation_settings.n_ctx`, as llama.cpp's server does for the
   * model it serves (tools/server README, "GET /props"); /props answers 404 when no model has it.
   */
  readonly llamaCppCtx?: number;
  /**
   * Optional fields it has no value for go out as `null` instead of being left out, as a proxy
   * passing on replies read with ollama-python's models writes them (ollama/_types.py, each
   * `Optional[…] = None`): `size` and `details` in /api/tags, `expires_at`, `size_vram` and
   * `context_length` in /api/ps, `model_info` and `capabilities` in /api/show.
   */
  readonly nullFields?: boolean;
}

export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { name: 'r1-code-interpreter:7b', family: 'qwen2', parameterSize: '7.6B', quantization: 'Q4_K_M', contextLength: 32768 },
  { name: 'qwen2.5-coder:7b', family: 'qwen2', parameterSize: '7.6B', quantization: 'Q4_K_M', contextLength: 32768 },
];

/** Fixed so replies are reproducible. */
const MODIFIED_AT = '2025-09-01T12:00:00.000000000Z';
const CREATED_EPOCH_S = 1756728000;

/** Ollama treats "name" and "name:latest" as the same model. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function digestOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

interface ResolvedModel {
  readonly name: string;
  readonly family: string;
  readonly parameterSize: string;
  readonly quantization: string;
  readonly contextLength: number;
  readonly sizeBytes: number;
  readonly digest: string;
  readonly capabilities: readonly string[];
  readonly maxModelLen: number | undefined;
  readonly llamaCppCtx: number | undefined;
  readonly nullFields: boolean;
}

function resolve(spec: ModelSpec): ResolvedModel {
  const name = normalizeModelName(spec.name);
  return {
    name,
    family: spec.family ?? 'qwen2',
    parameterSize: spec.parameterSize ?? '7.6B',
    quantization: spec.quantization ?? 'Q4_K_M',
    contextLength: spec.contextLength ?? 32768,
    sizeBytes: spec.sizeBytes ?? 4_683_087_332,
    digest: digestOf(name),
    capabilities: spec.capabilities ?? ['completion'],
    maxModelLen: spec.maxModelLen,
    llamaCppCtx: spec.llamaCppCtx,
    nullFields: spec.nullFields === true,
  };
}

export class ModelRegistry {
  private readonly installed = new Map<string, ResolvedModel>();
  private readonly loaded = new Set<string>();

  constructor(
    models: readonly ModelSpec[],
    /** Names `/api/pull` accepts; 'any' accepts every name. */
    private readonly pullable: 'any' | readonly string[],
  ) {
    for (const m of models) this.add(m);
  }

  add(spec: ModelSpec): void {
    const model = resolve(spec);
    this.installed.set(model.name, model);
  }

  has(name: string): boolean {
    return this.installed.has(normalizeModelName(name));
  }

  remove(name: string): boolean {
    const key = normalizeModelName(name);
    this.loaded.delete(key);
    return this.installed.delete(key);
  }

  canPull(name: string): boolean {
    return this.pullable === 'any' || this.pullable.map(normalizeModelName).includes(normalizeModelName(name));
  }

  markLoaded(name: string): void {
    const key = normalizeModelName(name);
    if (this.installed.has(key)) this.loaded.add(key);
  }

  names(): string[] {
    return [...this.installed.keys()];
  }

  /** The layers a pull "downloads" (deterministic digests and sizes). */
  layersOf(name: string): Array<{ digest: string; total: number }> {
    const base = digestOf(normalizeModelName(name));
    return [
      { digest: `sha256:${base}`, total: 4_683_073_184 },
      { digest: `sha256:${digestOf(`${base}/template`)}`, total: 1_482 },
    ];
  }

  private details(m: ResolvedModel): Record<string, unknown> {
    return {
      parent_model: '',
      format: 'gguf',
      family: m.family,
      families: [m.family],
      parameter_size: m.parameterSize,
      quantization_level: m.quantization,
    };
  }

  tags(): { models: Array<Record<string, unknown>> } {
    return {
      models: [...this.installed.values()].map((m) => ({
        name: m.name,
        model: m.name,
        modified_at: MODIFIED_AT,
        size: m.nullFields ? null : m.sizeBytes,
        digest: m.digest,
        details: m.nullFields ? null : this.details(m),
      })),
    };
  }

  ps(): { models: Array<Record<string, unknown>> } {
    const expires = new Date(Date.now() + 5 * 60_000).toISOString();
    return {
      models: [...this.loaded]
        .map((name) => this.installed.get(name))
        .filter((m): m is ResolvedModel => m !== undefined)
        .map((m) => ({
          name: m.name,
          model: m.name,
          size: m.sizeBytes,
          digest: m.digest,
          details: this.details(m),
          expires_at: m.nullFields ? null : expires,
          size_vram: m.nullFields ? null : m.sizeBytes,
          context_length: m.nullFields ? null : 4096,
        })),
    };
  }

  show(name: string): Record<string, unknown> | null {
    const m = this.installed.get(normalizeModelName(name));
    if (m === undefined) return null;
    return {
      license: 'MIT',
      modelfile: `# Modelfile generated by the scripted test server\nFROM ${m.name}\n`,
      parameters: 'temperature 0.6\nstop "<|im_end|>"',
      template: '{{ .Prompt }}',
      details: this.details(m),
      model_info: m.nullFields
        ? null
        : {
            'general.architecture': m.family,
            'general.parameter_count': 7_615_616_512,
            [`${m.family}.context_length`]: m.contextLength,
          },
      capabilities: m.nullFields ? null : [...m.capabilities],
      modified_at: MODIFIED_AT,
    };
  }

  /** llama.cpp's GET /props for the first model with `llamaCppCtx`, or undefined (no such model: 404). */
  llamaCppProps(): Record<string, unknown> | undefined {
    const model = [...this.installed.values()].find((m) => m.llamaCppCtx !== undefined);
    if (model?.llamaCppCtx === undefined) return undefined;
    return {
      default_generation_settings: { id: 0, id_task: -1, n_ctx: model.llamaCppCtx, speculative: false, is_processing: false, params: { n_predict: -1, temperature: 0.8 } },
      total_slots: 1,
      model_alias: model.name,
      model_path: `/models/${model.name}.gguf`,
      modalities: { vision: false, audio: false },
      chat_template: '',
      bos_token: '<s>',
      eos_token: '</s>',
      build_info: 'b0000-scripted',
    };
  }

  openAiList(): { object: 'list'; data: Array<Record<string, unknown>> } {
    return {
      object: 'list',
      data: [...this.installed.values()].map((m) => ({
        id: m.name,
        object: 'model',
        created: CREATED_EPOCH_S,
        owned_by: 'library',
        ...(m.maxModelLen !== undefined ? { max_model_len: m.maxModelLen } : {}),
      })),
    };
  }
}
