// Decides what to answer to one chat request: which scenario and turn, the rendered chunks,
// delays and faults. Pure apart from the http500 counters, so it is easy to test.
import { estimatePromptTokens, readConversation, type PlainMessage } from './conversation';
import type { Faults, Scenario, ScenarioMatch, ScriptedToolCall, Turn, WireOptions } from './scenarioSchema';
import { renderTemplate } from './template';

export const DEFAULT_CHUNK_SIZE = 4;
const FILLER_CHUNK_SIZE = 1024;
const FILLER = 'The scripted server pads this reply to make it huge. ';

export interface ReplyPlan {
  readonly scenarioId: string | null;
  readonly turnIndex: number | null;
  readonly question: string;
  readonly resultCount: number;
  readonly latestResult: string | null;
  /** Content chunks in order, already cut by stop sequences or the token limit. */
  readonly chunks: readonly string[];
  /** Reasoning chunks, sent before the content (how depends on `reasoning`). */
  readonly thinkingChunks: readonly string[];
  readonly thinkingDelayMs: number;
  /** 'field': the API's reasoning field; 'inline': `<think>…</think>` in the content; 'none': not sent. */
  readonly reasoning: 'field' | 'inline' | 'none';
  /** Native tool calls sent after the content. */
  readonly toolCalls: readonly ScriptedToolCall[];
  /** Answer one JSON document even when streaming was asked. */
  readonly nonStream: boolean;
  readonly wire: WireOptions;
  readonly doneReason: NonNullable<Turn['doneReason']>;
  readonly firstTokenDelayMs: number;
  readonly perChunkDelayMs: number;
  readonly faults: Faults;
  /** Set when this request must fail with an HTTP error. */
  readonly httpError: {
    readonly status: number;
    readonly message: string;
    readonly form: 'json' | 'html' | 'flatJson' | 'string' | 'object';
    readonly retryAfterS?: number;
    readonly estimatedTimeS?: number;
  } | null;
  readonly promptTokens: number;
  readonly problems: readonly string[];
}

export interface GenerationLimits {
  /** Stop sequences: output ends before the first one (as a real server does). */
  readonly stop: readonly string[];
  /** Maximum number of chunks ("tokens") to generate. */
  readonly maxTokens: number | undefined;
  /** Context window: the reported prompt token count never exceeds it (Ollama truncates silently). */
  readonly contextTokens: number | undefined;
  /** How this request gets reasoning: Ollama decides by its `think` field; OpenAI-compatible servers use the field. */
  readonly reasoning: ReplyPlan['reasoning'];
  /** The request's sampling seed (Ollama `options.seed`, OpenAI `seed`), matched against a scenario's `seeds`. */
  readonly seed?: number | undefined;
}

export function matchesQuestion(match: ScenarioMatch, question: string): boolean {
  if (typeof match === 'string') return question.includes(match);
  if ('contains' in match) return question.includes(match.contains);
  return new RegExp(match.regex, match.flags).test(question);
}

/** Splits by code points (never inside a surrogate pair), like a tokenizer emitting valid text. */
export function splitIntoChunks(text: string, size: number): string[] {
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size).join(''));
  return chunks;
}

/** `count` chunks of reasoning: the text split evenly, or repeated when it is shorter than `count` code points. */
export function thinkingPieces(text: string, count: number | undefined, size: number): string[] {
  if (count === undefined) return splitIntoChunks(text, size);
  const points = Array.from(text);
  if (points.length < count) return Array.from({ length: count }, () => text);
  const per = Math.ceil(points.length / count);
  return splitIntoChunks(text, per);
}

function fillerChunks(bytes: number): string[] {
  const text = FILLER.repeat(Math.ceil(bytes / FILLER.length)).slice(0, bytes);
  return splitIntoChunks(text, FILLER_CHUNK_SIZE);
}

