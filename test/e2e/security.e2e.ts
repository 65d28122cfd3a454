// Model text and program output are untrusted. The scripted model writes HTML with event
// handlers, a <script>, javascript: links and a KaTeX \href, and its code prints the same to
// stdout and stderr; every payload would set document.title to "PWNED-…". In the real webviews
// (side-bar chat and solve panel) nothing may run, no element may be injected, and the payloads
// must be shown as text.
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { z } from 'zod';
import { askInChat, openNewChat, waitForAnswerCard } from './chatSupport';
import { e2eContext, runCommand, screenshot, typeInQuickInput, webviewFrame } from './workbench';

const QUESTION = 'Security probe: render hostile text';

interface PageElement {
  readonly innerText: string;
  readonly ownerDocument: { readonly title: string; querySelectorAll(selector: string): ArrayLike<PageElement> };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
}

const reportSchema = z.object({
  title: z.string(),
  scripts: z.number(),
  handlers: z.number(),
  images: z.array(z.string().nullable()),
  svgs: z.number(),
  javascriptLinks: z.number(),
  text: z.string(),
});

async function assertNothingExecuted(frame: FrameLocator, expectedTitle: string): Promise<void> {
  const body = frame.locator('body');
  // Runs in the webview; this project's Node typings have no DOM, hence the small interface.
  const report = reportSchema.parse(
    await body.evaluate((node: unknown) => {
      const b = node as PageElement;
      const all = (root: { querySelectorAll(s: string): ArrayLike<PageElement> }, selector: string): PageElement[] => Array.from(root.querySelectorAll(selector));
      return {
        title: b.ownerDocument.title,
        scripts: all(b, 'script').length,
        handlers: all(b, '[onerror], [onload], [onclick]').length,
        images: all(b, 'img').map((i) => i.getAttribute('src')),
        svgs: all(b, 'svg').length,
        javascriptLinks: all(b, 'a').filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
        text: b.innerText,
      };
    }),
  );
  assert.equal(report.title, expectedTitle, 'a payload changed the document title: it ran');
  assert.equal(report.scripts, 1, "a script element was injected (only the extension's own bundle may be in the body)");
  assert.equal(report.handlers, 0, 'an element with an inline event handler was injected');
  assert.deepEqual(report.images, [], 'an image element was injected');
  assert.equal(report.svgs, 0, 'an svg element was injected');
  assert.equal(report.javascriptLinks, 0, 'a javascript: link was rendered as a link');
  // Shown as text instead: from the model's markdown, from stdout and from stderr.
  for (const shown of [`<img src=x onerror="document.title='PWNED-MD-IMG'">`, `<script>document.title='PWNED-MD-SCRIPT'</script>`, `[a link](javascript:document.title='PWNED-MD-LINK')`]) {
    assert.ok(report.text.includes(shown), `the model text ${shown} is not shown as text`);
  }
  for (const shown of [`<img src=x onerror="document.title='PWNED-OUT-IMG'">`, `<script>document.title='PWNED-OUT-SCRIPT'</script>`, `<img src=x onerror="document.title='PWNED-ERR-IMG'">`]) {
    assert.ok(report.text.includes(shown), `the program output ${shown} is not shown as text`);
  }
}

describe('Security: untrusted model text and program output', function () {
  this.timeout(180_000);

  it('runs nothing and injects nothing in the side-bar chat', async () => {
    const { page } = e2eContext();
    const chat = await openNewChat(page);
    await askInChat(chat, QUESTION);
    await waitForAnswerCard(chat, 1);
    await assertNothingExecuted(chat, 'R1 Code Interpreter chat');
    // The would-be link is plain text: clicking it navigates nowhere and changes nothing.
    await chat.locator('.prose', { hasText: 'a link' }).first().click();
    await assertNothingExecuted(chat, 'R1 Code Interpreter chat');
    await screenshot(page, 'security-chat');
  });

  it('runs nothing and injects nothing in the solve panel', async () => {
    const { page } = e2eContext();
    await runCommand(page, 'R1 Code Interpreter: Solve Question…');
    await typeInQuickInput(page, QUESTION);
    const panel = await webviewFrame(page, 'Solve: Security probe', 60_000);
    await waitForAnswerCard(panel, 1);
    await assertNothingExecuted(panel, `Solve: ${QUESTION}`);
    await screenshot(page, 'security-panel');
  });
});
