// How the model is asked — the same for every question of a solve or an evaluation run (and
// recorded with evaluation results). The agent takes these plus per-run options.
import type { ModelBackend, ThinkSetting } from './backends/types';
import type { ProtocolMode } from './protocol';

export interface ModelRunSettings {
  readonly backend: ModelBackend;
  readonly model: string;
  readonly protocol: ProtocolMode;
  readonly maxCodeCalls: number;
  readonly temperature: number;
  readonly seed?: number;
  /** Context window to request (Ollama num_ctx). */
  readonly contextTokens?: number;
  /** Silence allowed between two tokens before the request is abandoned as stalled (default 60). */
  readonly stallSeconds?: number;
  /** Reasoning control ("r1ci.think"; absent = 'auto'). */
  readonly think?: ThinkSetting;
}

/** Only the ModelRunSettings fields of a wider options object. */
export function modelRunSettings(o: ModelRunSettings): ModelRunSettings {
  return {
    backend: o.backend,
    model: o.model,
    protocol: o.protocol,
    maxCodeCalls: o.maxCodeCalls,
    temperature: o.temperature,
    seed: o.seed,
    contextTokens: o.contextTokens,
    stallSeconds: o.stallSeconds,
    think: o.think,
  };
}
