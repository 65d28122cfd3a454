// vitest globalSetup: on Linux the sandbox tests need the isolated tier (bubblewrap) for whoever
// runs them: root in CI, an ordinary user who follows the README. When bubblewrap cannot start a
// sandbox for this user, the run stops here with one message saying why, instead of every sandbox
// test file failing on its own (or, worse, its isolated half being skipped).
import { detectIsolation } from '../../src/sandbox/isolation';

/** The message when the isolated tier is missing on Linux; `note` is the detection's reason. */
function isolatedTierMissing(uid: number | undefined, note: string): string {
  return (
    `The sandbox tests need the isolated tier (bubblewrap) on Linux, and it is not available to this user (uid ${uid ?? '?'}).\n` +
    `${note}\n` +
    'Install bubblewrap (apt-get install bubblewrap) and make sure it can create user namespaces for this user, then run the tests again.'
  );
}

export default async function setup(): Promise<void> {
  if (process.platform !== 'linux') return;
  const isolation = await detectIsolation();
  if (isolation.tier !== 'isolated') throw new Error(isolatedTierMissing(process.getuid?.(), isolation.note));
}
