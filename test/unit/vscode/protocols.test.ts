// Each webview accepts only its own protocol: the solve panel and the chat share the
// transcript's messages, and neither takes the other's (the panel used to accept the chat's
// "ask" and drop it silently).
import { describe, expect, it } from 'vitest';
import { chatCommandSchema, chatNotificationSchema } from '../../../src/vscode/chat/protocol';
import { MAX_QUESTION_ID_CHARS, resultsWebviewMessageSchema } from '../../../src/vscode/eval/resultsProtocol';
import { panelCommandSchema, panelNotificationSchema } from '../../../src/vscode/solve/protocol';
import { MAX_LINK_CHARS, MAX_VIEW_TEXT_CHARS } from '../../../src/vscode/conversation/transcriptProtocol';

const ask = { type: 'ask', question: 'What is 2 + 2?' };
const chatState = { type: 'chat-state', state: { busy: false, model: 'qwen3', tier: 'not-started', tierNote: '' } };
const session = { type: 'session', session: { question: 'q', model: 'qwen3', maxCodeCalls: 5, tier: 'basic', tierNote: 'note' } };
const transcriptCommands = [
  { type: 'ready' },
  { type: 'cancel' },
  { type: 'approve', index: 0, run: true },
  { type: 'copy', text: 'x' },
  { type: 'insert-code', code: 'print(1)' },
  { type: 'open-link', href: 'https://example.org' },
  { type: 'rerun', index: 1 },
  { type: 'open-notebook', run: 0 },
  { type: 'problem-action', id: 'pull' },
];

describe('webview protocols', () => {
  it("the solve panel rejects the chat's messages, both ways", () => {
    expect(panelCommandSchema.safeParse(ask).success).toBe(false);
    expect(panelNotificationSchema.safeParse(chatState).success).toBe(false);
  });

  it("the chat rejects the panel's header message", () => {
    expect(chatNotificationSchema.safeParse(session).success).toBe(false);
  });

  it('each view accepts its own messages', () => {
    expect(chatCommandSchema.safeParse(ask).success).toBe(true);
    expect(chatNotificationSchema.safeParse(chatState).success).toBe(true);
    expect(panelNotificationSchema.safeParse(session).success).toBe(true);
  });

  it('both transcript views accept every transcript command, and the results view none of its cell actions', () => {
    for (const message of transcriptCommands) {
      expect(panelCommandSchema.safeParse(message).success, message.type).toBe(true);
      expect(chatCommandSchema.safeParse(message).success, message.type).toBe(true);
      if (message.type !== 'ready') expect(resultsWebviewMessageSchema.safeParse(message).success, message.type).toBe(false);
    }
  });

  it('both transcript views accept the shared notifications, and validate their contents', () => {
    const events = { type: 'events', events: [{ type: 'token', turn: 0, text: 'hi' }] };
    for (const schema of [panelNotificationSchema, chatNotificationSchema]) {
      expect(schema.safeParse(events).success).toBe(true);
      expect(schema.safeParse({ type: 'reset' }).success).toBe(true);
      expect(schema.safeParse({ type: 'problem-actions', actions: [{ id: 'retry', label: 'Retry' }] }).success).toBe(true);
      expect(schema.safeParse({ type: 'events', events: [{ type: 'token', turn: 'zero', text: 'hi' }] }).success).toBe(false);
      expect(schema.safeParse({ type: 'problem-actions', actions: [{ id: 'format-disk', label: 'Oops' }] }).success).toBe(false);
    }
  });

  it('refuses what neither transcript page sends: fractional or negative cells, text and links of unbounded size', () => {
    const hostile = [
      { type: 'approve', index: -1, run: true },
      { type: 'approve', index: 0.5, run: true },
      { type: 'copy', text: 'x'.repeat(MAX_VIEW_TEXT_CHARS + 1) },
      { type: 'insert-code', code: 'x'.repeat(MAX_VIEW_TEXT_CHARS + 1) },
      { type: 'open-link', href: `https://example.org/${'a'.repeat(MAX_LINK_CHARS)}` },
      { type: 'copy', text: 42 },
      { type: 'open-file', path: '../../.ssh/id_rsa' },
    ];
    for (const message of hostile) {
      expect(panelCommandSchema.safeParse(message).success, message.type).toBe(false);
      expect(chatCommandSchema.safeParse(message).success, message.type).toBe(false);
    }
  });

  it('the results view refuses a question id of unbounded size', () => {
    expect(resultsWebviewMessageSchema.safeParse({ type: 'show-trajectory', run: 0, id: 'a/b.jsonl#3' }).success).toBe(true);
    expect(resultsWebviewMessageSchema.safeParse({ type: 'show-trajectory', run: 0, id: 'x'.repeat(MAX_QUESTION_ID_CHARS + 1) }).success).toBe(false);
  });
});
