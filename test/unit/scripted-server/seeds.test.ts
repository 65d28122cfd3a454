// Scenarios restricted to sampling seeds: a real model answers differently per seed, and a
// multi-sample evaluation asks sample i with seed + i, so tests script one answer per seed.
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { scenarioSchema } from '../../support/scripted-server/scenarioSchema';
import { MODEL } from './support';

const scenarios: Scenario[] = [
  { id: 'seeded', match: 'Seed probe', seeds: [7, 9], turns: [{ text: '<<<seeded>>>' }] },
  { id: 'any-seed', match: 'Seed probe', turns: [{ text: '<<<any>>>' }] },
];

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer({ scenarios });
});
afterAll(async () => {
  await server.close();
});

describe('scenarios restricted to seeds', () => {
  it('matches only requests with a listed seed (Ollama options.seed); other seeds and no seed fall through', async () => {
    const client = new Ollama({ host: server.url });
    const ask = async (seed?: number): Promise<string> =>
      (await client.chat({ model: MODEL, messages: [{ role: 'user', content: 'Seed probe' }], stream: false, ...(seed === undefined ? {} : { options: { seed } }) })).message.content;
    expect(await ask(7)).toBe('<<<seeded>>>');
    expect(await ask(9)).toBe('<<<seeded>>>');
    expect(await ask(8)).toBe('<<<any>>>');
    expect(await ask()).toBe('<<<any>>>');
    expect(
      server
        .chatRequests()
        .slice(-4)
        .map((r) => r.scenarioId),
    ).toEqual(['seeded', 'seeded', 'any-seed', 'any-seed']);
  });

  it('reads the OpenAI-compatible seed field', async () => {
    const ask = async (seed: number): Promise<string | undefined> => {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Seed probe' }], seed }),
      });
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      return body.choices[0]?.message.content;
    };
    expect(await ask(9)).toBe('<<<seeded>>>');
    expect(await ask(10)).toBe('<<<any>>>');
  });

  it('rejects an empty or fractional seed list when the file loads', () => {
    for (const seeds of [[], [1.5]]) expect(scenarioSchema.safeParse({ id: 'x', match: 'y', seeds, turns: [{ text: 'z' }] }).success).toBe(false);
    expect(scenarioSchema.safeParse({ id: 'x', match: 'y', seeds: [0, 3], turns: [{ text: 'z' }] }).success).toBe(true);
  });
});
