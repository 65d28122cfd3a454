// The record of one question of a conversation: every model request with its text, reasoning,
// code cell and execution result, and how the run ended. Declared once, as a zod schema with
// the types inferred from it. Agent events are folded into it (agent/trajectory.ts `applyEvent`);
// evaluation results (eval/solveRecord.ts), notebook cells (notebook/solutionCells.ts), SFT and
// rollout exports are derived from it; commands that receive one validate it here.
// Room to grow (issues 11 and 12): reasoning per turn, tool-call cells (`source`), samples and
// rewards live beside it in the eval result record, which is built from this one.
import { z } from 'zod';
import { execResultSchema, NOT_RUN_MESSAGE } from './execResult';

/** Where the code of a cell came from: a python fence in the model's text (the R1-CI way), one in its reasoning (run because the reply had neither code nor answer), or a native tool call. */
export const codeSourceSchema = z.enum(['text', 'reasoning', 'tool-call']);
/** See `codeSourceSchema`. */
export type CodeSource = z.infer<typeof codeSourceSchema>;

/**
 * Why a run ended: `answer` (the model gave `<<<answer>>>` or a recognised fallback),
 * `no-answer` (it stopped without one), `budget` (the code-call budget was used up and the model
 * asked for more), `cancelled`, `error`.
 */
export const stopReasonSchema = z.enum(['answer', 'no-answer', 'budget', 'cancelled', 'error']);
/** See `stopReasonSchema`. */
export type StopReason = z.infer<typeof stopReasonSchema>;

/**
 * Where a run's final answer came from: `model` (the model's own `<<<…>>>`), `model-boxed` (the
 * model's text had only `\boxed{…}`: shown, but not the format benchmarks ask for),
 * `code-output` (the model's text had none; the last execution output printed `<<<…>>>`), or
 * `reasoning` (the last reply's text was empty and its reasoning held the `<<<…>>>`: the whole
 * reply went to the reasoning channel), or `reasoning-boxed` (the same with only a `\boxed{…}`
 * there, and none in the model's text: shown, but, as `model-boxed`, not the format benchmarks ask for).
 */
export const answerSourceSchema = z.enum(['model', 'model-boxed', 'code-output', 'reasoning', 'reasoning-boxed']);
/** See `answerSourceSchema`. */
export type AnswerSource = z.infer<typeof answerSourceSchema>;

/**
 * Something the user should know that does not end the run: `context-truncated` (the
 * conversation no longer fits the context window), `retry` (a transient failure before any
 * token, retried once), `output-truncated` (the server stopped at its token limit; a code block
 * cut there is not run), `code-in-reasoning` (the python block in the reasoning was run), `tool-call-without-tools`
 * (a native python call outside the tools protocol was run as a fence would be), `tool-call-error` (a
 * native tool call could not be run — arguments not JSON, no code, another tool — and spent a code call;
 * the message holds what the model was told), `empty-reply` (the server ended a reply normally with
 * nothing in it — no text, reasoning or tool call — and the run has no answer; or its finish_reason
 * said the model called a tool but it carried no call: the server's tool-call parser lost it).
 */
export const agentWarningKindSchema = z.enum(['context-truncated', 'retry', 'output-truncated', 'code-in-reasoning', 'tool-call-without-tools', 'tool-call-error', 'empty-reply']);

/** Per model request: what it cost. Time in code is the following execution result's durationMs. */
export const turnStatsSchema = z.object({
  /** Prompt tokens the server evaluated (Ollama: may exclude a cached prefix, and is capped at num_ctx). */
  promptTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  /** Output tokens per second (from the server's generation time, else measured from the first token). */
  tokensPerSecond: z.number().optional(),
  /** Wall-clock time spent waiting on the model for this turn (including retries), ms. */
  modelMs: z.number(),
  /** From sending the request to the first token, ms; absent when no token came. */
  firstTokenMs: z.number().optional(),
  /** The server's reason for stopping ('stop', 'length', ...); absent when we cut at a closing fence. */
  doneReason: z.string().optional(),
  /** Automatic retries this turn needed: the one retry of a transient failure, plus each request again after waiting for a loading model. */
  retries: z.number().optional(),
  /** Our lower-bound estimate of the prompt's tokens, for comparing with promptTokens. */
  promptTokensEstimate: z.number().optional(),
});
/** See `turnStatsSchema`. */
export type TurnStats = Readonly<z.infer<typeof turnStatsSchema>>;

export const trajectoryCellSchema = z.object({
  /** 0-based cell number within the question. */
  index: z.number().int(),
  language: z.string(),
  code: z.string(),
  /** Where the code came from; absent = a fence in the model's text. */
  source: codeSourceSchema.optional(),
  /** Absent when the code was not run (declined, cancelled). */
  result: execResultSchema.optional(),
});
/**
 * See `trajectoryCellSchema`.
 * @public Part of the conversation record's named types (re-exported by src/agent/trajectory.ts); kept although nothing imports it yet.
 */
export type TrajectoryCell = z.infer<typeof trajectoryCellSchema>;

export const trajectoryTurnSchema = z.object({
  /** 0-based model request number within the question (several tool-call cells of one request share it). */
  turn: z.number().int(),
  /** What the model wrote in this request (up to the closing fence when it called code), reasoning excluded. */
  text: z.string(),
  /** The model's reasoning in this request (reasoning channel or inline <think>); absent when it gave none. */
  reasoning: z.string().optional(),
  cell: trajectoryCellSchema.optional(),
  stats: turnStatsSchema.optional(),
  /** Time the code of this turn's cell ran, ms (the model's time is stats.modelMs). */
  codeMs: z.number().optional(),
});
/** See `trajectoryTurnSchema`. */
export type TrajectoryTurn = z.infer<typeof trajectoryTurnSchema>;

export const trajectoryWarningSchema = z.object({ kind: agentWarningKindSchema, turn: z.number(), message: z.string() });

export const trajectorySchema = z.object({
  question: z.string(),
  model: z.string(),
  turns: z.array(trajectoryTurnSchema),
  /** The final answer (content of the last `<<<...>>>`), or null when none was given. */
  answer: z.string().nullable(),
  /** Where the answer came from (absent: no answer, or a record from before this field). */
  answerSource: answerSourceSchema.optional(),
  /** 'running' until the run's `done` event. */
  reason: z.union([stopReasonSchema, z.literal('running')]),
  codeCalls: z.number().int(),
  error: z.string().optional(),
  /** Warnings during the run (context truncated, a retried request, ...), in order. */
  warnings: z.array(trajectoryWarningSchema).optional(),
  /** Time spent waiting on the model vs. in code, summed over turns, ms. */
  modelMs: z.number(),
  codeMs: z.number(),
});
/** The record of one question of a conversation; see `trajectorySchema`. */
export type Trajectory = z.infer<typeof trajectorySchema>;

/** A trajectory before its first event. */
export function emptyTrajectory(): Trajectory {
  return { question: '', model: '', turns: [], answer: null, reason: 'running', codeCalls: 0, modelMs: 0, codeMs: 0 };
}

/**
 * True when some code of the run was executed: a cell with a result that is not the isolation
 * gate's refusal (NOT_RUN_MESSAGE). `codeCalls` counts the code-call budget spent, which also
 * counts code the user declined to run (no result), the gate refused, a token limit cut, or a
 * tool call that could not be read; an evaluation's "used code" is this instead.
 */
export function ranCode(trajectory: Pick<Trajectory, 'turns'>): boolean {
  return trajectory.turns.some((turn) => turn.cell?.result !== undefined && turn.cell.result.killMessage !== NOT_RUN_MESSAGE);
}
