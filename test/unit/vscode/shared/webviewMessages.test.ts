// Every webview's messages (solve panel, side-bar chat, results view) go through one check:
// parsed with the view's zod schema, and a message that fails is logged once, in one line that
// says what was wrong, escaped and capped. The results view dropped them without a word, and
// the others logged the first issue's message raw (a page's text could start a log line).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatCommandSchema } from '../../../../src/vscode/chat/protocol';
import { resultsWebviewMessageSchema } from '../../../../src/vscode/eval/resultsProtocol';
import { acceptWebviewMessage, MALFORMED_LINE_CAP } from '../../../../src/vscode/shared/webviewMessages';
import { panelCommandSchema } from '../../../../src/vscode/solve/protocol';

/** Raw control characters and line breaks: none may reach a log line. */
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

function accept(view: string, schema: Parameters<typeof acceptWebviewMessage>[1], raw: unknown): { value: unknown; lines: string[] } {
  const lines: string[] = [];
  const value = acceptWebviewMessage(view, schema, raw, (line) => lines.push(line));
  return { value, lines };
}

describe('messages from a webview page', () => {
  it.each([
    ['results', resultsWebviewMessageSchema, { type: 'show-trajectory', run: 1, id: 'q1' }],
    ['chat', chatCommandSchema, { type: 'ready' }],
    ['panel', panelCommandSchema, { type: 'ready' }],
  ] as const)('a valid %s message is passed on and nothing is logged', (view, schema, raw) => {
    const { value, lines } = accept(view, schema, raw);
    expect(value).toEqual(raw);
    expect(lines).toEqual([]);
  });

  it('a malformed results message is logged once: the view, its type and what was wrong', () => {
    const { value, lines } = accept('results', resultsWebviewMessageSchema, { type: 'show-trajectory', run: 7, id: 3 });
    expect(value).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Ignored a malformed message from the results webview \(type "show-trajectory"\): run: .*; id: /);
  });

  it.each([
    ['a type with a forged log line and escape sequences', { type: `x\n[info] Sandbox tier: isolated\u001b]0;OWNED\u0007\u202eevil${'y'.repeat(5000)}` }],
    ['a known type with every field wrong', { type: 'show-trajectory', run: 'x'.repeat(10_000), id: ['\u001b[2J'], sample: -1 }],
    ['a string, not an object', `\u001b[2J${'z'.repeat(10_000)}`],
    ['null', null],
  ])('%s: one line, escaped, at most the cap', (_name, raw) => {
    for (const [view, schema] of [
      ['results', resultsWebviewMessageSchema],
      ['chat', chatCommandSchema],
      ['panel', panelCommandSchema],
    ] as const) {
      const { value, lines } = accept(view, schema, raw);
      expect(value).toBeUndefined();
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toMatch(RAW);
      expect(lines[0]?.length).toBeLessThanOrEqual(MALFORMED_LINE_CAP);
      expect(lines[0]).toContain(`from the ${view} webview`);
    }
  });

  it('every onDidReceiveMessage of the extension is the shared host (WebviewHost), which logs through acceptWebviewMessage', () => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
      });
    })('src');
    const listeners = files.filter((f) => readFileSync(f, 'utf8').includes('onDidReceiveMessage'));
    expect(listeners).toEqual([join('src', 'vscode', 'shared', 'webviewHost.ts')]);
    const host = readFileSync(listeners[0] ?? '', 'utf8');
    expect(host).toContain('acceptWebviewMessage(');
    expect(host).not.toMatch(/log\?:|log\?\.\(/);
  });
});
