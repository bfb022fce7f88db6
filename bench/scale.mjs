// Scale (issue #12): the gate on 1M and 10M synthetic Adult-like rows (Adult test rows cycled, numeric columns
// jittered so rows differ), performance + fairness with default intervals (1,000 resamples), gbt_onehot. Each size
// runs in a child process (node build/...), so peak RSS is that run's alone. Goals on 2 cores: 1M ≤ 15 s, 10M ≤ 120 s,
// peak RSS ≤ 1.5 GB at 10M. MRG_BENCH_SCALE=1e6 (comma list) picks the sizes.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function writeCsv(file, rows) {
  const lines = readFileSync(join(root, 'test/fixtures/adult/test.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0];
  const body = lines.slice(1).map((l) => l.split(','));
  const out = createWriteStream(file);
  out.write(header + '\n');
  let buf = [];
  for (let i = 0; i < rows; i++) {
    const r = body[i % body.length].slice();
    const k = Math.floor(i / body.length);
    if (k > 0) {
      r[0] = String(Math.max(17, Math.min(90, Number(r[0]) + ((k * 7 + i) % 5) - 2))); // age
      r[12] = String(Math.max(1, Math.min(99, Number(r[12]) + ((k * 3 + i) % 7) - 3))); // hours_per_week
    }
    buf.push(r.join(','));
    if (buf.length === 10000) {
      if (!out.write(buf.join('\n') + '\n')) await new Promise((res) => out.once('drain', res));
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  await new Promise((res) => out.end(res));
}

const POLICY = (csv) => `version: 1
model:
  path: ${join(root, 'test/fixtures/adult/gbt_onehot.onnx')}
  features:
    file: ${join(root, 'test/fixtures/adult/onehot_features.json')}
dataset:
  path: ${csv}
  label: income
  positive_label: ">50K"
  missing_values: ['?']
  max_rows: 100000000
sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
checks:
  performance:
    roc_auc: { min: 0.85 }
    accuracy: { min: 0.8 }
    average_precision: { min: 0.7 }
    brier: { max: 0.15 }
    f1: { min: 0.5 }
  fairness:
    demographic_parity_ratio: { min: 0.2 }
    equalized_odds_difference: { max: 0.3 }
    selection_rate_group_min: { min: 0.01 }
`;

const RUNNER = `
import { runGate } from '${join(process.env.MRG_BUILD_DIR ?? join(root, 'build'), 'gate.js')}';
const t = Date.now();
const cpu0 = process.cpuUsage();
const { report } = await runGate({ policyFile: process.argv[2], workspace: '/', timeBudgetMs: 30 * 60_000 });
const cpu = process.cpuUsage(cpu0);
const rss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ wall: (Date.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6, rss, verdict: report.verdict, checks: report.checks.length, timings: report.timings }));
`;

export async function run(log) {
  const sizes = (process.env.MRG_BENCH_SCALE ?? '1e6,1e7').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'mrg-scale-'));
  try {
    writeFileSync(join(dir, 'runner.mjs'), RUNNER);
    log('| rows | CSV size | wall | CPU | peak RSS | stages (s) |');
    log('|---|---|---|---|---|---|');
    for (const n of sizes) {
      const csv = join(dir, `adult-${n}.csv`);
      await writeCsv(csv, n);
      writeFileSync(join(dir, 'policy.yml'), POLICY(csv));
      const out = execFileSync(process.execPath, [join(dir, 'runner.mjs'), join(dir, 'policy.yml')], { encoding: 'utf8', maxBuffer: 1 << 24 });
      const r = JSON.parse(out.trim().split('\n').pop());
      const stages = Object.entries(r.timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ');
      log(`| ${n.toLocaleString('en-US')} | ${(statSync(csv).size / 1e6).toFixed(0)} MB | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${(r.rss / 1e9).toFixed(2)} GB | ${stages} |`);
      rmSync(csv);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
