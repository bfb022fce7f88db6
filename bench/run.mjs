// `npm run bench`: compiles src/ to build/ (tsc), then runs every bench/<area>.mjs module's run(log) in turn and
// prints throughput and ratios. Figures are wall-clock on this machine; run on an idle machine.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort((a, b) => (a === 'model.mjs' ? -1 : b === 'model.mjs' ? 1 : a === 'gate.mjs' ? -1 : b === 'gate.mjs' ? 1 : a.localeCompare(b)));
console.log(`model-risk-gate benchmark — node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
let failed = false;
for (const f of modules) {
  console.log(`\n## ${f.replace('.mjs', '')}`);
  try {
    const mod = await import(pathToFileURL(join(here, f)).href);
    await mod.run((line) => console.log(line));
  } catch (e) {
    failed = true;
    console.log(`  FAILED: ${e?.message ?? e}`);
  }
}
process.exitCode = failed ? 1 : 0;
