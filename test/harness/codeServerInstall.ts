// The runners need code-server in .vscode-test/; scripts/install-code-server.mjs puts it there
// (idempotent, a no-op when present), so `npm run test:integration` works on its own too.
import { existsSync } from 'node:fs';
import { codeServerBinary, codeServerInstaller, projectRoot } from './paths';
import { runCommand } from './processes';
import { step } from './timing';

export async function ensureCodeServer(): Promise<string> {
  const override = process.env['R1CI_CODE_SERVER'];
  if (override) {
    if (!existsSync(override)) throw new Error(`R1CI_CODE_SERVER=${override} does not exist`);
    return override;
  }
  if (!existsSync(codeServerBinary)) step('code-server is not installed yet; installing it');
  const result = await runCommand(process.execPath, [codeServerInstaller], { cwd: projectRoot, echo: !existsSync(codeServerBinary) });
  if (result.code !== 0) throw new Error(`installing code-server failed:\n${result.output}`);
  return codeServerBinary;
}
