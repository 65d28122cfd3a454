// Everything one running server shares between its routes.
import type { ModelRegistry } from './models';
import type { FaultCounters } from './replyPlan';
import type { RequestLog } from './requestLog';
import type { Scenario } from './scenarioSchema';
import type { TimerRegistry } from './timers';

export interface ServerState {
  scenarios: Scenario[];
  readonly models: ModelRegistry;
  readonly log: RequestLog;
  readonly timers: TimerRegistry;
  readonly faultCounters: FaultCounters;
  /** Ollama's context window when the request sets no `num_ctx` (0.12 defaults to 4096). */
  readonly defaultContextTokens: number;
  /** When set, /v1/* requires `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string | undefined;
  /** Delay between /api/pull progress lines. */
  readonly pullStepDelayMs: number;
}
