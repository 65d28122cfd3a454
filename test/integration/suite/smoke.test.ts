// The first thing to break when packaging or activation goes wrong: is our extension in the
// real VS Code, does it activate, and is its main command there?
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'r1ci.r1ci-vscode';

describe('smoke: the extension inside a real VS Code', () => {
  it('is installed as the development extension', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} not found`);
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} not found`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers the r1ci.solve command', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('r1ci.solve'), 'r1ci.solve is not registered');
  });
});
