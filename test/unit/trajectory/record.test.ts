// The conversation record (src/trajectory): the fold is a pure reducer, and what a real run
// produces is exactly what the record's schema accepts (so a stored record reads back unchanged).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaBackend } from '../../../src/agent/backends/ollama';
import type { AgentEvent } from '../../../src/agent/events';
import { runAgent } from '../../../src/agent/runAgent';
import { applyEvent } from '../../../src/agent/trajectory';
import { createCodeRunner } from '../../../src/sandbox';
import { execResultSchema } from '../../../src/trajectory/execResult';
import { emptyTrajectory, trajectorySchema, type Trajectory } from '../../../src/trajectory/trajectory';
import { CONVERSATION_SCENARIOS, SET_X } from '../../support/conversationScenarios';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

let server: ScriptedServer;
let scratch = '';
const events: AgentEvent[] = [];

beforeAll(async () => {
  server = await startScriptedServer({ scenarios: [...CONVERSATION_SCENARIOS] });
  scratch = mkdtempSync(join(tmpdir(), 'r1ci-record-test-'));
  const runner = await createCodeRunner({ scratchDir: scratch });
  try {
    const run = runAgent(SET_X, { backend: new OllamaBackend(server.url), model: 'qwen2.5-coder:7b', runner, protocol: 'r1ci', maxCodeCalls: 3, temperature: 0, signal: new AbortController().signal });
    for await (const e of run) events.push(e);
  } finally {
    await runner.dispose();
  }
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Freezes a value and everything it holds, so any write to it throws. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe('the conversation record', () => {
  it('folds a real run with a pure reducer: no state or event is changed, earlier states stay as they were', () => {
    const states: Trajectory[] = [deepFreeze(emptyTrajectory())];
    for (const e of events) states.push(deepFreeze(applyEvent(states[states.length - 1] ?? emptyTrajectory(), deepFreeze(e))));
    const last = states[states.length - 1];
    expect(last?.answer).toBe('set');
    expect(last?.reason).toBe('answer');
    expect(last?.turns.map((t) => t.cell?.result?.stdout)).toEqual(['x is set\n', undefined]);
    expect(last?.codeMs).toBeGreaterThan(0);
    // The state before the execution result has the cell without its result.
    const beforeResult = states[events.findIndex((e) => e.type === 'exec-result')];
    expect(beforeResult?.turns[0]?.cell?.code).toContain('x = 41');
    expect(beforeResult?.turns[0]?.cell?.result).toBeUndefined();
  });

  it('is what its schema accepts: a real run and its cell result read back unchanged through JSON', () => {
    const t = events.reduce(applyEvent, emptyTrajectory());
    expect(trajectorySchema.parse(JSON.parse(JSON.stringify(t)))).toEqual(t);
    const result = t.turns[0]?.cell?.result;
    expect(result).toBeDefined();
    expect(execResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
    // A record with a kill reason the sandbox never gives is refused.
    expect(execResultSchema.safeParse({ ...result, killed: 'gremlins' }).success).toBe(false);
  });
});
