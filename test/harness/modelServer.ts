// The scripted model server (test/support/scripted-server) stands in for Ollama: it answers
// from the scenario files in test/scenarios. Runners start it before code-server and hand its
// URL to the extension host through env and user settings.
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server';
import type { Resource } from './lifecycle';
import { scenariosDir } from './paths';

export class ModelServer implements Resource {
  readonly label = 'scripted model server';

  private constructor(readonly server: ScriptedServer) {}

  static async start(scenarios: string = scenariosDir): Promise<ModelServer> {
    return new ModelServer(await startScriptedServer({ scenarios }));
  }

  get url(): string {
    return this.server.url;
  }

  async dispose(): Promise<void> {
    await this.server.close();
  }
}
