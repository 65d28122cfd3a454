// The chat history file: round trip, and damaged input set aside with a clear message, never lost.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { foldConversation } from '../../../../src/conversation/events';
import { ConversationStore, MAX_CONVERSATIONS, MAX_STORE_BYTES, type StoredConversation } from '../../../../src/vscode/chat/conversationStore';

/** A history file as the chat wrote it before it stored the core conversation's record (view events). */
const VIEW_EVENT_HISTORY = fileURLToPath(new URL('./fixtures/conversations-view-events.json', import.meta.url));

function conversation(id: string, updatedAt: number): StoredConversation {
  return {
    id,
    title: `Question ${id}`,
    createdAt: updatedAt,
    updatedAt,
    events: [
      { type: 'question', run: 0, text: `Question ${id}`, model: 'm' },
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

  it('the shutdown save (saveNow) is kept: an older save still being written never overwrites it', async () => {
    const store = new ConversationStore(dir);
    // A debounced save has started; the window closes before it is on disk.
    const older = store.save([conversation('a', 1)]);
    store.saveNow([conversation('a', 1), conversation('b', 2)]);
    await older;
    const { conversations, problems } = await store.load();
    expect(problems).toEqual([]);
    expect(conversations.map((c) => c.id)).toEqual(['b', 'a']);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('saves asked for one after another end with the last one on disk', async () => {
    const store = new ConversationStore(dir);
    await Promise.all([1, 2, 3].map((n) => store.save(Array.from({ length: n }, (_, i) => conversation(String(i), i)))));
    expect((await store.load()).conversations).toHaveLength(3);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
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

  it('a hostile history file: a copied id does not push out the conversation it copies, and no host path read from the file survives', async () => {
    const mine = conversation('mine', 1);
    const hostile: StoredConversation = {
      ...conversation('mine', 2),
      title: '<img src=x onerror=alert(1)><script>alert(1)</script>',
      events: [
        ...conversation('mine', 2).events.slice(0, 3),
        { type: 'code', turn: 0, index: 0, language: 'python', code: 'print(1)', offsetInTurn: 0 },
        {
          type: 'exec-result',
          index: 0,
          result: {
            stdout: '1\n',
            stderr: '',
            exitCode: 0,
            durationMs: 1,
            timedOut: false,
            truncated: true,
            fullOutputPath: '/root/.ssh/id_rsa',
            artifacts: [{ name: 'plot.png', path: '/etc/passwd', sizeBytes: 1, mimeType: 'image/png' }],
          },
        },
      ],
    };
    writeFileSync(join(dir, 'conversations.json'), JSON.stringify({ version: 1, conversations: [mine, hostile] }));
    const { conversations, problems } = await new ConversationStore(dir).load();
    expect(problems).toEqual([]);
    // Both are kept, under distinct ids: saving the history again loses neither.
    expect(conversations).toHaveLength(2);
    expect(new Set(conversations.map((c) => c.id)).size).toBe(2);
    expect(conversations.find((c) => c.title === mine.title)).toEqual(mine);
    // The title is text (the view renders it as such); the paths are gone, the rest stays.
    const result = conversations.flatMap((c) => c.events).find((e) => e.type === 'exec-result');
    expect(result?.type === 'exec-result' && result.result).toMatchObject({ stdout: '1\n', artifacts: [{ name: 'plot.png', sizeBytes: 1, mimeType: 'image/png' }] });
    expect(JSON.stringify(conversations)).not.toMatch(/\/etc\/passwd|id_rsa/);
  });

  it('a history file too large to read is moved aside unread (never parsed, never copied)', async () => {
    const file = join(dir, 'conversations.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_STORE_BYTES + 1);
    const { conversations, problems } = await new ConversationStore(dir).load();
    expect(conversations).toEqual([]);
    expect(problems[0]).toMatch(/is larger than 256 MiB; it was moved to .*conversations\.rejected-.*\.json and a new history was started\./);
    const kept = readdirSync(dir).filter((f) => f.startsWith('conversations.rejected-'));
    expect(kept).toHaveLength(1);
    expect(statSync(join(dir, kept[0] ?? '')).size).toBe(MAX_STORE_BYTES + 1);
    expect(existsSync(file)).toBe(false);
  });

  it('rejects an unknown file format without touching the file', async () => {
    writeFileSync(join(dir, 'conversations.json'), JSON.stringify({ version: 2, chats: [] }));
    const { problems } = await new ConversationStore(dir).load();
    expect(problems[0]).toMatch(/has an unknown format/);
    expect(readFileSync(join(dir, 'conversations.json'), 'utf8')).toBe(JSON.stringify({ version: 2, chats: [] }));
  });

  it('still loads a history written in the old shape (view events), as conversation events', async () => {
    writeFileSync(join(dir, 'conversations.json'), readFileSync(VIEW_EVENT_HISTORY, 'utf8'));
    const { conversations, problems } = await new ConversationStore(dir).load();
    expect(problems).toEqual([]);
    expect(conversations).toHaveLength(1);
    const [c] = conversations;
    expect(c?.title).toBe('Plot the first ten squares');
    expect(c?.messages).toHaveLength(5);
    const events = c?.events ?? [];
    // Questions get their number; what the old shape did not keep is not invented.
    expect(events.filter((e) => e.type === 'question').map((e) => (e.type === 'question' ? e.run : -1))).toEqual([0, 1]);
    expect(events.find((e) => e.type === 'approval-request')).toEqual({ type: 'approval-request', index: 0, code: expect.stringContaining('squares = [') });
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'internal' });
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    expect(events.filter((e) => e.type === 'notice')).toHaveLength(2);
    const plot = events.find((e) => e.type === 'exec-result' && e.index === 0);
    expect(plot?.type === 'exec-result' && plot.result.artifacts).toEqual([{ name: 'squares.png', sizeBytes: 18231, mimeType: 'image/png' }]);

    // The core folds the restored record into one trajectory per question, numbered per question.
    const [first, second] = foldConversation(events);
    expect(first).toMatchObject({ question: 'Plot the first ten squares', answer: '385', reason: 'answer', codeCalls: 1 });
    expect(first?.turns[0]?.cell).toMatchObject({ index: 0, result: { stdout: '385\n' } });
    expect(first?.turns[0]?.reasoning).toBe('A list and a plot.');
    expect(second).toMatchObject({ question: 'And the largest?', reason: 'error', answer: null, error: 'The model server closed the connection before the reply was complete.' });
    expect(second?.turns[0]?.cell?.index).toBe(0);

    // Saved again, it is written in the new shape and reads back unchanged.
    const store = new ConversationStore(dir);
    await store.save(conversations);
    expect((await store.load()).conversations).toEqual(conversations);
  });
});
