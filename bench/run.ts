// `npm run bench`: runs every benchmark in dist/bench/ one after the other (each prints its own
// table with a baseline measured in the same run), or only those named on the command line:
//   npm run bench -- sandbox agentOverhead
import { execaSync } from 'execa';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const wanted = new Set(process.argv.slice(2));
const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => basename(f, '.js'))
  .filter((name) => wanted.size === 0 || wanted.has(name))
  .sort();

if (benches.length === 0) {
  console.error(`No benchmarks matched ${[...wanted].join(', ') || '(none built: run `npm run build` first)'}.`);
  process.exit(2);
}

let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench: ${name} ===`);
  const r = execaSync(process.execPath, [join(__dirname, `${name}.js`)], { stdio: 'inherit', reject: false });
  if (r.failed) {
    failed++;
    console.error(`bench ${name} failed (exit ${String(r.exitCode ?? r.signal)})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
