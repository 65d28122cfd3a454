// The one mapping from conversation events to what a transcript webview renders: every event it
// gives passes the webview protocol's schema, nothing of the host (artifact paths, spilled
// output, the approval's code) reaches the view, and only image copies get a URI.
import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '../../../src/conversation/events';
import { viewEventSchema } from '../../../src/vscode/conversation/transcriptProtocol';
import { isShown, toViewEvent, toViewEvents } from '../../../src/vscode/conversation/viewEvents';

const PRIVATE = '/home/user/.config/Code/User/workspaceStorage/abc/r1ci/private';

const events: ConversationEvent[] = [
  { type: 'question', run: 0, text: 'Plot the squares', model: 'm' },
  { type: 'sandbox', sandbox: { tier: 'isolated', note: 'bubblewrap' } },
  { type: 'start', question: 'Plot the squares', model: 'm', maxCodeCalls: 4 },
  { type: 'turn-start', turn: 0 },
  { type: 'reasoning', turn: 0, text: 'A plot.' },
  { type: 'token', turn: 0, text: '```python\nplot()\n```' },
  { type: 'code', index: 0, turn: 0, language: 'python', code: 'plot()', offsetInTurn: 0 },
  { type: 'approval-request', index: 0, code: 'plot()' },
  { type: 'exec-start', index: 0 },
  {
    type: 'exec-result',
    index: 0,
    result: {
      stdout: 'x'.repeat(10),
      stderr: '',
      exitCode: 0,
      durationMs: 12,
      timedOut: false,
      truncated: true,
      fullOutputPath: `${PRIVATE}/output-0.txt`,
      artifacts: [
        { name: 'plot.png', path: `${PRIVATE}/plot.png`, sizeBytes: 100, mimeType: 'image/png' },
        { name: 'data.csv', path: `${PRIVATE}/data.csv`, sizeBytes: 10, mimeType: 'text/csv' },
        { name: 'huge.png', sizeBytes: 1e9, mimeType: 'image/png', notCopied: 'over the copy caps' },
      ],
    },
  },
  { type: 'turn-end', turn: 0, stats: { modelMs: 30, promptTokens: 100, outputTokens: 20, tokensPerSecond: 40, firstTokenMs: 5 } },
  { type: 'warning', kind: 'context-truncated', turn: 0, message: 'The context was cut.' },
  { type: 'notice', message: 'A fresh sandbox.' },
  { type: 'error', kind: 'sandbox', message: 'The sandbox failed.' },
  { type: 'done', reason: 'answer', answer: '1', answerSource: 'model', codeCalls: 1, turns: 1 },
];

describe('toViewEvent', () => {
  it('gives every shown event a view event the webview protocol accepts, in order', () => {
    const view = toViewEvents(events, (path) => `https://webview.test/${path}`);
    expect(view.map((e) => e.type)).toEqual(events.filter(isShown).map((e) => e.type));
    expect(view.map((e) => e.type)).not.toContain('start');
    for (const e of view) expect(viewEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    expect(view.find((e) => e.type === 'question')).toEqual({ type: 'question', text: 'Plot the squares', model: 'm' });
    expect(view.find((e) => e.type === 'approval-request')).toEqual({ type: 'approval-request', index: 0 });
    expect(view.find((e) => e.type === 'warning')).toEqual({ type: 'warning', message: 'The context was cut.' });
  });

  it('keeps host paths out of the view: only image copies get a URI, through the caller', () => {
    const asked: string[] = [];
    const view = toViewEvents(events, (path) => {
      asked.push(path);
      return `https://webview.test/img/${asked.length}`;
    });
    expect(asked).toEqual([`${PRIVATE}/plot.png`]);
    const result = view.find((e) => e.type === 'exec-result');
    expect(result?.type === 'exec-result' && result.result.artifacts).toEqual([
      { name: 'plot.png', sizeBytes: 100, mimeType: 'image/png', src: 'https://webview.test/img/1' },
      { name: 'data.csv', sizeBytes: 10, mimeType: 'text/csv', src: undefined },
      { name: 'huge.png', sizeBytes: 1e9, mimeType: 'image/png', src: undefined },
    ]);
    expect(JSON.stringify(view)).not.toContain(PRIVATE);
  });

  it('shows no image without a webview to load it', () => {
    const result = toViewEvent(events[9] as ConversationEvent, undefined);
    expect(result?.type === 'exec-result' && result.result.artifacts.map((a) => a.src)).toEqual([undefined, undefined, undefined]);
  });
});
