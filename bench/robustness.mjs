// Robustness battery (issue #3): model queries per second during each attack next to a bare onnxruntime-node loop on
// the same model and batch size, and the wall time of the default battery (policy `checks.robustness: {}`: 500 rows
// stratified by label, every attack at its default budgets) on the Adult test split, for the tree ensemble and the MLP
// (and the one-hot logistic regression, whose exact minimal perturbations are in its robustness reference).
// Uses the tsc output in build/ (`npx tsc -p tsconfig.json`). Ratio = attack queries/s ÷ bare queries/s (1.0 = the
// attack costs nothing beyond the model evaluations it needs).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADULT = 'test/fixtures/adult';
const BATCH = 8192;

const imp = (p) => import(pathToFileURL(join(ROOT, 'build', p)).href);

function policyText(model) {
  return JSON.stringify({
    version: 1,
    seed: 0,
    model: { path: `${ADULT}/${model}.onnx`, threshold: 0.5, batch_size: BATCH, features: { file: `${ADULT}/onehot_features.json` } },
    dataset: { path: `${ADULT}/test.csv`, label: 'income', positive_label: '>50K', missing_values: ['?'] },
    sensitive: [{ column: 'sex' }, { column: 'race' }, { column: 'age', bins: [25, 45] }],
    intersections: [['sex', 'age_bin']],
    checks: { robustness: {} },
  });
}

async function context(model) {
  const { parsePolicy } = await imp('policy/load.js');
  const { readCsvDataset } = await imp('data/csv.js');
  const { encodeModelInput } = await imp('model/encode.js');
  const { loadModel } = await imp('model/session.js');
  const { buildGroupings } = await imp('data/groups.js');
  const { makeLabels } = await imp('data/labels.js');
  const { createRng } = await imp('util/rng.js');
  const doc = parsePolicy(policyText(model), { workspace: ROOT, displayPath: 'bench-policy.json' });
  const { policy } = doc;
  const dataset = await readCsvDataset(join(ROOT, policy.dataset.path), {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  const scoring = await loadModel({ file: join(ROOT, policy.model.path), displayPath: policy.model.path, spec: policy.model });
  const input = encodeModelInput(dataset, scoring.info.inputs, policy.model.features, { workspace: ROOT, policyFile: doc.file });
  const scores = await scoring.score(input);
  const yPred = Uint8Array.from(scores, (s) => (s >= policy.model.threshold ? 1 : 0));
  const ctx = {
    doc,
    dataset,
    model: scoring,
    input,
    labels: makeLabels(dataset, policy.dataset),
    scores,
    yPred,
    groupings: buildGroupings(dataset, policy),
    rng: createRng(policy.seed),
    deadline: Date.now() + 30 * 60 * 1000,
  };
  return ctx;
}

/**
 * Rows/s of a bare onnxruntime loop over `data` ([rows, d] float32: the batch an attack actually sent, so that the
 * rows are the same — a tree ensemble is several times faster on near-duplicate rows than on distinct ones), in
 * batches of the attack's mean rows per call (at most the policy's batch size), for about `ms` ms.
 */
async function bareThroughput(ort, file, data, d, batchRows, ms = 700) {
  const rows = data.length / d;
  const batch = Math.max(1, Math.min(BATCH, Math.round(batchRows)));
  const session = await ort.InferenceSession.create(readFileSync(file), { graphOptimizationLevel: 'all' });
  const out = new Float32Array(rows);
  const once = async () => {
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      const x = new ort.Tensor('float32', data.subarray(start * d, end * d), [end - start, d]);
      const res = await session.run({ [session.inputNames[0]]: x }, ['probabilities']);
      const p = res.probabilities.data;
      for (let i = 0; i < end - start; i++) out[start + i] = p[2 * i + 1];
    }
  };
  await once();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await once();
    n += rows;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await session.release();
  return rate;
}

const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export async function run(log) {
  const { runBattery, robustnessSettings } = await imp('checks/robustness/index.js');
  const ortMod = await import('onnxruntime-node');
  const ort = ortMod.default ?? ortMod;
  for (const model of ['gbt_onehot', 'mlp_torch', 'logreg_onehot']) {
    const ctx = await context(model);
    const settings = robustnessSettings(ctx.doc);
    // observe each score() call and each attack's wall time (the hooks never change results)
    const real = ctx.model;
    const calls = [];
    const batches = new Map();
    let current = null;
    ctx.model = {
      info: real.info,
      get queries() {
        return real.queries;
      },
      dispose: () => real.dispose(),
      async score(input) {
        const t0 = performance.now();
        const s = await real.score(input);
        calls.push({ attack: current, rows: input.rows, ms: performance.now() - t0 });
        // keep a copy of each attack's largest batch, to replay it in the bare loop
        const kept = batches.get(current);
        if (input.kind === 'matrix' && (!kept || kept.length < input.data.length)) batches.set(current, Float32Array.from(input.data));
        return s;
      },
    };
    const spans = new Map();
    const t0 = performance.now();
    const run = await runBattery(ctx, settings, {
      onAttack(key, phase) {
        if (phase === 'start') {
          current = key;
          spans.set(key, { start: performance.now() });
        } else {
          spans.get(key).end = performance.now();
          current = null;
        }
      },
    });
    const wall = performance.now() - t0;
    // measure the bare loop with the gate's session released (onnxruntime's idle threads would slow it down)
    await real.dispose();
    log(`${model}: default battery on ${run.section.sample.rows} rows (${run.section.sample.correct} correct), ${fmt(run.section.queries)} model queries, wall ${fmt(wall / 1000, 2)} s`);
    log('  attack                    queries   calls  rows/call   wall s   model s   queries/s    bare ORT/s   ratio   (bare: its largest batch replayed in calls of rows/call)');
    const file = join(ROOT, ADULT, `${model}.onnx`);
    for (const [key, span] of spans) {
      const mine = calls.filter((c) => c.attack === key);
      const q = mine.reduce((a, c) => a + c.rows, 0);
      const modelMs = mine.reduce((a, c) => a + c.ms, 0);
      const ms = span.end - span.start;
      if (q === 0) {
        log(`  ${key.padEnd(24)} ${fmt(q).padStart(9)}  (no model queries)`);
        continue;
      }
      const perCall = q / mine.length;
      const bare = await bareThroughput(ort, file, batches.get(key), ctx.input.width, perCall);
      const qps = q / (ms / 1000);
      log(
        `  ${key.padEnd(24)} ${fmt(q).padStart(9)} ${fmt(mine.length).padStart(7)} ${fmt(perCall).padStart(10)} ${fmt(ms / 1000, 2).padStart(8)} ${fmt(modelMs / 1000, 2).padStart(9)} ${fmt(qps).padStart(11)} ${fmt(bare).padStart(13)} ${fmt(qps / bare, 2).padStart(7)}`,
      );
    }
    for (const a of run.section.attacks) {
      const last = a.budgets[a.budgets.length - 1];
      log(
        `  ${a.key}: success rate ${a.budgets.map((b) => `${fmt(b.budget, 2)}→${fmt(b.successRate, 3)}`).join(', ')}; median perturbation found ${fmt(a.perturbation.median, 3)} ${a.units}; KS@max ${fmt(last?.ks.statistic, 3)}${a.stopped ? ` (stopped: ${a.stopped})` : ''}`,
      );
    }
    for (const c of run.section.counterfactual) {
      log(`  counterfactual ${c.attribute}: flip rate ${fmt(c.flipRate, 4)}, mean |Δscore| ${fmt(c.meanAbsScoreChange, 4)} over ${fmt(c.rows)} rows`);
    }
  }
}
