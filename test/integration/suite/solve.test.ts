// The foundation path inside the real extension host: command → agent → scripted model server
// over HTTP → real Python in the sandbox → result back to the model → answer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closedPort, repoRoot, setSetting } from '../extensionHost';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import { symbenchQuestion } from '../../support/sharedTasks';

async function solve(question: string): Promise<Trajectory> {
  const result = await vscode.commands.executeCommand<Trajectory | undefined>('r1ci.solve', { question });
  assert.ok(result, 'r1ci.solve returned nothing');
  return result;
}

describe('Solve (real extension host, scripted model server, real Python)', function () {
  this.timeout(120_000);
  const serverUrl = process.env['R1CI_TEST_MODEL_URL'];

  before(async () => {
    assert.ok(serverUrl, 'R1CI_TEST_MODEL_URL is not set: the runner starts the scripted model server');
    await setSetting('ollama.host', serverUrl);
    await setSetting('model', 'qwen2.5-coder:7b');
    await setSetting('sandbox.approval', 'auto');
  });

  after(async () => {
    for (const key of ['ollama.host', 'model', 'sandbox.approval', 'maxCodeCalls']) await setSetting(key, undefined);
  });

  it("runs the model's code for real and feeds the output back (SymBench new_operator sample 0)", async () => {
    const t = await solve(symbenchQuestion(repoRoot(), 'new_operator_dataset', 0));
    assert.equal(t.error, undefined, t.error);
    assert.equal(t.codeCalls, 1);
    const cell = t.turns[0]?.cell;
    assert.ok(cell?.result, 'the code cell has no execution result');
    assert.equal(cell.result.exitCode, 0, cell.result.stderr);
    // 90.0 only comes from really executing the script; the scenario echoes what it was sent.
    assert.equal(cell.result.stdout.trim(), '90.0');
    assert.equal(t.answer, '90.0');
    assert.equal(t.reason, 'answer');
    // Generation stopped at the closing fence: the hallucinated continuation never arrived.
    assert.ok(!t.turns[0]?.text.includes('12345'), 'text after the closing fence leaked into the trajectory');
  });

  it("chains two code calls, the second using the first one's output", async () => {
    const t = await solve(symbenchQuestion(repoRoot(), 'statistical_counting_dataset', 0));
    assert.equal(t.error, undefined, t.error);
    assert.equal(t.codeCalls, 2);
    assert.equal(t.turns.length, 3);
    assert.equal(t.answer, t.turns[1]?.cell?.result?.stdout.trim());
  });

  it('stops at the code-call budget', async () => {
    await setSetting('maxCodeCalls', 2);
    try {
      const t = await solve('Budget probe: keep computing powers of two until told to stop.');
      assert.equal(t.reason, 'budget');
      assert.equal(t.codeCalls, 2);
    } finally {
      await setSetting('maxCodeCalls', undefined);
    }
  });

  it('says clearly when no model server is running, and loses nothing', async () => {
    const port = await closedPort();
    await setSetting('ollama.host', `http://127.0.0.1:${port}`);
    try {
      const t = await solve('What is 6*7?');
      assert.equal(t.reason, 'error');
      assert.equal(t.error, `No Ollama server at http://127.0.0.1:${port} — start it with \`ollama serve\`, or set "r1ci.ollama.host".`);
    } finally {
      await setSetting('ollama.host', serverUrl);
    }
  });

  it('tells the user when the conversation no longer fits the context window', async () => {
    await setSetting('contextTokens', 1024);
    try {
      const t = await solve(`Context probe: summarise this very long note. ${'The quick brown fox jumps over the lazy dog. '.repeat(200)}`);
      assert.equal(t.answer, 'long');
      const warning = t.warnings?.find((w) => w.kind === 'context-truncated');
      assert.ok(warning, `no context-truncated warning in ${JSON.stringify(t.warnings)}`);
      assert.match(warning.message, /r1ci\.contextTokens/);
    } finally {
      await setSetting('contextTokens', undefined);
    }
  });

  it('cancels a running solve from the command palette command', async () => {
    const pending = solve('Slow probe: think at length before answering.');
    await new Promise((r) => setTimeout(r, 1500));
    await vscode.commands.executeCommand('r1ci.cancel');
    const t = await pending;
    assert.equal(t.reason, 'cancelled');
  });
});
