// Shared by the backend tests: both backends against one scripted server, and leak checks.
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { OllamaBackend } from '../../../src/agent/backends/ollama';
import { OpenAiBackend } from '../../../src/agent/backends/openai';
import type { ModelBackend } from '../../../src/agent/backends/types';
import type { AgentEvent } from '../../../src/agent/events';
import type { ProtocolMode } from '../../../src/agent/protocol';
import { runAgent, type AgentOptions } from '../../../src/agent/runAgent';
import { collectTrajectory } from '../../../src/agent/trajectory';
import type { Trajectory } from '../../../src/trajectory/trajectory';
import type { ScriptedServer } from '../../support/scripted-server';

export const MODEL = 'qwen2.5-coder:7b';
export type BackendKind = 'ollama' | 'openai';
export const KINDS: readonly BackendKind[] = ['ollama', 'openai'];

export function backendFor(kind: BackendKind, url: string, apiKey?: string): ModelBackend {
  return kind === 'ollama' ? new OllamaBackend(url) : new OpenAiBackend({ baseUrl: `${url}/v1`, apiKey });
}

export interface Run {
  readonly trajectory: Trajectory;
  readonly events: AgentEvent[];
}

export async function solve(backend: ModelBackend, question: string, options: Partial<Omit<AgentOptions, 'backend'>> & { protocol?: ProtocolMode } = {}): Promise<Run> {
  const events: AgentEvent[] = [];
  const trajectory = await collectTrajectory(
    runAgent(question, {
      backend,
      model: MODEL,
      runner: null,
      protocol: 'chat',
      maxCodeCalls: 5,
      temperature: 0.6,
      signal: new AbortController().signal,
      ...options,
    }),
    (e) => events.push(e),
  );
  return { trajectory, events };
}

/** Every chat request the server saw has ended: finished, aborted by us, dropped by it, or refused. */
export async function expectChatsSettled(server: ScriptedServer): Promise<void> {
  await expect.poll(() => server.chatRequests().filter((r) => !(r.aborted || r.dropped || r.finishedAt !== undefined || (r.status !== undefined && r.status !== 200))).length).toBe(0);
}

/** Closes `server` once every chat request it saw has ended, and checks it left no connection or timer open. */
export async function closeLeavingNothing(server: ScriptedServer): Promise<void> {
  await expectChatsSettled(server);
  await server.close();
  expect(server.openConnections).toBe(0);
  expect(server.activeTimers).toBe(0);
}

/** Processes whose parent chain leads to this test process (python workers left behind would show here). */
export function descendantProcesses(): Array<{ pid: number; command: string }> {
  const parentOf = new Map<number, number>();
  const commandOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces; the ppid follows the state.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
      commandOf.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: Array<{ pid: number; command: string }> = [];
  for (const [pid, command] of commandOf) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        found.push({ pid, command });
        break;
      }
    }
  }
  return found;
}

export function pythonDescendants(): Array<{ pid: number; command: string }> {
  return descendantProcesses().filter((p) => /python|bwrap/i.test(p.command));
}
