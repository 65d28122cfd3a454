// VS Code's own UI outside webviews parses syntax of its own: `$(icon)` in status bar and
// QuickPick text, `[label](command:…)` links in notifications, Markdown in MarkdownStrings.
// Text from a model server, a task file or the model goes through uiText.ts first; these
// hostile strings are what a server or a dataset could send.
import type { LogOutputChannel } from 'vscode';
import { describe, expect, it } from 'vitest';
import { createLog } from '../../../../src/vscode/shared/log';
import { escapeMarkdown, logText, notificationText, plainLabel, terminalLine } from '../../../../src/vscode/shared/uiText';

/** VS Code's label-with-icons pattern (iconLabels.ts): an unescaped `$(name)` becomes a codicon. */
const RENDERED_ICON = /(?<!\\)\$\([a-z0-9-]+(?:~[a-z]+)?\)/i;
/** VS Code's notification link pattern (linkedText.ts). */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;

describe('plainLabel', () => {
  it.each(['$(check) llama3', 'a$(sync~spin)b', '$(warning)', 'x\\$(ok) $(bad)'])('leaves no codicon in %j', (name) => {
    const shown = plainLabel(name);
    expect(shown).not.toMatch(RENDERED_ICON);
    expect(shown.replace(/\\\$\(/g, '$(')).toBe(name.replace(/\\\$\(/g, '$('));
  });

  it('shows controls and bidi overrides escaped', () => {
    expect(plainLabel('model\u202Egpj.exe\x1b[2J')).toBe('model\\u202egpj.exe\\x1b[2J');
  });

  it('keeps an ordinary model name as it is', () => {
    expect(plainLabel('qwen2.5-coder:7b-instruct-q4_K_M')).toBe('qwen2.5-coder:7b-instruct-q4_K_M');
  });
});

describe('notificationText', () => {
  it.each([
    'model not found: [Click to fix](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D)',
    'see [the log](file:///etc/passwd "log")',
    'error [x](https://evil.example/?q=1) and [y](command:r1ci.solve)',
  ])('leaves no link in %j', (message) => {
    const shown = notificationText(message);
    expect(shown).not.toMatch(NOTIFICATION_LINK);
    // Nothing is lost: the target is still there to read, as text.
    expect(shown.replace(/\] \(/g, '](')).toBe(message);
  });

  it('shows controls escaped and keeps ordinary sentences', () => {
    expect(notificationText('bad\x07 [line 3]: \u202Eoops')).toBe('bad\\x07 [line 3]: \\u202eoops');
    expect(notificationText('No Ollama server at http://127.0.0.1:11434 (start it with `ollama serve`).')).toBe('No Ollama server at http://127.0.0.1:11434 (start it with `ollama serve`).');
  });
});

describe('escapeMarkdown', () => {
  it('forms no link, image or HTML from a task file quote', () => {
    const quoted = escapeMarkdown('line 2: ![x](https://evil.example/p.png) [run](command:r1ci.solve) <img src=x onerror=alert(1)>');
    expect(quoted).not.toMatch(/(?<!\\)\[/);
    expect(quoted).not.toMatch(/(?<!\\)</);
    expect(quoted).toContain('\\[run\\](command:r1ci.solve)');
  });
});

describe('terminalLine', () => {
  it('writes one line for a terminal-backed view (the Testing output) with every control escaped and its own CRLF', () => {
    const line = terminalLine(`✗ q1: 42\x1b]8;;command:r1ci.solve\x07click\x1b]8;;\x07\x1b[2J\u009b31m\u202Eevil`);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(line.slice(0, -2)).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/);
    expect(line).toContain('42\\x1b]8;;command:r1ci.solve\\x07click');
  });
});

describe('logText', () => {
  it('cannot start a log entry of its own, nor act on the output view', () => {
    const forged = 'connect ECONNREFUSED\n2026-12-01 11:00:00.000 [info] Sandbox tier: isolated\r\nok\u001b[2J\u202e';
    const text = logText(forged);
    expect(
      text
        .split('\n')
        .slice(1)
        .every((line) => line.startsWith('    ')),
    ).toBe(true);
    expect(text).toBe('connect ECONNREFUSED\n    2026-12-01 11:00:00.000 [info] Sandbox tier: isolated\n    ok\\x1b[2J\\u202e');
  });

  it("is what the extension's log writes to its output channel", () => {
    const written: string[] = [];
    const channel = { info: (line: string) => written.push(line) } as unknown as LogOutputChannel;
    createLog(channel)('server said:\nfake entry\u001b]0;title\u0007');
    expect(written).toEqual([logText('server said:\nfake entry\u001b]0;title\u0007')]);
    expect(written[0]).not.toMatch(/\n(?! {4})|\u001b/);
  });
});
