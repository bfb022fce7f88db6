// The long version of test/stats/coverage-fairness.test.ts (issue #9): coverage of the nominal 95% fairness intervals
// over MRG_COVERAGE_REPS (default 5,000) seeded repetitions per setting, with the default 1,000 resamples. Imports the
// tsc output (MRG_BUILD_DIR, default build/).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = process.env.MRG_BUILD_DIR ?? join(root, 'build');

const g = (n, base, tpr, fpr) => ({ n, base, tpr, fpr });
const plan = (bases, aggregate) => ({ bases, aggregate, combine: 'worst', method: 'between_groups' });
const SCENARIOS = [
  ['DP difference, 30 vs 300', plan(['selection_rate'], 'difference'), [g(30, 0.3, 0.8, 0.2), g(300, 0.4, 0.7, 0.15)]],
  ['DP ratio, Adult-like sex', plan(['selection_rate'], 'ratio'), [g(1000, 0.11, 0.55, 0.03), g(2000, 0.31, 0.65, 0.08)]],
  ['lowest selection rate, 3 near-tied', plan(['selection_rate'], 'group_min'), [g(200, 0.3, 0.7, 0.1), g(300, 0.3, 0.72, 0.1), g(250, 0.31, 0.7, 0.11)]],
  ['highest selection rate, 6 near-tied', plan(['selection_rate'], 'group_max'), [g(200, 0.3, 0.7, 0.1), g(300, 0.3, 0.72, 0.1), g(250, 0.31, 0.7, 0.11), g(150, 0.3, 0.7, 0.1), g(400, 0.29, 0.71, 0.1), g(120, 0.3, 0.7, 0.105)]],
  ['DP ratio, 4 groups', plan(['selection_rate'], 'ratio'), [g(200, 0.2, 0.7, 0.05), g(300, 0.3, 0.72, 0.1), g(250, 0.31, 0.7, 0.11), g(150, 0.35, 0.7, 0.1)]],
  ['equalized odds difference, 2 groups', plan(['true_positive_rate', 'false_positive_rate'], 'difference'), [g(400, 0.3, 0.6, 0.1), g(800, 0.35, 0.72, 0.12)]],
];

const selection = (x) => x.base * x.tpr + (1 - x.base) * x.fpr;
function truth(p, groups) {
  const agg = (xs) => {
    const lo = Math.min(...xs), hi = Math.max(...xs);
    return p.aggregate === 'difference' ? hi - lo : p.aggregate === 'ratio' ? lo / hi : p.aggregate === 'group_min' ? lo : hi;
  };
  const parts = p.bases.map((b) => agg(groups.map(b === 'selection_rate' ? selection : b === 'true_positive_rate' ? (x) => x.tpr : (x) => x.fpr)));
  return p.aggregate === 'ratio' || p.aggregate === 'group_min' ? Math.min(...parts) : Math.max(...parts);
}

export async function run(log) {
  const { countFairness } = await import(pathToFileURL(join(build, 'stats/fairnessCounts.js')).href);
  const { resolveStatistics } = await import(pathToFileURL(join(build, 'stats/policy.js')).href);
  const { createRng } = await import(pathToFileURL(join(build, 'util/rng.js')).href);
  const reps = Number(process.env.MRG_COVERAGE_REPS ?? 5000);
  const settings = resolveStatistics({});
  log(`coverage of nominal 95% intervals, ${reps} repetitions x ${settings.resamples} resamples each`);
  log('| setting | true value | coverage | s.e. | ms per interval |');
  log('|---|---|---|---|---|');
  for (const [name, p, groups] of SCENARIOS) {
    const rng = createRng(7).fork(name);
    const t = truth(p, groups);
    const n = groups.reduce((a, x) => a + x.n, 0);
    const keys = groups.map((_, k) => `g${k}`);
    let covered = 0;
    const started = Date.now();
    for (let rep = 0; rep < reps; rep++) {
      const yTrue = new Uint8Array(n), yPred = new Uint8Array(n), codes = new Int32Array(n);
      let i = 0;
      groups.forEach((x, k) => {
        for (let r = 0; r < x.n; r++, i++) {
          const y = rng.next() < x.base ? 1 : 0;
          yTrue[i] = y;
          yPred[i] = rng.next() < (y ? x.tpr : x.fpr) ? 1 : 0;
          codes[i] = k;
        }
      });
      const r = countFairness(p, { yTrue, yPred, scores: null }, { name: 'x', keys, codes }, 1, 1, settings, rng.fork(`r${rep}`));
      const { low, high } = r.intervalEstimate.interval;
      if (low <= t && t <= high) covered++;
    }
    const c = covered / reps;
    log(`| ${name} | ${t.toFixed(4)} | ${(c * 100).toFixed(1)}% | ${(Math.sqrt((c * (1 - c)) / reps) * 100).toFixed(1)}% | ${((Date.now() - started) / reps).toFixed(1)} |`);
  }
}
