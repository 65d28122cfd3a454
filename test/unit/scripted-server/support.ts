// Helpers for the scripted-server tests: a tiny R1-CI loop over the official ollama client that
// really runs the model's Python, and raw readers for byte-level checks.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import type { Message, Ollama } from 'ollama';

export const MODEL = 'qwen2.5-coder:7b';
export const HEAD = 'The User asks a question, and you solve it. Use ```python blocks; results come back as Code Execution Results:.';

/** Runs a script with the machine's python3 and returns stdout+stderr, trimmed (as the agent would). */
export function runPython(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', code], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') return reject(error);
      resolve(`${stdout}${stderr}`.trim());
    });
  });
}

export interface LoopResult {
  readonly answer: string | null;
  readonly codeCalls: number;
  /** Everything the client accepted from the model (cut at each closing fence). */
  readonly modelText: string;
  readonly outputs: readonly string[];
}

const CODE_BLOCK = /```python\n([\s\S]*?)```/;

/** A minimal agent loop: stream, stop at the closing fence, run the code, send the output back. */
export async function solveWithCode(client: Ollama, question: string, mode: 'r1ci' | 'chat', maxCodeCalls = 5): Promise<LoopResult> {
  let messages: Message[] = [{ role: 'user', content: `${HEAD}\n\n${question}` }];
  let modelText = '';
  const outputs: string[] = [];
  for (;;) {
    const stream = await client.chat({ model: MODEL, messages, stream: true });
    let text = '';
    let code: string | null = null;
    for await (const part of stream) {
      text += part.message.content;
      const block = CODE_BLOCK.exec(text);
      if (block !== null) {
        code = block[1] ?? '';
        text = text.slice(0, block.index + block[0].length);
        stream.abort();
        break;
      }
    }
    modelText += text;
    if (code === null || outputs.length >= maxCodeCalls) {
      const answers = [...text.matchAll(/<<<([\s\S]*?)>>>/g)];
      return { answer: answers.at(-1)?.[1] ?? null, codeCalls: outputs.length, modelText, outputs };
    }
    const output = await runPython(code);
    outputs.push(output);
    const block = `Code Execution Results:\n${output}\n`;
    if (mode === 'chat') {
      messages = [...messages, { role: 'assistant', content: text }, { role: 'user', content: block }];
    } else {
      const last = messages.at(-1);
      const prefix = last?.role === 'assistant' ? last.content : '';
      const base = last?.role === 'assistant' ? messages.slice(0, -1) : messages;
      messages = [...base, { role: 'assistant', content: `${prefix}${text}\n${block}` }];
    }
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One HTTP request with node:http, returning the exact bytes of the body as text. */
export function rawRequest(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Reads a fetch body chunk by chunk until `enough` says stop (then cancels) or the stream ends. */
export async function readUntil(response: Response, enough: (text: string) => boolean): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (enough(text)) {
      await reader.cancel();
      return text;
    }
  }
}