/** Cuts the chunk list where the first stop sequence begins. */
function applyStop(chunks: readonly string[], stop: readonly string[]): { chunks: string[]; stopped: boolean } {
  const full = chunks.join('');
  let cut = -1;
  for (const s of stop) {
    if (s === '') continue;
    const at = full.indexOf(s);
    if (at !== -1 && (cut === -1 || at < cut)) cut = at;
  }
  if (cut === -1) return { chunks: [...chunks], stopped: false };
  const out: string[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (used >= cut) break;
    const piece = chunk.slice(0, cut - used);
    out.push(piece);
    used += chunk.length;
  }
  return { chunks: out.filter((c) => c !== ''), stopped: true };
}

/** The reply that makes a scripted-server problem obvious: a first line naming it, and an answer no test accepts. */
export function failureText(problem: string): string {
  // The problem may quote the question, whose own `<<<5>>>` (a format example) would otherwise be
  // the last marker of the reply, and a right answer: the markers in it are broken up.
  const shown = problem.replaceAll('<<<', '<< <').replaceAll('>>>', '> >>');
  return `SCRIPTED-SERVER FAILURE: ${shown}\n<<<SCRIPTED-SERVER: ${shown}>>>`;
}

/** Counts http500 faults already served, keyed by scenario and turn, so `times` can expire. */
export type FaultCounters = Map<string, number>;

interface Chosen {
  readonly scenario: Scenario | null;
  readonly turnIndex: number | null;
  readonly turn: Turn | null;
  readonly problem: string | null;
}

function choose(scenarios: readonly Scenario[], question: string, resultCount: number, seed: number | undefined): Chosen {
  const scenario = scenarios.find((s) => matchesQuestion(s.match, question) && (s.seeds === undefined || (seed !== undefined && s.seeds.includes(seed))));
  if (scenario === undefined) {
    const shown = question.length > 120 ? `…${question.slice(-120)}` : question;
    return { scenario: null, turnIndex: null, turn: null, problem: `no scenario matched the question ${JSON.stringify(shown)}` };
  }
  let turnIndex = resultCount;
  if (turnIndex >= scenario.turns.length && scenario.repeatLastTurn === true) turnIndex = scenario.turns.length - 1;
  const turn = scenario.turns[turnIndex];
  if (turn === undefined) {
    return {
      scenario,
      turnIndex,
      turn: null,
      problem: `scenario "${scenario.id}" has no turn ${turnIndex} (it has ${scenario.turns.length}; ${resultCount} execution results were sent)`,
    };
  }
  return { scenario, turnIndex, turn, problem: null };
}

function renderThinking(scenario: Scenario, turn: Turn, latestResult: string | null): { chunks: string[] } | { problem: string } {
  if (turn.thinking === undefined) return { chunks: [] };
  const r = renderTemplate(turn.thinking, latestResult);
  return r.ok ? { chunks: thinkingPieces(r.text, turn.thinkingChunks, turn.chunkSize ?? scenario.chunkSize ?? DEFAULT_CHUNK_SIZE) } : { problem: r.problem };
}

function renderTurn(scenario: Scenario, turn: Turn, latestResult: string | null): { chunks: string[] } | { problem: string } {
  if (turn.expectResultContains !== undefined) {
    if (latestResult === null) return { problem: `expected an execution result containing ${JSON.stringify(turn.expectResultContains)} but no execution result was sent` };
    if (!latestResult.includes(turn.expectResultContains)) {
      return { problem: `expected the execution result to contain ${JSON.stringify(turn.expectResultContains)} but it was ${JSON.stringify(latestResult)}` };
    }
  }
  const size = turn.chunkSize ?? scenario.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (turn.chunks !== undefined) {
    const chunks: string[] = [];
    for (const piece of turn.chunks) {
      const r = renderTemplate(piece, latestResult);
      if (!r.ok) return { problem: r.problem };
      chunks.push(r.text);
    }
    return { chunks };
  }
  const r = renderTemplate(turn.text ?? '', latestResult);
  return r.ok ? { chunks: splitIntoChunks(r.text, size) } : { problem: r.problem };
}

