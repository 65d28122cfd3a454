// The server as the official `ollama` npm client sees it, and the foundation scenarios played
// end to end with the model's Python really executed.
import { Ollama, type ProgressResponse } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';
import { HEAD, MODEL, solveWithCode } from './support';

const SCENARIOS = 'test/scenarios/foundation.json';

let server: ScriptedServer;
let client: Ollama;

beforeEach(async () => {
  server = await startScriptedServer({ scenarios: SCENARIOS });
  client = new Ollama({ host: server.url });
});

afterEach(async () => {
  await server.close();
  expect(server.openConnections).toBe(0);
  expect(server.activeTimers).toBe(0);
});

describe('model management endpoints', () => {
  it('reports a version, lists installed models, and shows one', async () => {
    expect(await client.version()).toEqual({ version: '0.12.0' });
    const list = await client.list();
    expect(list.models.map((m) => m.name)).toEqual(['r1-code-interpreter:7b', 'qwen2.5-coder:7b']);
    const first = list.models[0];
    expect(first?.details.family).toBe('qwen2');
    expect(first?.digest).toMatch(/^[0-9a-f]{64}$/);
    const shown = await client.show({ model: MODEL });
    expect(shown.details.parameter_size).toBe('7.6B');
    expect(JSON.parse(JSON.stringify(shown.model_info))).toMatchObject({ 'qwen2.context_length': 32768 });
  });

  it('lists a model in /api/ps only after it answered a chat', async () => {
    expect((await client.ps()).models).toEqual([]);
    await client.chat({ model: MODEL, messages: [{ role: 'user', content: 'total score of the string ABBBA?' }] });
    const ps = await client.ps();
    expect(ps.models.map((m) => m.name)).toEqual([MODEL]);
    expect(ps.models[0]?.size_vram).toBeGreaterThan(0);
  });

  it('pulls a model with streamed progress, after which it is listed and usable', async () => {
    const statuses: ProgressResponse[] = [];
    for await (const progress of await client.pull({ model: 'llama3.2:3b', stream: true })) statuses.push(progress);
    expect(statuses[0]?.status).toBe('pulling manifest');
    expect(statuses.at(-1)?.status).toBe('success');
    const layer = statuses.find((s) => s.status.startsWith('pulling ') && s.digest !== undefined);
    expect(layer?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(statuses.some((s) => s.total > 0 && s.completed === s.total)).toBe(true);
    expect((await client.list()).models.map((m) => m.name)).toContain('llama3.2:3b');
    const reply = await client.chat({ model: 'llama3.2:3b', messages: [{ role: 'user', content: 'total score of the string ABBBA?' }] });
    expect(reply.message.content).toContain('<<<2>>>');
  });

  it('refuses a pull the server cannot satisfy, like Ollama', async () => {
    const strict = await startScriptedServer({ scenarios: [], pullable: ['llama3.2:3b'] });
    try {
      const c = new Ollama({ host: strict.url });
      await expect(c.pull({ model: 'does-not-exist', stream: false })).rejects.toThrow('pull model manifest: file does not exist');
      await expect(async () => {
        for await (const _ of await c.pull({ model: 'does-not-exist', stream: true })) void _;
      }).rejects.toThrow('pull model manifest: file does not exist');
    } finally {
      await strict.close();
    }
  });

  it('answers an unknown model with 404 and Ollama’s exact message', async () => {
    const error = await client.chat({ model: 'nope:1b', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status_code: 404, error: 'model "nope:1b" not found, try pulling it first' });
  });
});

describe('chat streaming through the official client', () => {
  it('streams chunks, then a final line with done_reason and token statistics', async () => {
    const parts = [];
    for await (const part of await client.chat({ model: MODEL, stream: true, messages: [{ role: 'user', content: `${HEAD}\n\nWhat is the total score of the string ABBBA?` }] })) {
      parts.push(part);
    }
    const last = parts.at(-1);
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe('stop');
    expect(parts.slice(0, -1).every((p) => !p.done)).toBe(true);
    expect(last?.eval_count).toBe(parts.length - 1);
    expect(last?.prompt_eval_count).toBeGreaterThan(HEAD.length / 4);
    expect(last?.eval_duration).toBeGreaterThan(0);
    expect(parts.map((p) => p.message.content).join('')).toMatch(/<<<2>>>$/);
  });

  it('aborting the iterator stops the server mid-stream and is recorded', async () => {
    const stream = await client.chat({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Slow probe: think at length before answering.' }] });
    let received = 0;
    await expect(async () => {
      for await (const _ of stream) {
        received++;
        if (received === 3) stream.abort();
      }
    }).rejects.toThrow(/abort/i);
    const record = await server.waitForRequest((r) => r.path === '/api/chat' && r.aborted);
    expect(record.abortedAt).toBeGreaterThanOrEqual(record.receivedAt);
    expect(record.chunksSent).toBeGreaterThanOrEqual(3);
    expect(record.chunksSent).toBeLessThan(200);
    expect(record.finishedAt).toBeUndefined();
    expect(server.activeTimers).toBe(0);
  });

  it('client.abort() aborts every stream of that client', async () => {
    const question = { role: 'user', content: 'Slow probe: think at length before answering.' };
    const streams = await Promise.all([1, 2].map(() => client.chat({ model: MODEL, stream: true, messages: [question] })));
    client.abort();
    for (const stream of streams) {
      await expect(async () => {
        for await (const _ of stream) void _;
      }).rejects.toThrow(/abort/i);
    }
    for (const id of server.chatRequests().map((r) => r.id)) await server.waitForRequest((r) => r.id === id && r.aborted);
    expect(server.activeTimers).toBe(0);
  });
});

describe('foundation scenarios with really executed Python', () => {
  for (const mode of ['r1ci', 'chat'] as const) {
    it(`new operator (${mode}): the printed 90.0 goes back and becomes the answer; text after the fence is never seen`, async () => {
      const result = await solveWithCode(client, 'Let x and y represent two numbers. ... Calculate (3~4)&5@6.', mode);
      expect(result.outputs).toEqual(['90.0']);
      expect(result.answer).toBe('90.0');
      expect(result.modelText).not.toContain('12345');
      expect(result.modelText).not.toContain('Let me wait');
      const chats = server.chatRequests();
      expect(chats.map((r) => r.turnIndex)).toEqual([0, 1]);
      expect(chats[1]?.latestResult).toBe('90.0');
      expect(chats.flatMap((r) => r.problems)).toEqual([]);
    });

    it(`two code calls (${mode}): the second script contains the first one's real output`, async () => {
      const result = await solveWithCode(client, 'What is the total score of the string BBAAB?', mode);
      expect(result.outputs).toEqual(["[('B', 2), ('A', 2), ('B', 1)]", '3']);
      expect(result.modelText).toContain("runs = [('B', 2), ('A', 2), ('B', 1)]");
      expect(result.answer).toBe('3');
    });

    it(`exception then fix (${mode}): the traceback's error name is quoted, the fix answers`, async () => {
      const result = await solveWithCode(client, 'Question: Given the string DBCDEDCDEAECDEA, what will the string be after one operation T?', mode);
      expect(result.outputs[0]).toContain("NameError: name 'rule' is not defined");
      expect(result.modelText).toContain('The script failed with NameError');
      expect(result.answer).toBe('DBCDEBDCDEACECDEAC');
    });
  }

  it('no-code: a direct answer', async () => {
    const result = await solveWithCode(client, 'What is the total score of the string ABBBA?', 'r1ci');
    expect(result).toMatchObject({ answer: '2', codeCalls: 0 });
  });

  it('code forever: keeps writing scripts until the budget stops it', async () => {
    const result = await solveWithCode(client, 'Budget probe: keep computing powers of two until told to stop.', 'chat', 5);
    expect(result.answer).toBeNull();
    expect(result.outputs).toEqual(Array<string>(5).fill('power of two: 1024'));
    expect(server.chatRequests().map((r) => r.turnIndex)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(server.chatRequests().map((r) => r.resultCount)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
