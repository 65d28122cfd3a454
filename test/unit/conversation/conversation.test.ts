// The core conversation without VS Code: real HTTP to the scripted server, real Python in the
// real sandbox. Follow-ups keep the sandbox and the message history; re-run, cancel, reset and
// restore behave as the chat and the `r1ci chat` terminal rely on.
import { describe, expect, it } from 'vitest';
import { Conversation, type ConversationHost, type ConversationRecord } from '../../../src/conversation/conversation';
import { foldConversation, type ConversationEvent } from '../../../src/conversation/events';
import type { CodeRunner } from '../../../src/sandbox/types';
import { scriptedBackend, useAgentRig, type AgentRig } from '../../support/agentRig';
import { CONVERSATION_SCENARIOS, SET_X, SLEEP, USE_X } from '../../support/conversationScenarios';
import type { ScriptedServer } from '../../support/scripted-server';

const rig = useAgentRig('r1ci-conversation-test-');

interface Harness {
  readonly host: ConversationHost;
  readonly server: ScriptedServer;
  /** Runners the host made, in order. */
  readonly runners: CodeRunner[];
  readonly persisted: ConversationRecord[];
}

async function harness(r: AgentRig, options: { approve?: boolean } = {}): Promise<Harness> {
  const server = await r.serve({ scenarios: [...CONVERSATION_SCENARIOS] });
  const runners: CodeRunner[] = [];
  const persisted: ConversationRecord[] = [];
  const host: ConversationHost = {
    modelSettings: () => Promise.resolve({ backend: scriptedBackend('ollama', server.url), model: 'qwen2.5-coder:7b', protocol: 'r1ci', maxCodeCalls: 4, temperature: 0 }),
    createRunner: async () => {
      const runner = await r.codeRunner();
      runners.push(runner);
      return { runner };
    },
    mustApprove: () => options.approve === true,
    persist: (record) => persisted.push({ events: [...record.events], messages: [...record.messages] }),
  };
  return { host, server, runners, persisted };
}

