// Scenario files, turn selection, placeholders and the obvious-failure replies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractFinalAnswer } from '../../../src/agent/finalAnswer';
import { loadScenarios, startScriptedServer, type Scenario, type ScriptedServer } from '../../support/scripted-server';
import { readConversation } from '../../support/scripted-server/conversation';
import { renderTemplate } from '../../support/scripted-server/template';
import { realModelCasesDir } from '../../support/realModelCases';
import { MODEL } from './support';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scripted-scenarios-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeScenarioFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loading scenario files', () => {
  it('loads the shared foundation file, whose first turn splits both fences across chunks', () => {
    const scenarios = loadScenarios('test/scenarios/foundation.json');
    expect(scenarios.map((s) => s.id)).toEqual(['foundation-new-operator', 'foundation-two-code-calls', 'foundation-no-code', 'foundation-exception-then-fix', 'foundation-code-forever', 'foundation-slow']);
    const chunks = scenarios[0]?.turns[0]?.chunks ?? [];
    expect(chunks).toContain('```py');
    const close = chunks.indexOf('``');
    expect(chunks[close + 1]).toBe('`\n');
  });

  it('names the file and the field of an invalid scenario', () => {
    const file = writeScenarioFile('bad-chunk.json', { scenarios: [{ id: 'a', match: 'q', turns: [{ text: 'x', chunkSize: 0 }] }] });
    expect(() => loadScenarios(file)).toThrow(file);
    expect(() => loadScenarios(file)).toThrow('scenarios[0].turns[0].chunkSize');
  });

  it('rejects unknown keys, unknown placeholders, bad regexes, a turn without text, duplicate ids and bad JSON', () => {
    const cases: Array<[unknown, string]> = [
      [{ id: 'a', match: 'q', turns: [{ text: 'x', perChunkDelay: 5 }] }, 'perChunkDelay'],
      [{ id: 'a', match: 'q', turns: [{ text: 'got {{reslt}}' }] }, 'unknown placeholder {{reslt}}'],
      [{ id: 'a', match: { regex: '(' }, turns: [{ text: 'x' }] }, 'match'],
      [{ id: 'a', match: 'q', turns: [{ firstTokenDelayMs: 1 }] }, 'exactly one of "text" or "chunks"'],
      [
        [
          { id: 'a', match: 'q', turns: [{ text: 'x' }] },
          { id: 'a', match: 'r', turns: [{ text: 'y' }] },
        ],
        'Duplicate scenario id "a"',
      ],
      ['{ not json', 'Cannot read scenario file'],
    ];
    cases.forEach(([content, message], i) => {
      const file = writeScenarioFile(`case-${i}.json`, content);
      expect(() => loadScenarios(file)).toThrow(message);
    });
  });

  it('loads every *.json of a folder in name order, accepting the three file shapes', () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    writeFileSync(join(folder, 'b.json'), JSON.stringify([{ id: 'b', match: 'b', turns: [{ text: 'b' }] }]));
    writeFileSync(join(folder, 'a.json'), JSON.stringify({ scenarios: [{ id: 'a', match: 'a', turns: [{ text: 'a' }] }] }));
    writeFileSync(join(folder, 'c.json'), JSON.stringify({ id: 'c', match: 'c', turns: [{ text: 'c' }] }));
    writeFileSync(join(folder, 'notes.txt'), 'ignored');
    expect(loadScenarios(folder).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('placeholders', () => {
  const result = 'first line\nvalue = 42\nlast';
  it('fills result, lines (also from the end) and regex captures', () => {
    expect(renderTemplate('[{{result}}]', result)).toEqual({ ok: true, text: `[${result}]` });
    expect(renderTemplate('{{result.lines[1]}}|{{resultLine -1}}', result)).toEqual({ ok: true, text: 'value = 42|last' });
    expect(renderTemplate('{{resultMatch "value = (\\d+)"}}', result)).toEqual({ ok: true, text: '42' });
    expect(renderTemplate('{{resultMatch "fir\\w+"}}', result)).toEqual({ ok: true, text: 'first' });
  });
  it('fails when there is no result or nothing to fill', () => {
    expect(renderTemplate('{{result}}', null)).toEqual({ ok: false, problem: 'no execution result was sent' });
    expect(renderTemplate('{{resultLine 9}}', result)).toMatchObject({ ok: false });
    expect(renderTemplate('{{resultMatch "(nope)"}}', result)).toMatchObject({ ok: false });
  });
});

describe('reading the conversation', () => {
  const head = 'Instructions mention Code Execution Results: as an example.\n\nThe question';
  it('counts results after the question only, in R1-CI mode (one growing assistant message)', () => {
    const facts = readConversation([
      { role: 'system', content: 'Code Execution Results: appear below' },
      { role: 'user', content: head },
      { role: 'assistant', content: 'a\n```python\nprint(1)\n```\nCode Execution Results:\n1\nb\n```python\nprint(2)\n```\nCode Execution Results:\n2\n' },
    ]);
    expect(facts).toEqual({ question: head, resultCount: 2, latestResult: '2' });
  });
  it('counts results sent as user messages in chat mode', () => {
    const facts = readConversation([
      { role: 'user', content: head },
      { role: 'assistant', content: '```python\nprint(1)\n```' },
      { role: 'user', content: 'Code Execution Results:\n  hello\nworld \n' },
    ]);
    expect(facts).toEqual({ question: head, resultCount: 1, latestResult: 'hello\nworld' });
  });
  it('answers a follow-up question from its own turn 0, keeping the latest result of the conversation', () => {
    const exchange = [
      { role: 'user', content: head },
      { role: 'assistant', content: '```python\nx = 1\nprint(x)\n```\nCode Execution Results:\n1\n<<<1>>>' },
    ];
    expect(readConversation([...exchange, { role: 'user', content: 'Follow-up: double it' }])).toEqual({ question: 'Follow-up: double it', resultCount: 0, latestResult: '1\n<<<1>>>' });
    expect(readConversation([...exchange, { role: 'user', content: 'Follow-up: double it' }, { role: 'assistant', content: '```python\nprint(2 * x)\n```\nCode Execution Results:\n2\n' }])).toEqual({
      question: 'Follow-up: double it',
      resultCount: 1,
      latestResult: '2',
    });
  });
});

describe('replies from the server', () => {
  const scenarios: Scenario[] = [
    { id: 'quote', match: { regex: 'quote (the|my) result', flags: 'i' }, turns: [{ text: 'code' }, { text: 'You printed {{result}} <<<{{resultLine 0}}>>>' }] },
    { id: 'expect', match: 'expectation', turns: [{ text: 'code' }, { text: '<<<fine>>>', expectResultContains: '42' }] },
    { id: 'too-few-turns', match: 'short scenario', turns: [{ text: 'only one' }] },
    { id: 'needs-result', match: 'needs a result now', turns: [{ text: 'The result was {{result}}' }] },
  ];
  let server: ScriptedServer;
  let client: Ollama;
  beforeEach(async () => {
    server = await startScriptedServer({ scenarios });
    client = new Ollama({ host: server.url });
  });
  afterEach(async () => {
    await server.close();
  });

  const withResult = (question: string, result: string): Array<{ role: string; content: string }> => [
    { role: 'user', content: question },
    { role: 'assistant', content: '```python\nprint()\n```' },
    { role: 'user', content: `Code Execution Results:\n${result}\n` },
  ];
  const reply = async (messages: Array<{ role: string; content: string }>): Promise<string> => (await client.chat({ model: MODEL, messages })).message.content;

  it('matches by regex and quotes the result that was sent', async () => {
    expect(await reply(withResult('Please QUOTE my result', '7\neight'))).toBe('You printed 7\neight <<<7>>>');
    expect(server.chatRequests()[0]).toMatchObject({ scenarioId: 'quote', turnIndex: 1, resultCount: 1, latestResult: '7\neight', problems: [] });
  });

  it('makes a missing result obvious instead of answering plausibly', async () => {
    expect(await reply([{ role: 'user', content: 'needs a result now' }])).toContain('<<<SCRIPTED-SERVER: no execution result was sent>>>');
    expect(server.chatRequests()[0]?.problems).toEqual(['no execution result was sent']);
  });

  it('makes a failed expectation obvious', async () => {
    expect(await reply(withResult('expectation', '41'))).toContain('<<<SCRIPTED-SERVER: expected the execution result to contain "42" but it was "41">>>');
    expect(await reply(withResult('expectation', 'x = 42'))).toBe('<<<fine>>>');
  });

  it('says so when a scenario has no turn for this many results', async () => {
    expect(await reply(withResult('short scenario', '1'))).toContain('<<<SCRIPTED-SERVER: scenario "too-few-turns" has no turn 1');
  });

  it('falls back to a clear "no scenario matched" reply, recorded in the log', async () => {
    const text = await reply([{ role: 'user', content: 'something nobody scripted' }]);
    expect(text).toContain('<<<SCRIPTED-SERVER: no scenario matched the question "something nobody scripted">>>');
    expect(server.chatRequests()[0]).toMatchObject({ scenarioId: null, problems: [expect.stringContaining('no scenario matched')] });
  });

  it('its fallback never carries a marker the question quoted: the answer is the failure, not the format example', async () => {
    const text = await reply([{ role: 'user', content: 'Give the score with the format <<<number>>>, like <<<5>>> means 5.' }]);
    expect(extractFinalAnswer(text)).toMatch(/^SCRIPTED-SERVER: no scenario matched/);
  });

  it('replaces its scenarios with loadScenarios', async () => {
    const file = writeScenarioFile('replacement.json', { scenarios: [{ id: 'new', match: 'something nobody scripted', turns: [{ text: '<<<now scripted>>>' }] }] });
    expect(server.loadScenarios(file).map((s) => s.id)).toEqual(['new']);
    expect(await reply([{ role: 'user', content: 'something nobody scripted' }])).toBe('<<<now scripted>>>');
  });

  it('loads a real-model case file as one scenario named after the file, answering any question', async () => {
    const file = join(realModelCasesDir(process.cwd()), 'bare-fence-is-data.json');
    expect(server.loadScenarios(file).map((s) => s.id)).toEqual(['bare-fence-is-data']);
    expect(await reply([{ role: 'user', content: 'any question at all' }])).toContain('We place 4 queens.');
    expect(server.chatRequests().at(-1)).toMatchObject({ scenarioId: 'bare-fence-is-data' });
  });
});
