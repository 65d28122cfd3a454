// The chat history file: round trip, and damaged input set aside with a clear message, never lost.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConversationStore, MAX_CONVERSATIONS, type StoredConversation } from '../../../../src/vscode/chat/conversationStore';

function conversation(id: string, updatedAt: number): StoredConversation {
  return {
    id,
    title: `Question ${id}`,
    createdAt: updatedAt,
    updatedAt,
    events: [
      { type: 'question', text: `Question ${id}`, model: 'm' },
      { type: 'turn-start', turn: 0 },
      { type: 'token', turn: 0, text: 'Answer <<<1>>>' },
      { type: 'done', reason: 'answer', answer: '1', codeCalls: 0, turns: 1 },
    ],
    messages: [{ role: 'user', content: `Question ${id}` }],
  };
}

describe('ConversationStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'r1ci-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty without a file, and reads back what it saved, newest first', async () => {
    const store = new ConversationStore(join(dir, 'chat'));
    expect(await store.load()).toEqual({ conversations: [], problems: [] });
    await store.save([conversation('a', 1), conversation('b', 2)]);
    const { conversations, problems } = await store.load();
    expect(problems).toEqual([]);
    expect(conversations.map((c) => c.id)).toEqual(['b', 'a']);
    expect(conversations[0]).toEqual(conversation('b', 2));
  });

  it('keeps only the newest conversations beyond the limit', async () => {
    const store = new ConversationStore(dir);
    await store.save(Array.from({ length: MAX_CONVERSATIONS + 5 }, (_, i) => conversation(String(i), i)));
    const { conversations } = await store.load();
    expect(conversations).toHaveLength(MAX_CONVERSATIONS);
    expect(conversations.at(-1)?.id).toBe('5');
  });

  it('sets a file that is not JSON aside and says where', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'conversations.json'), '{"version":1, "conversations": [');
    const { conversations, problems } = await new ConversationStore(dir).load();
    expect(conversations).toEqual([]);
    expect(problems[0]).toMatch(/is not valid JSON .*; it was kept as .*conversations\.rejected-.*\.json and a new history was started\./);
    const kept = readdirSync(dir).find((f) => f.startsWith('conversations.rejected-'));
    expect(kept && readFileSync(join(dir, kept), 'utf8')).toBe('{"version":1, "conversations": [');
  });

  it('loads the valid conversations and keeps the damaged ones aside', async () => {
    const damaged = { ...conversation('bad', 5), events: [{ type: 'token', turn: 'zero', text: 1 }] };
    writeFileSync(join(dir, 'conversations.json'), JSON.stringify({ version: 1, conversations: [conversation('good', 1), damaged] }));
    const { conversations, problems } = await new ConversationStore(dir).load();
    expect(conversations.map((c) => c.id)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^1 past conversation could not be read and was kept aside in .*rejected/);
    const kept = readdirSync(dir).find((f) => f.startsWith('conversations.rejected-'));
    expect(JSON.parse(readFileSync(join(dir, kept ?? ''), 'utf8'))).toEqual({ version: 1, conversations: [damaged] });
  });

  it('rejects an unknown file format without touching the file', async () => {
    writeFileSync(join(dir, 'conversations.json'), JSON.stringify({ version: 2, chats: [] }));
    const { problems } = await new ConversationStore(dir).load();
    expect(problems[0]).toMatch(/has an unknown format/);
    expect(readFileSync(join(dir, 'conversations.json'), 'utf8')).toBe(JSON.stringify({ version: 2, chats: [] }));
  });
});
