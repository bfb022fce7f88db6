// The stages before and around the checks, on Adult test (16,281 rows x 15 columns), and the full example end to end.
// These figures were wall-clock assertions in tests (test/policy/timing, test/metrics/timing, test/data/csv,
// test/baseline, test/e2e/examples) until issue #15: timing belongs here, where a loaded machine fails nothing.
// Imports the tsc output in build/; the end-to-end row runs node dist/cli.js (run `npm run build` first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const b = (p) => join(root, 'build', p);

/** Median and min of `n` timed runs after one warm-up (JIT, module load). */
async function timed(fn, n = 5) {
  await fn();
  const times = [];
  let out;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    out = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(n / 2)], min: times[0], out };
}

const ms = (x) => x.toFixed(1);

export async function run(log) {
  const { loadPolicy, resolvePolicyPath } = await import(b('policy/load.js'));
  const { readCsvDataset } = await import(b('data/csv.js'));
  const { makeLabels } = await import(b('data/labels.js'));
  const { buildGroupings } = await import(b('data/groups.js'));
  const { encodeModelInput } = await import(b('model/encode.js'));
  const { groupMetrics, orderByScoreDescending, performanceMetrics } = await import(b('metrics/index.js'));

  // Policy: the first load in a process pays module initialisation; the validator itself is compiled at build time.
  const t0 = performance.now();
  const doc = await loadPolicy('policies/example-adult-gbt.yml', { workspace: root });
  const first = performance.now() - t0;
  const again = await timed(() => loadPolicy('policies/example-adult-gbt.yml', { workspace: root }));
  const { policy } = doc;
  const csvOpts = { displayPath: policy.dataset.path, missingValues: policy.dataset.missing_values, maxRows: policy.dataset.max_rows };
  const csvFile = resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']);
  const csv = await timed(() => readCsvDataset(csvFile, csvOpts));
  const dataset = csv.out;
  const labels = await timed(() => makeLabels(dataset, policy.dataset, doc));
  const groupings = await timed(() => buildGroupings(dataset, policy, doc));
  const sig = [{ name: 'features', type: 'float32', shape: [null, 108] }];
  const encode = await timed(() => encodeModelInput(dataset, sig, policy.model.features, { workspace: root, policyFile: doc.file, locate: doc.locate }));

  log(`| stage (Adult test, ${dataset.rows.toLocaleString('en-US')} rows) | median ms | min ms |`);
  log('|---|---:|---:|');
  log(`| policy: first load in the process (YAML, validation, defaults) | ${ms(first)} | |`);
  log(`| policy: load again | ${ms(again.median)} | ${ms(again.min)} |`);
  log(`| CSV ${dataset.rows.toLocaleString('en-US')} x ${dataset.columns.length} | ${ms(csv.median)} | ${ms(csv.min)} |`);
  log(`| labels | ${ms(labels.median)} | ${ms(labels.min)} |`);
  log(`| groupings (${groupings.out.length}) | ${ms(groupings.median)} | ${ms(groupings.min)} |`);
  log(`| one-hot matrix ${dataset.rows.toLocaleString('en-US')} x ${encode.out.width} | ${ms(encode.median)} | ${ms(encode.min)} |`);

  // Metrics on the GBT model's scores (the fixture's onnxruntime output): performance with curves, then the four
  // groupings sharing one sort of the scores, as the gate does.
  const pred = readFileSync(join(root, 'test', 'fixtures', 'adult', 'gbt_onehot.predictions.csv'), 'utf8').trim().split('\n');
  const head = pred[0].split(',');
  const is = head.indexOf('score');
  const ip = head.indexOf('y_pred');
  const scores = Float32Array.from(pred.slice(1), (l) => Number(l.split(',')[is]));
  const yPred = Uint8Array.from(pred.slice(1), (l) => Number(l.split(',')[ip]));
  const yTrue = labels.out.yTrue;
  const perf = await timed(() => performanceMetrics(yTrue, scores, yPred, { curves: true }));
  const one = await timed(() => groupMetrics({ yTrue, yPred, scores, grouping: groupings.out[3], minGroupSize: 30 }));
  const all = await timed(() => {
    const scoreOrder = orderByScoreDescending(scores);
    performanceMetrics(yTrue, scores, yPred, { curves: true, scoreOrder });
    return groupings.out.map((grouping) => groupMetrics({ yTrue, yPred, scores, grouping, minGroupSize: 30, scoreOrder }));
  });
  log(`| performance metrics + curves | ${ms(perf.median)} | ${ms(perf.min)} |`);
  log(`| group metrics, ${groupings.out[3].name} (own sort) | ${ms(one.median)} | ${ms(one.min)} |`);
  log(`| performance + ${groupings.out.length} groupings, one shared sort | ${ms(all.median)} | ${ms(all.min)} |`);

  // The full example (every section: a battery of attacks, TreeSHAP, 1,000 resamples) through the bundle.
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) {
    log('\nfull example: skipped (no dist/cli.js: run `npm run build`)');
    return;
  }
  log('\n| end to end: node dist/cli.js check | wall s | exit | stage timings (ms, report.timings) |');
  log('|---|---:|---:|---|');
  const runs = [
    ['policies/example-adult.yml'],
    ['policies/example-adult-full.yml'],
    // the before/after comparison with a base model (paired bootstrap; was a 20 s limit in test/baseline)
    ['policies/example-adult-gbt.yml', '--baseline', 'test/fixtures/adult/logreg_onehot.onnx'],
  ];
  for (const [file, ...extra] of runs) {
    const out = mkdtempSync(join(tmpdir(), 'mrg-bench-e2e-'));
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'check', '--policy', file, ...extra, '--out', out, '--no-color'], { cwd: root, encoding: 'utf8' });
    const wall = (performance.now() - t) / 1000;
    let stages = '';
    try {
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      stages = Object.entries(report.timings ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
    } catch {
      stages = `no report.json (${(r.stderr || '').split('\n')[0]})`;
    }
    rmSync(out, { recursive: true, force: true });
    log(`| ${[file, ...extra].join(' ')} | ${wall.toFixed(1)} | ${r.status} | ${stages} |`);
  }
}