describe('Conversation (core, no VS Code)', () => {
  it('keeps the sandbox and the history across a follow-up, numbering turns and cells across the conversation', async () => {
    const h = await harness(rig);
    const conversation = new Conversation(h.host);
    const events: ConversationEvent[] = [];
    conversation.onEvent((e) => events.push(e));

    const first = await conversation.ask(SET_X);
    expect(first.answer).toBe('set');
    const second = await conversation.ask(USE_X);
    // The follow-up's code read the variable the first question's code left in the sandbox.
    expect(second.turns[0]?.cell?.result?.stdout).toBe('42\n');
    expect(second.answer).toBe('42');
    expect(h.runners).toHaveLength(1);

    // The second request of the follow-up carried the first question's exchange.
    const followUp = h.server.chatRequests().find((c) => c.messages?.some((m) => m.content.includes(USE_X)));
    expect(followUp?.messages?.some((m) => m.content.includes(SET_X))).toBe(true);
    expect(conversation.record.messages.filter((m) => m.role === 'user').map((m) => m.content.includes(USE_X))).toContain(true);

    // Conversation numbering: the follow-up's cell is cell 1, its turns come after the first question's.
    const codes = events.filter((e) => e.type === 'code');
    expect(codes.map((e) => e.index)).toEqual([0, 1]);
    const turnStarts = events.flatMap((e) => (e.type === 'turn-start' ? [e.turn] : []));
    expect(turnStarts).toEqual([0, 1, 2, 3]);
    expect(events.filter((e) => e.type === 'question').map((e) => e.run)).toEqual([0, 1]);
    expect(events.filter((e) => e.type === 'sandbox')).toHaveLength(1);

    // The recorded events fold back into the same trajectories, numbered per question.
    const folded = foldConversation(conversation.record.events);
    expect(folded).toEqual([conversation.trajectory(0), conversation.trajectory(1)]);
    expect(folded[1]?.turns[0]?.cell?.index).toBe(0);
    expect(h.persisted.length).toBeGreaterThanOrEqual(2);
    await conversation.dispose();
  });

  it('re-runs a cell in the same sandbox, and a reset starts a fresh one without the variables', async () => {
    const h = await harness(rig);
    const conversation = new Conversation(h.host);
    await conversation.ask(SET_X);
    await conversation.ask(USE_X);
    const rerun = await conversation.rerun(1);
    expect(rerun.kind === 'ran' && rerun.result.stdout).toBe('42\n');
    expect(await conversation.rerun(7)).toEqual({ kind: 'unknown-cell' });

    await conversation.reset();
    expect(conversation.record.events).toEqual([]);
    expect(conversation.record.messages).toEqual([]);
    const fresh = await conversation.ask(USE_X);
    expect(h.runners).toHaveLength(2);
    expect(fresh.turns[0]?.cell?.result?.stderr).toContain("NameError: name 'x' is not defined");
    await conversation.dispose();
  });

  it('cancels the running question (code included) and takes the next one', async () => {
    const h = await harness(rig);
    const conversation = new Conversation(h.host);
    conversation.onEvent((e) => {
      if (e.type === 'exec-start') setTimeout(() => conversation.cancel(), 300);
    });
    const started = Date.now();
    const cancelled = await conversation.ask(SLEEP);
    expect(cancelled.reason).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(conversation.busy).toBe(false);
    const next = await conversation.ask(SET_X);
    expect(next.answer).toBe('set');
    await conversation.dispose();
  });

  it('refuses a second question while one runs, and waits for approval when the host asks for it', async () => {
    const h = await harness(rig, { approve: true });
    const conversation = new Conversation(h.host);
    const requests: number[] = [];
    conversation.onEvent((e) => {
      if (e.type === 'approval-request') {
        requests.push(e.index);
        conversation.approve(e.index, false);
      }
    });
    const running = conversation.ask(SET_X);
    const refused = await conversation.ask(USE_X);
    expect(refused.reason).toBe('error');
    expect(refused.error).toContain('still working');
    const declined = await running;
    expect(requests).toEqual([0]);
    expect(declined.turns[0]?.cell?.result).toBeUndefined();
    expect(h.server.chatRequests()[1]?.messages?.at(-1)?.content).toContain('declined');
    await conversation.dispose();
  });

  it('continues a restored conversation: the history goes to the model, a fresh sandbox is announced', async () => {
    const h = await harness(rig);
    const first = new Conversation(h.host);
    await first.ask(SET_X);
    const saved = first.record;
    await first.dispose();

    const restored = new Conversation(h.host, saved);
    const notices: string[] = [];
    restored.onEvent((e) => {
      if (e.type === 'notice') notices.push(e.message);
    });
    const t = await restored.ask(USE_X);
    expect(notices.join(' ')).toContain('fresh sandbox');
    // The sandbox is new (the variable is gone), but the model saw the earlier exchange.
    expect(t.turns[0]?.cell?.result?.stderr).toContain('NameError');
    const followUp = h.server.chatRequests().at(-1);
    expect(followUp?.messages?.some((m) => m.content.includes(SET_X))).toBe(true);
    // The restored question's trajectory is folded from the record; the new one follows it.
    expect(restored.trajectory(0)?.answer).toBe('set');
    expect(restored.trajectory(1)).toBe(t);
    // Cell numbering continues after the restored cells.
    expect(restored.record.events.filter((e) => e.type === 'code').map((e) => e.index)).toEqual([0, 1]);
    await restored.dispose();
  });

  it('a sandbox that cannot start fails the question with its message, and the conversation stays usable', async () => {
    const h = await harness(rig);
    let attempts = 0;
    const conversation = new Conversation({
      ...h.host,
      createRunner: (signal) => (++attempts === 1 ? Promise.reject(new Error('no interpreter at /nowhere/python3')) : h.host.createRunner(signal)),
    });
    const errors: string[] = [];
    conversation.onEvent((e) => {
      if (e.type === 'error') errors.push(`${e.kind}: ${e.message}`);
    });
    const failed = await conversation.ask(SET_X);
    expect(failed.reason).toBe('error');
    expect(failed.error).toContain('/nowhere/python3');
    expect(errors).toEqual(['sandbox: no interpreter at /nowhere/python3']);
    expect(conversation.busy).toBe(false);
    expect((await conversation.ask(SET_X)).answer).toBe('set');
    await conversation.dispose();
  });
  it('a question asked while the sandbox starts (startSandbox and ask at once) shares that one sandbox', async () => {
    const h = await harness(rig);
    const conversation = new Conversation(h.host);
    const [sandbox, t] = await Promise.all([conversation.startSandbox(), conversation.ask(SET_X)]);
    expect(t.answer).toBe('set');
    expect(sandbox.tier).toBe(h.runners[0]?.tier);
    expect(h.runners).toHaveLength(1);
    await conversation.dispose();
  });

  it('closed while its sandbox starts: the sandbox is ended and handed back (so its scratch folder can go), the question ends', async () => {
    const h = await harness(rig);
    let asked!: () => void;
    const creating = new Promise<void>((resolve) => (asked = resolve));
    const conversation = new Conversation({
      ...h.host,
      createRunner: (signal) => {
        asked();
        return h.host.createRunner(signal);
      },
    });
    const question = conversation.ask(SET_X);
    await creating;
    const closed = await conversation.dispose();
    expect(h.runners).toHaveLength(1);
    expect(closed).toBe(h.runners[0]);
    await expect(closed?.runCell('print(1)')).rejects.toThrow('disposed');
    const t = await question;
    expect(t.reason).toBe('cancelled');
    expect(t.error).toContain('closed');
  });
  it.each(['exec-start', 'turn-start'] as const)('started over at %s of a running question: nothing of that question is left in the record or the history', async (at) => {
    const h = await harness(rig);
    // At turn-start with code off: there is no sandbox to end, so the reset has nothing to wait for but the question itself.
    const conversation = new Conversation(at === 'turn-start' ? { ...h.host, createRunner: () => Promise.resolve({ runner: null, note: 'off for the test' }) } : h.host);
    let resetting: Promise<void> | undefined;
    conversation.onEvent((e) => {
      if (e.type === at) resetting ??= conversation.reset();
    });
    const cancelled = await conversation.ask(SLEEP);
    await resetting;
    expect(cancelled.reason).toBe('cancelled');
    expect(conversation.record.events).toEqual([]);
    expect(conversation.record.messages).toEqual([]);
    expect(conversation.busy).toBe(false);
    // The next question starts afresh: no earlier exchange goes to the model.
    expect((await conversation.ask(SET_X)).reason).not.toBe('error');
    expect(
      h.server
        .chatRequests()
        .at(-1)
        ?.messages?.some((m) => m.content.includes(SLEEP)),
    ).toBe(false);
    await conversation.dispose();
  });
});