function resolveHttpError(faults: Faults, key: string, counters: FaultCounters): ReplyPlan['httpError'] {
  const spec = faults.http500;
  if (spec === undefined) return null;
  const options = spec === true ? {} : spec;
  const served = counters.get(key) ?? 0;
  if (options.times !== undefined && served >= options.times) return null;
  counters.set(key, served + 1);
  return {
    status: options.status ?? 500,
    message: options.message ?? 'scripted server: injected internal server error',
    form: options.form ?? 'json',
    retryAfterS: options.retryAfterS,
    estimatedTimeS: options.estimatedTimeS,
  };
}

export function planReply(scenarios: readonly Scenario[], messages: readonly PlainMessage[], limits: GenerationLimits, counters: FaultCounters): ReplyPlan {
  const { question, resultCount, latestResult } = readConversation(messages);
  const chosen = choose(scenarios, question, resultCount, limits.seed);
  const problems: string[] = [];
  let chunks: string[];
  let thinkingChunks: string[] = [];
  let faults: Faults = {};
  let firstTokenDelayMs = 0;
  let perChunkDelayMs = 0;
  let httpError: ReplyPlan['httpError'] = null;

  if (chosen.scenario !== null && chosen.turn !== null) {
    const { scenario, turn } = chosen;
    faults = { ...scenario.faults, ...turn.faults };
    const rendered = renderTurn(scenario, turn, latestResult);
    const thinking = renderThinking(scenario, turn, latestResult);
    if ('problem' in thinking) problems.push(thinking.problem);
    else thinkingChunks = thinking.chunks;
    if ('problem' in rendered) {
      problems.push(rendered.problem);
      chunks = splitIntoChunks(failureText(rendered.problem), DEFAULT_CHUNK_SIZE);
    } else {
      chunks = rendered.chunks;
    }
    firstTokenDelayMs = turn.firstTokenDelayMs ?? scenario.firstTokenDelayMs ?? 0;
    perChunkDelayMs = turn.perChunkDelayMs ?? scenario.perChunkDelayMs ?? 0;
    const faultKey = turn.faults?.http500 !== undefined ? `${scenario.id}#${chosen.turnIndex ?? 0}` : scenario.id;
    httpError = resolveHttpError(faults, faultKey, counters);
    if (faults.huge !== undefined) {
      const textBytes = Buffer.byteLength(chunks.join(''));
      chunks = [...fillerChunks(Math.max(0, faults.huge - textBytes)), ...chunks];
    }
  } else {
    problems.push(chosen.problem ?? 'no reply');
    chunks = splitIntoChunks(failureText(chosen.problem ?? 'no reply'), DEFAULT_CHUNK_SIZE);
  }

  const stopped = applyStop(chunks, limits.stop);
  let doneReason: ReplyPlan['doneReason'] = chosen.turn?.doneReason ?? 'stop';
  chunks = stopped.chunks;
  if (limits.maxTokens !== undefined && limits.maxTokens >= 0 && chunks.length > limits.maxTokens) {
    chunks = chunks.slice(0, limits.maxTokens);
    doneReason = 'length';
  }

  const estimate = estimatePromptTokens(messages);
  // A prompt over the window: capped at it, or (WireOptions.halvesOverlongPrompt) cut to half of it and 2, as Ollama ≥ 0.32 does.
  const window = limits.contextTokens;
  const kept = window === undefined ? estimate : estimate > window && chosen.scenario?.wire?.halvesOverlongPrompt === true ? Math.floor(window / 2) + 2 : Math.min(estimate, window);
  const promptTokens = chosen.turn?.usagePromptTokens ?? faults.promptEvalCount ?? kept;

  return {
    scenarioId: chosen.scenario?.id ?? null,
    turnIndex: chosen.turnIndex,
    question,
    resultCount,
    latestResult,
    chunks,
    thinkingChunks,
    thinkingDelayMs: chosen.turn?.thinkingDelayMs ?? 0,
    reasoning: limits.reasoning,
    toolCalls: chosen.turn?.toolCalls ?? [],
    nonStream: chosen.turn?.nonStream === true,
    wire: chosen.scenario?.wire ?? {},
    doneReason,
    firstTokenDelayMs,
    perChunkDelayMs,
    faults,
    httpError,
    promptTokens,
    problems,
  };
}
