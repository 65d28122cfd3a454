// The chat's context line, computed from the active session when it is sent (the chat keeps no
// copy): before the first question it says what that question will get.
import { describe, expect, it } from 'vitest';
import { chatStateFor } from '../../../../src/vscode/chat/chatState';

const settings = { model: 'qwen2.5-coder:7b', 'sandbox.approval': 'default' } as const;

describe('chatStateFor', () => {
  it('before the first question: the sandbox is not started yet', () => {
    expect(chatStateFor(undefined, settings, true)).toEqual({ busy: false, model: 'qwen2.5-coder:7b', tier: 'not-started', tierNote: expect.stringMatching(/starts with the first question/) });
  });

  it('says code is off in Restricted Mode or with approval "never", before any sandbox exists', () => {
    expect(chatStateFor(undefined, settings, false)).toMatchObject({ tier: 'off', tierNote: expect.stringMatching(/^Restricted Mode/) });
    expect(chatStateFor(undefined, { ...settings, 'sandbox.approval': 'never' }, true)).toMatchObject({ tier: 'off', tierNote: expect.stringMatching(/"never"/) });
  });

  it("shows the live session's tier and busy state as they are now", () => {
    const session = { busy: true, tier: { tier: 'basic', note: 'Basic: no bubblewrap.' } } as const;
    expect(chatStateFor(session, settings, true)).toEqual({ busy: true, model: 'qwen2.5-coder:7b', tier: 'basic', tierNote: 'Basic: no bubblewrap.' });
    // A known tier wins over what the settings would predict.
    expect(chatStateFor(session, settings, false).tier).toBe('basic');
  });
});
