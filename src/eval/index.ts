// Public surface of the pure evaluation code (no VS Code, no model).
export { describeUnsupported, loadTasks } from './load';
export { itemId, relativeId } from './ids';
export { scoreAnswer, scoreAnswerAsync, expectedOf, submittedAnswer, type AsyncScoreOptions, type Submission } from './score';
export { answerLineSchema, indexTasks, parseAnswerLine, scoreSubmission, type AnswerLine, type ScoredLine, type TaskIndex } from './scoreAnswers';
export { extractFinalAnswer, cleanAnswer, normalizeText } from './answerText';
export { reasoningGymSupport, scoreReasoningGym, type RgEntry, type RgScoreOutcome, type RgSupport } from './reasoningGym';
export { evaluateArithmetic, type ArithmeticResult, type Evaluation } from './arithmetic';
export type { PythonCheckRunner } from './scorers/python';
export { BUILTIN_CHECKERS, taskFileRecordSchema, type TaskFileRecord } from './loaders/taskfile';
export {
  ANSWER_FORMAT_INSTRUCTION,
  scorerSpecSchema,
  taskRecordSchema,
  type LoadProblem,
  type LoadResult,
  type ScoreResult,
  type ScorerSpec,
  type ScorerKind,
  type TaskRecord,
  type TaskSource,
  type UnsupportedTask,
} from './types';
export {
  appendResult,
  chatMessageSchema,
  compareRuns,
  comparisonToMarkdown,
  formatResultLine,
  latestById,
  readResults,
  resultRecordSchema,
  resultStepSchema,
  scoreOf,
  sftTranscripts,
  summarize,
  toCsv,
  toMarkdown,
  type ChatMessage,
  type ReadResults,
  type ResultRecord,
  type ResultStep,
  type RunComparison,
  type RunSummary,
  type Stats,
  type TaskDelta,
  type TaskStats,
} from './results';
export { runEvaluation, resumableResults, type EvalEvent, type EvalRunOptions, type RunMeta, type SolveContext, type SolveFn, type SolveOutcome } from './runner';
export { autoConcurrency, evaluate, type EvaluateOptions } from './evaluate';
export { solveRecord, stepsOf, type SolveRecordOptions } from './solveRecord';
export { checkerCell, sandboxCheckRunner } from './sandboxChecker';
