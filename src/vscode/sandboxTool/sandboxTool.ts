// The VS Code language-model tool "Run Python in the isolated sandbox" (r1ci_runPython): every
// agent in VS Code (Copilot agent mode, other extensions through vscode.lm.invokeTool) can run
// Python in our sandbox, with persistent state per session id. Uses only APIs finalized in VS
// Code 1.100: registerTool, prepareInvocation with confirmation messages, text result parts.
// (LanguageModelDataPart, for returning images, is not in 1.100: images are named in the text.)
import * as vscode from 'vscode';
import { invocationPreview, PreparedCalls, tierRefusal } from '../../codeTool/approval';
import { formatCellReport } from '../../codeTool/cellReport';
import { runPythonInput, type RunPythonInput } from '../../codeTool/runPythonInput';
import { SessionError, SessionRegistry } from '../../codeTool/sessionRegistry';
import { runOptionsFrom } from '../../config/runOptions';
import { readSettings } from '../shared/settings';
import type { CommandManager } from '../shared/commandManager';
import type { Log } from '../shared/log';
import { CopyMcpConfigCommand } from './copyMcpConfig';
import type { SandboxService } from '../shared/sandboxService';
import { detectIsolation, type IsolationTier } from '../../sandbox';
import { removeTree } from '../../sandbox/scratchJanitor';

/** The tool's name, as in package.json's `languageModelTools` and for vscode.lm.invokeTool. */
export const SANDBOX_TOOL_NAME = 'r1ci_runPython';

const RESTRICTED_MESSAGE =
  'Not run: this workspace is in Restricted Mode (not trusted), and R1 Code Interpreter never executes code there. Trust the workspace (Manage Workspace Trust) to let agents run Python in the sandbox.';
const NEVER_MESSAGE = 'Not run: code execution is turned off ("r1ci.sandbox.approval": "never").';

export class SandboxTool implements vscode.LanguageModelTool<RunPythonInput>, vscode.Disposable {
  private readonly registry: SessionRegistry;
  private tierCache: { key: string; tier: Promise<{ tier: IsolationTier; note: string }> } | undefined;
  /** What each call's preview showed: `invoke` runs a cell only on the tier it was approved for. */
  private readonly prepared = new PreparedCalls();

  constructor(
    sandbox: SandboxService,
    private readonly log: Log,
  ) {
    this.registry = new SessionRegistry({
      createSandbox: async (signal) => {
        const runner = await sandbox.acquire(readSettings(log), signal);
        // The scratch folder of a tool session is the session's: it goes with it.
        return { runner, release: () => removeTree(runner.scratchDir) };
      },
    });
  }

  async prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<RunPythonInput>): Promise<vscode.PreparedToolInvocation> {
    const input = runPythonInput.safeParse(options.input);
    if (!input.success || !vscode.workspace.isTrusted) return { invocationMessage: 'Run Python in the sandbox' };
    const { tier, note } = await this.tierFor(input.data.session_id);
    const preview = invocationPreview(input.data.code, input.data.session_id, tier, note, readSettings(this.log)['sandbox.approval']);
    this.prepared.record(input.data.code, input.data.session_id, { tier, confirmed: preview.confirmTitle !== undefined });
    const body = new vscode.MarkdownString(preview.markdown);
    if (preview.confirmTitle === undefined) return { invocationMessage: body };
    return { invocationMessage: preview.runningLine, confirmationMessages: { title: preview.confirmTitle, message: body } };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<RunPythonInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = runPythonInput.safeParse(options.input);
    if (!input.success) throw new Error(`Invalid input for ${SANDBOX_TOOL_NAME}: ${input.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
    if (!vscode.workspace.isTrusted) return textResult(RESTRICTED_MESSAGE);
    const approval = readSettings(this.log)['sandbox.approval'];
    if (approval === 'never') return textResult(NEVER_MESSAGE);
    const prepared = this.prepared.take(input.data.code, input.data.session_id);
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      // The tier is checked again once the cell's sandbox has started: the one the preview showed
      // was a prediction (a new session's sandbox, a setting changed since).
      const allowTier = (tier: IsolationTier): string | undefined => tierRefusal(approval, tier, prepared);
      const run = await this.registry.run(input.data.code, { sessionId: input.data.session_id, signal: controller.signal, allowTier });
      this.log(`${SANDBOX_TOOL_NAME}: session ${run.sessionId ?? '(none)'}, ${run.tier} tier, exit ${run.result.exitCode}, ${run.result.durationMs.toFixed(0)} ms`);
      return textResult(formatCellReport(run));
    } catch (error) {
      // A refusal (a tier the call was not approved for, a bad session id, every sandbox busy) is the caller's to read.
      if (error instanceof SessionError) return textResult(error.message);
      throw error;
    } finally {
      subscription.dispose();
    }
  }

  dispose(): void {
    void this.registry.dispose();
  }

  /** The tier a call will run on: its session's when it has one, else what this machine offers. */
  private async tierFor(sessionId: string | undefined): Promise<{ tier: IsolationTier; note: string }> {
    const session = this.registry.list().find((s) => s.id === sessionId);
    const { sandbox } = runOptionsFrom(readSettings(this.log));
    if (session && session.tier !== 'starting') return { tier: session.tier, note: session.tierNote };
    if (sandbox.isolation === 'basic') return { tier: 'basic', note: 'basic tier chosen in "r1ci.sandbox.isolation": code runs as you, with your files and network' };
    const key = sandbox.pythonPath ?? '';
    if (this.tierCache?.key !== key) this.tierCache = { key, tier: detectIsolation(key || undefined).then((i) => ({ tier: i.tier, note: i.note })) };
    return this.tierCache.tier;
  }
}

/** Registers the tool and "Copy MCP Server Configuration"; the returned disposables end the tool's sessions. */
export function registerSandboxTool(commands: CommandManager, context: vscode.ExtensionContext, sandbox: SandboxService, log: Log): vscode.Disposable[] {
  const tool = new SandboxTool(sandbox, log);
  commands.register(new CopyMcpConfigCommand(context.extensionUri, context.secrets));
  return [tool, vscode.lm.registerTool(SANDBOX_TOOL_NAME, tool)];
}

function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}
