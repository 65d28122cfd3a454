// What the status bar shows: one probe of the server (version, installed models, /api/ps) and
// a pure description of the result, so both are testable without a status bar.
import type { ModelServerClient, RunningModel } from './modelServerClient';
import { sameModel } from './modelServerClient';
import { describePlacement } from './format';
import { problemKindOf, type ProblemKind } from './backendErrorActions';
import { escapeMarkdown, plainLabel } from '../shared/uiText';

export type ServerStatus =
  | {
      readonly state: 'ok';
      readonly backend: 'ollama' | 'openai';
      readonly serverName: string;
      readonly baseUrl: string;
      readonly version: string | null;
      readonly model: string;
      readonly modelInstalled: boolean;
      /** The configured model in memory; null when not loaded; undefined when the server cannot say. */
      readonly running: RunningModel | null | undefined;
    }
  | {
      readonly state: 'error';
      readonly backend: 'ollama' | 'openai';
      readonly serverName: string;
      readonly baseUrl: string;
      readonly model: string;
      readonly kind: ProblemKind | undefined;
      readonly message: string;
    };

export async function probeServerStatus(client: ModelServerClient, model: string, signal?: AbortSignal): Promise<ServerStatus> {
  const base = { backend: client.kind, serverName: client.serverName, baseUrl: client.baseUrl, model };
  try {
    // Version first: it is the cheapest call and tells "nothing there" apart from the rest.
    const version = await client.serverVersion(signal);
    const [models, running] = await Promise.all([client.listModels(signal), client.listRunning(signal)]);
    return {
      ...base,
      state: 'ok',
      version,
      modelInstalled: models.some((m) => sameModel(m.name, model)),
      running: running === null ? undefined : (running.find((r) => sameModel(r.name, model)) ?? null),
    };
  } catch (error) {
    if (signal?.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')
      return { ...base, state: 'error', kind: 'stalled', message: `The ${client.serverName} at ${client.baseUrl} did not answer within a few seconds — it may be busy (loading a model); check again in a moment.` };
    return { ...base, state: 'error', kind: problemKindOf(error), message: error instanceof Error ? error.message : String(error) };
  }
}

export interface StatusPresentation {
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly command: 'r1ci.selectModel' | 'r1ci.checkModelServer' | 'r1ci.setApiKey';
  readonly warning: boolean;
}

export function describeServerStatus(status: ServerStatus): StatusPresentation {
  const server = status.backend === 'ollama' ? 'Ollama' : 'OpenAI-compatible server';
  if (status.state === 'error') {
    const text =
      status.kind === 'server-unreachable'
        ? `$(warning) ${status.backend === 'ollama' ? 'Ollama not running' : 'Model server not running'}`
        : status.kind === 'wrong-server'
          ? `$(warning) Not an ${status.backend === 'ollama' ? 'Ollama' : 'OpenAI-compatible'} server`
          : status.kind === 'auth'
            ? '$(warning) API key rejected'
            : '$(warning) Model server error';
    return {
      text,
      tooltip: `${escapeMarkdown(status.message)}\n\nClick to check again and see what to do.`,
      command: status.kind === 'auth' ? 'r1ci.setApiKey' : 'r1ci.checkModelServer',
      warning: true,
    };
  }
  const where = `${server}${status.version ? ` ${status.version}` : ''} at ${status.baseUrl}`;
  if (!status.modelInstalled) {
    const fix = status.backend === 'ollama' ? 'Click to pull it or pick another model.' : 'Click to pick one the server lists.';
    return {
      text: `$(warning) ${plainLabel(status.model)}`,
      tooltip: `${escapeMarkdown(where)}: **${escapeMarkdown(status.model)}** is not ${status.backend === 'ollama' ? 'pulled' : 'served'}. ${fix}`,
      command: 'r1ci.selectModel',
      warning: true,
    };
  }
  const memory = status.running === undefined ? 'served' : status.running === null ? 'not loaded (loaded on the first question)' : `loaded, ${describePlacement(status.running)}`;
  return {
    text: `$(hubot) ${plainLabel(status.model)}`,
    tooltip: `${escapeMarkdown(where)}: **${escapeMarkdown(status.model)}** ${escapeMarkdown(memory)}\n\nClick to choose another model.`,
    command: 'r1ci.selectModel',
    warning: false,
  };
}
