// Helpers for the suites that run inside the real extension host (bundled into each suite).
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'r1ci.r1ci-vscode';

/** The extension's folder, which is the repository (extensionDevelopmentPath). */
export function repoRoot(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  return ext.extensionPath;
}

/** Sets (or, with undefined, clears) one of our settings for the user. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('r1ci').update(key, value, vscode.ConfigurationTarget.Global);
}

/** A loopback port with nothing listening on it. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
