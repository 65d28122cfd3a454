// Restricted Mode: the language-model tool refuses, saying why, and runs nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../extensionHost';

describe('language-model tool in Restricted Mode', function () {
  this.timeout(60_000);

  it('refuses with a message that says why', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    assert.equal(vscode.workspace.isTrusted, false);
    const result = await vscode.lm.invokeTool('r1ci_runPython', { input: { code: 'print(6*7)' }, toolInvocationToken: undefined });
    const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.match(text, /^Not run: this workspace is in Restricted Mode/);
    assert.doesNotMatch(text, /42/);
  });
});
