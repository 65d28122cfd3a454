// End to end in the real workbench: with "r1ci.protocol": "tools" the model calls the native
// `python` tool; the call runs in the sandbox, shows as a code cell, and the result goes back to
// the model as a tool message.
import * as assert from 'node:assert/strict';
import { e2eContext, leaveOwnWorkbench, openOwnWorkbench, runCommand, screenshot, typeInQuickInput, waitFor, webviewFrame } from './workbench';

describe('Tools protocol in the solve panel', function () {
  this.timeout(180_000);

  it('runs a native tool call as a code cell and answers from its result', async () => {
    const { page, modelServer } = e2eContext();
    const folder = await openOwnWorkbench(page, 'tools-protocol-workspace', { 'r1ci.protocol': 'tools' });
    try {
      await runCommand(page, 'R1 Code Interpreter: Solve Question…');
      await typeInQuickInput(page, 'Tools probe: what is 10 factorial?');
      const panel = await webviewFrame(page, 'Tools probe', 60_000);
      const run = panel.locator('.approval button.primary');
      const stdout = panel.locator('.cell .stdout');
      await waitFor(async () => (await stdout.count()) > 0 || ((await run.count()) > 0 && (await run.click(), false)), 60_000, 'the code cell output');
      assert.match(await panel.locator('.cell .cell-code').first().innerText(), /math\.factorial\(10\)/);
      assert.equal((await stdout.first().innerText()).trim(), '3628800');
      const answer = panel.locator('.answer-card .answer-text');
      await answer.waitFor({ timeout: 30_000 });
      assert.equal((await answer.innerText()).trim(), '3628800');
      // On the wire: the python tool was offered, and its result went back as a tool message.
      const chats = modelServer?.chatRequests().filter((r) => r.question?.includes('Tools probe')) ?? [];
      const tools = (chats[0]?.body as { tools?: Array<{ function: { name: string } }> } | undefined)?.tools;
      assert.deepEqual(
        tools?.map((t) => t.function.name),
        ['python'],
      );
      assert.equal(chats[1]?.messages?.find((m) => m.role === 'tool')?.content, '3628800');
      await screenshot(page, 'solve-panel-tools');
    } finally {
      await leaveOwnWorkbench(page, folder);
    }
  });
});
