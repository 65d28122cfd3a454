// Runs the scripted model server on its own, for manual runs and for tests in other processes:
//   node dist/test/support/scriptedServerMain.js --scenarios test/scenarios [--port 11434] [--host 127.0.0.1] [--api-key KEY]
// Prints "listening http://HOST:PORT" on stdout once it accepts connections; stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { caseFileModel, DEFAULT_MODELS, startScriptedServer } from './scripted-server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
    },
    strict: true,
  });
  if (values.scenarios === undefined) throw new Error('--scenarios <file-or-folder> is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  // A real-model case file names its model ("fake:latest"): serve it beside the default ones.
  const caseModel = caseFileModel(values.scenarios);
  const server = await startScriptedServer({
    scenarios: values.scenarios,
    ...(caseModel === undefined ? {} : { models: [...DEFAULT_MODELS, caseModel] }),
    port,
    host: values.host,
    ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
  });
  process.stdout.write(`listening ${server.url}\n`);
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`scripted model server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
