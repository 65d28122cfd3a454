// Advice in error and warning messages names what the user can change — and that depends on
// where they are: VS Code has settings, a model picker and commands; the `r1ci` CLI has flags and
// environment variables. This is the one table of those names. The process's front end is set
// once at start-up (the CLI calls `useFrontEnd('cli')`; the extension keeps the default).

export type FrontEnd = 'vscode' | 'cli';

/** Something a user can change to fix a problem, named per front end. */
export type Knob = 'ollamaHost' | 'openaiBaseUrl' | 'apiKey' | 'model' | 'maxCodeCalls' | 'contextTokens' | 'stallSeconds' | 'pythonPath' | 'isolationBasic' | 'think' | 'protocol';

const KNOBS: Readonly<Record<Knob, Readonly<Record<FrontEnd, string>>>> = {
  ollamaHost: { vscode: '"r1ci.ollama.host"', cli: '--host URL (or the OLLAMA_HOST environment variable)' },
  openaiBaseUrl: { vscode: '"r1ci.openai.baseUrl"', cli: '--base-url URL' },
  apiKey: { vscode: '"R1 Code Interpreter: Set API Key"', cli: '--api-key KEY (or the R1CI_API_KEY environment variable)' },
  model: { vscode: 'the model picker (click the model in the status bar)', cli: '--model NAME' },
  maxCodeCalls: { vscode: '"r1ci.maxCodeCalls"', cli: '--max-code-calls' },
  contextTokens: { vscode: '"r1ci.contextTokens"', cli: '--context-tokens' },
  stallSeconds: { vscode: '"r1ci.stallSeconds"', cli: '--stall-seconds' },
  think: { vscode: '"r1ci.think"', cli: '--think' },
  protocol: { vscode: '"r1ci.protocol"', cli: '--protocol' },
  pythonPath: { vscode: 'the interpreter path in "r1ci.python.path"', cli: '--python PATH' },
  /** Where the basic tier was chosen (the sandbox's tier note says so). */
  isolationBasic: { vscode: '"r1ci.sandbox.isolation": "basic" in the settings', cli: '--isolation basic' },
};

let current: FrontEnd = 'vscode';

/** Sets the process's front end (call once, at start-up). */
export function useFrontEnd(frontEnd: FrontEnd): void {
  current = frontEnd;
}

/** How `frontEnd` (default: the process's) names `knob`, e.g. `"r1ci.ollama.host"` or `--host URL (…)`. */
export function knob(name: Knob, frontEnd: FrontEnd = current): string {
  return KNOBS[name][frontEnd];
}

/** What to do when Ollama lacks `model`: `ollama pull` works everywhere; VS Code can also pull from its picker. */
export function pullAdvice(model: string, frontEnd: FrontEnd = current): string {
  return frontEnd === 'vscode' ? `run \`ollama pull ${model}\` (or pull it from the model picker)` : `run \`ollama pull ${model}\`, or choose a model the server has with --model NAME (\`ollama list\` shows them)`;
}
