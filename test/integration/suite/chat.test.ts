// The side-bar chat inside the real extension host: follow-ups share the conversation's
// sandbox, a new chat gets a new one, Stop cancels, and the history is written to disk in the
// validated format and can be deleted; against a key-protected server the stored API key goes
// with every request.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { setSetting } from '../extensionHost';
import { z } from 'zod';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { storedConversationSchema } from '../../../src/vscode/chat/conversationStore';
import { startScriptedServer, type ScriptedServer } from '../../support/scripted-server';

interface ChatStateForTests {
  activeId: string;
  storageFile: string;
  busy: boolean;
  conversations: { id: string; title: string; questions: string[]; events: number }[];
}

async function ask(question: string): Promise<Trajectory> {
  const t = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.chat.ask', { question });
  assert.ok(t, 'r1ci.chat.ask returned nothing');
  return t;
}

async function chatState(): Promise<ChatStateForTests> {
  const state = await vscode.commands.executeCommand<ChatStateForTests>('r1ci.chat.state');
  assert.ok(state, 'r1ci.chat.state returned nothing');
  return state;
}

async function storedConversations(file: string): Promise<z.infer<typeof storedConversationSchema>[]> {
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  return z.object({ version: z.literal(1), conversations: z.array(storedConversationSchema) }).parse(raw).conversations;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Chat view (real extension host, scripted model server, real Python)', function () {
  this.timeout(120_000);
  // A model server of its own: the chat's requests must not show up in what other suites see
  // of the shared one (e.g. which models are loaded).
  let server: ScriptedServer | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension('r1ci.r1ci-vscode');
    assert.ok(extension, 'the extension is not installed in this host');
    server = await startScriptedServer({ scenarios: join(extension.extensionPath, 'test', 'scenarios') });
    await setSetting('ollama.host', server.url);
    await setSetting('model', 'qwen2.5-coder:7b');
    await setSetting('sandbox.approval', 'auto');
    await vscode.commands.executeCommand('r1ci.chat.newConversation');
  });

  after(async () => {
    for (const key of ['model', 'sandbox.approval']) await setSetting(key, undefined);
    await setSetting('ollama.host', process.env['R1CI_TEST_MODEL_URL']);
    await server?.close();
  });

  it('answers a follow-up in the same sandbox: the second cell uses a variable of the first', async () => {
    const first = await ask('Chat probe: sum of the first ten squares');
    assert.equal(first.error, undefined, first.error);
    assert.equal(first.answer, '385');
    const second = await ask('Chat follow-up: the largest of those squares');
    assert.equal(second.error, undefined, second.error);
    const cell = second.turns[0]?.cell;
    assert.equal(cell?.code.trim(), 'print(max(squares))');
    assert.equal(cell?.result?.stderr, '', 'squares was not defined: the follow-up ran in a different sandbox');
    assert.equal(cell?.result?.stdout.trim(), '100');
    assert.equal(second.answer, '100');

    const state = await chatState();
    const active = state.conversations.find((c) => c.id === state.activeId);
    assert.deepEqual(active?.questions, ['Chat probe: sum of the first ten squares', 'Chat follow-up: the largest of those squares']);
    assert.equal(active?.title, 'Chat probe: sum of the first ten squares');
  });

  it('writes the conversation to the workspace history file in the validated format', async () => {
    const state = await chatState();
    const stored = await until('the history file to hold both questions', async () => {
      const all = await storedConversations(state.storageFile).catch(() => undefined);
      const mine = all?.find((c) => c.id === state.activeId);
      return mine && mine.events.filter((e) => e.type === 'done').length === 2 ? mine : undefined;
    });
    const answers = stored.events.flatMap((e) => (e.type === 'done' ? [e.answer] : []));
    assert.deepEqual(answers, ['385', '100']);
    // The model's side is kept too, so a follow-up after a reload continues the conversation.
    assert.ok(stored.messages.some((m) => m.role === 'user' && m.content === 'Chat follow-up: the largest of those squares'));
    assert.ok(stored.messages.some((m) => m.content.includes('print(max(squares))')));
    // Tokens of a turn are merged: the record is about as large as the text, not the stream.
    const tokensPerTurn = new Map<number, number>();
    for (const e of stored.events) if (e.type === 'token') tokensPerTurn.set(e.turn, (tokensPerTurn.get(e.turn) ?? 0) + 1);
    assert.ok(
      [...tokensPerTurn.values()].every((n) => n === 1),
      `token events were not merged: ${JSON.stringify([...tokensPerTurn])}`,
    );
  });

  it('starts a new chat with a new sandbox, where the old variable does not exist', async () => {
    const before = await chatState();
    assert.equal(await vscode.commands.executeCommand('r1ci.chat.newConversation'), true);
    const after = await chatState();
    assert.notEqual(after.activeId, before.activeId);
    const t = await ask('Chat follow-up: the largest of those squares');
    assert.match(t.turns[0]?.cell?.result?.stderr ?? '', /NameError: name 'squares' is not defined/);
    assert.notEqual(t.answer, '100');
    // The earlier conversation is still in the history.
    assert.ok((await chatState()).conversations.some((c) => c.id === before.activeId));
  });

  it('stops a streaming answer', async () => {
    await vscode.commands.executeCommand('r1ci.chat.newConversation');
    const pending = ask('Chat probe: think slowly');
    await until('the answer to start streaming', async () => {
      const s = await chatState();
      return s.busy && (s.conversations.find((c) => c.id === s.activeId)?.events ?? 0) >= 3 ? true : undefined;
    });
    await vscode.commands.executeCommand('r1ci.chat.stop');
    const t = await pending;
    assert.equal(t.reason, 'cancelled');
    // The model request itself was aborted (not just ignored).
    await server?.waitForRequest((r) => (r.question ?? '').includes('think slowly') && r.aborted === true);
    assert.ok(!(t.turns[0]?.text ?? '').includes('too late'));
    assert.equal((await chatState()).busy, false);
  });

  it('deletes a conversation from the history and from disk', async () => {
    const state = await chatState();
    const victim = state.conversations.find((c) => c.questions[0] === 'Chat probe: sum of the first ten squares');
    assert.ok(victim, 'the first conversation is not in the history');
    assert.equal(await vscode.commands.executeCommand('r1ci.chat.deleteConversation', victim.id), true);
    assert.ok(!(await chatState()).conversations.some((c) => c.id === victim.id));
    const stored = await storedConversations(state.storageFile);
    assert.ok(!stored.some((c) => c.id === victim.id), 'the deleted conversation is still in the history file');
    assert.ok(stored.length > 0, 'other conversations were lost');
  });

  it('answers against a key-protected OpenAI-compatible server: the model list and every chat request carry the stored key', async () => {
    const key = 'sk-r1ci-chat-4711';
    const extension = vscode.extensions.getExtension('r1ci.r1ci-vscode');
    assert.ok(extension, 'the extension is not installed in this host');
    const keyed = await startScriptedServer({ scenarios: join(extension.extensionPath, 'test', 'scenarios'), apiKey: key });
    try {
      // The key first: a settings change makes the status bar ask the new server for its models
      // at once, and that request must carry the key too.
      assert.equal(await vscode.commands.executeCommand('r1ci.setApiKey', key), 'stored');
      await setSetting('backend', 'openai');
      await setSetting('openai.baseUrl', `${keyed.url}/v1`);
      await vscode.commands.executeCommand('r1ci.chat.newConversation');
      const t = await ask('Chat probe: sum of the first ten squares');
      assert.equal(t.error, undefined, t.error);
      assert.equal(t.answer, '385');
      const v1 = keyed.requests.filter((r) => r.path.startsWith('/v1/'));
      // The model list tells the chat the model's context length (runAgent's context watch).
      assert.ok(
        v1.some((r) => r.path === '/v1/models'),
        'the chat did not ask the server for its model list',
      );
      assert.ok(
        v1.some((r) => r.path === '/v1/chat/completions'),
        'the chat sent no chat request',
      );
      for (const r of v1) assert.equal(r.authorization, `Bearer ${key}`, `${r.path} went out without the key`);

      // Without the key the same server refuses the chat: the check above can fail.
      assert.equal(await vscode.commands.executeCommand('r1ci.setApiKey', ''), 'deleted');
      await vscode.commands.executeCommand('r1ci.chat.newConversation');
      const refused = await ask('Chat probe: sum of the first ten squares');
      assert.match(refused.error ?? '', /needs an API key/);
    } finally {
      await vscode.commands.executeCommand('r1ci.setApiKey', '');
      for (const k of ['backend', 'openai.baseUrl']) await setSetting(k, undefined);
      await keyed.close();
    }
  });
});
