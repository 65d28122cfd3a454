// JSON nested far deeper than any recursive walk can follow (100,000 arrays: 200 kB) in a tool
// call's arguments: from Ollama's native API and the OpenAI-compatible one, streamed or not, as
// JSON text or as an object (TGI, llama.cpp --tool-args-object), and in calls a model wrote as
// text. Over real HTTP against the scripted server: the call is refused (the model is told, with
// the depth named), the run goes on, and nothing ends in "Maximum call stack size exceeded".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CodeRunner } from '../../../src/sandbox';
import { createCodeRunner } from '../../../src/sandbox';
import type { Scenario } from '../../support/scripted-server';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { backendFor, closeLeavingNothing, KINDS, solve } from './support';

const LEVELS = 100_000;
const DEEP = `${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}`;
/** The arguments: an object whose `code` is the nested arrays (LEVELS + 1 levels in all). */
const DEEP_ARGS = `{"code": ${DEEP}}`;
const ANSWER = { text: 'Done after all.\n\n<<<42>>>' };

/** The first turn calls python with DEEP_ARGS (natively, or written as text); the second answers. */
function scenario(id: string, first: Scenario['turns'][number], wire: Scenario['wire'] = {}): Scenario {
  return { id, match: `${id}?`, wire, chunkSize: 1_000_000, turns: [first, ANSWER] };
}

const native = { text: 'Let me run it.', toolCalls: [{ name: 'python', arguments: DEEP_ARGS }] };
const SCENARIOS: Scenario[] = [
  scenario('native-streamed', native, { toolCallDeltas: 'whole' }),
  scenario('native-whole-reply', { ...native, nonStream: true }),
  scenario('native-object-streamed', native, { argumentsAsObject: true }),
  scenario('native-object-whole-reply', { ...native, nonStream: true }, { argumentsAsObject: true }),
  scenario('text-qwen', { text: `<tool_call>{"name": "python", "arguments": ${DEEP_ARGS}}</tool_call>` }),
  scenario('text-llama', { text: `<|python_tag|>{"name": "python", "parameters": ${DEEP_ARGS}}` }),
  scenario('text-mistral', { text: `[TOOL_CALLS][{"name": "python", "arguments": ${DEEP_ARGS}}]` }),
  scenario('text-mistral-args', { text: `[TOOL_CALLS]python[ARGS]${DEEP_ARGS}` }),
  scenario('text-pythonic', { text: `[python(code=${DEEP})]` }),
  scenario('text-llama-pythonic', { text: `<|python_tag|>[python(code=${DEEP})]<|eom_id|>` }),
  scenario('text-harmony', { text: `<|channel|>commentary to=functions.python <|constrain|>json<|message|>${DEEP_ARGS}<|call|>` }),
  scenario('text-deepseek', { text: `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>python<｜tool▁sep｜>${DEEP_ARGS}<｜tool▁call▁end｜><｜tool▁calls▁end｜>` }),
  scenario('text-kimi', { text: `<|tool_calls_section_begin|><|tool_call_begin|>functions.python:0<|tool_call_argument_begin|>${DEEP_ARGS}<|tool_call_end|><|tool_calls_section_end|>` }),
];

let server: ScriptedServer;
let runner: CodeRunner;
let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'r1ci-deep-'));
  runner = await createCodeRunner({ scratchDir: scratch });
});
afterAll(async () => {
  await runner.dispose();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startScriptedServer({ scenarios: SCENARIOS });
});
afterEach(() => closeLeavingNothing(server));

describe.each(KINDS)('%s backend: tool call arguments nested 100,000 deep', (kind) => {
  it.each(SCENARIOS.filter((s) => !(kind === 'ollama' && s.wire?.argumentsAsObject === true)).map((s) => s.id))('%s: the call is refused with the depth named, and the run goes on', async (id) => {
    const { trajectory, events } = await solve(backendFor(kind, server.url), `${id}?`, { runner, protocol: 'tools' });
    expect(trajectory.error).toBeUndefined();
    const told = events.flatMap((e) => (e.type === 'warning' && e.kind === 'tool-call-error' ? [e.message] : []));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`nested ${LEVELS + 1} levels deep (at most 512 are read)`);
    expect(told[0]?.length).toBeLessThan(1000);
    expect(events.some((e) => e.type === 'code')).toBe(false);
    expect(trajectory.answer).toBe('42');
  });
});
