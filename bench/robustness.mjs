// Robustness battery (issue #3): model queries per second during each attack next to a bare onnxruntime-node loop
// that makes exactly the attack's model evaluations, and the wall time of the default battery (policy
// `checks.robustness: {}`: 500 rows stratified by label, every attack at its default budgets) on the Adult test split,
// for the tree ensemble and the MLP (and the one-hot logistic regression, whose exact minimal perturbations are in its
// robustness reference).
// Uses the tsc output in build/ (`npx tsc -p tsconfig.json`). Ratio = attack queries/s ÷ bare queries/s (1.0 = the
// attack costs nothing beyond the model evaluations it needs). The bare loop replays the attack's own calls: the same
// rows (a tree ensemble is several times faster on near-duplicate rows than on distinct ones), in the same calls
// (same rows per call, same order), through a session of its own. The machine may be shared: the battery runs
// BENCH_REPEATS times (default 3) and each attack's best wall time is kept; after each run, the bare loops replay every
// attack's calls once (after a warm-up replay), best of the runs too (gate and bare runs alternate).
// Columns (issue #14): ratio = bare time ÷ the attack's wall time (everything the attack does: generating and
// projecting candidates, encoding, bookkeeping, and its model calls); model-only = bare time ÷ the time inside the
// gate's ScoringModel.score calls of that attack (1.0 = the gate's session costs what a bare session.run costs on the
// same batches); JS share = the part of the attack's wall time outside model calls; CPU ratio = the bare no-spin
// loop's CPU time ÷ the attack's CPU time (every thread, best of the runs: less sensitive to a loaded machine than the
// wall-clock ratio, which is the one the issue asks ≥ 0.8 of). Calls are the gate's score()
// calls (the oracle encodes large steps in parts of whole onnxruntime batches); the bare loop splits each recorded
// call into the same batches of at most batch_size rows, so both make the same onnxruntime runs.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADULT = 'test/fixtures/adult';
const BATCH = 8192;
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
/** Most float32 values of recorded attack calls kept per attack for the bare replay (2 GB). */
const MAX_RECORDED = 512 * 1024 * 1024;

/** BENCH_BUILD: another tsc output directory (default build/); BENCH_MODELS: comma-separated subset of the models. */
const BUILD = process.env.BENCH_BUILD ?? join(ROOT, 'build');
const MODELS = (process.env.BENCH_MODELS ?? 'gbt_onehot,mlp_torch,logreg_onehot').split(',').filter(Boolean);
const imp = (p) => import(pathToFileURL(join(BUILD, p)).href);

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
 * Rows/s of a bare onnxruntime loop that replays `calls` (the attack's recorded model inputs, [rows, d] float32 each)
 * in the same order, split into the same session.run batches as the gate's model (at most BATCH rows), best of
 * `repeats` replays after one warm-up replay.
 */
async function bareThroughput(ort, file, calls, d, repeats = 3, options = {}) {
  const session = await ort.InferenceSession.create(readFileSync(file), { graphOptimizationLevel: 'all', ...options });
  let rows = 0;
  for (const c of calls) rows += c.length / d;
  const replay = async () => {
    for (const data of calls) {
      const n = data.length / d;
      const out = new Float32Array(n);
      for (let start = 0; start < n; start += BATCH) {
        const end = Math.min(n, start + BATCH);
        const x = new ort.Tensor('float32', data.subarray(start * d, end * d), [end - start, d]);
        const res = await session.run({ [session.inputNames[0]]: x }, ['probabilities']);
        const p = res.probabilities.data;
        for (let i = 0; i < end - start; i++) out[start + i] = p[2 * i + 1];
      }
    }
  };
  await replay();
  let best = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    await replay();
    best = Math.min(best, performance.now() - t0);
    cpu = Math.min(cpu, cpuMs() - c0);
  }
  await session.release();
  return { rate: rows / (best / 1000), rows, cpu };
}

/** CPU time of the process (every thread: the main thread and onnxruntime's workers), ms. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

export async function run(log) {
  const { runBattery, robustnessSettings } = await imp('checks/robustness/index.js');
  const ortMod = await import('onnxruntime-node');
  const ort = ortMod.default ?? ortMod;
  log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; battery best of ${REPEATS} runs per model`);
  for (const model of MODELS) {
    const ctx = await context(model);
    const settings = robustnessSettings(ctx.doc);
    // observe each score() call and each attack's wall time (the hooks never change results)
    let real = ctx.model;
    const { loadModel } = await imp('model/session.js');
    const { policy } = ctx.doc;
    let calls = [];
    /** attack -> the model inputs of its calls (recorded on the first run; every run makes the same calls) */
    const recorded = new Map();
    let current = null;
    let record = true;
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
        if (record && input.kind === 'matrix') {
          const r = recorded.get(current) ?? { calls: [], values: 0, truncated: false };
          recorded.set(current, r);
          if (r.values + input.data.length <= MAX_RECORDED) {
            r.calls.push(Float32Array.from(input.data));
            r.values += input.data.length;
          } else r.truncated = true;
        }
        return s;
      },
    };
    /** attack -> best { ms, modelMs, queries, calls } over the runs */
    const best = new Map();
    /** attack -> best bare rates { bare, noSpin, rows } over the runs */
    const bareBest = new Map();
    const file = join(ROOT, ADULT, `${model}.onnx`);
    let run;
    let wall = Infinity;
    for (let rep = 0; rep < REPEATS; rep++) {
      // a fresh gate session per run (the previous one was released for the bare loops)
      if (rep > 0) real = await loadModel({ file: join(ROOT, policy.model.path), displayPath: policy.model.path, spec: policy.model });
      calls = [];
      const spans = new Map();
      const t0 = performance.now();
      run = await runBattery(ctx, settings, {
        onAttack(key, phase) {
          if (phase === 'start') {
            current = key;
            spans.set(key, { start: performance.now(), cpu0: cpuMs() });
          } else {
            const span = spans.get(key);
            span.end = performance.now();
            span.cpu = cpuMs() - span.cpu0;
            current = null;
          }
        },
      });
      wall = Math.min(wall, performance.now() - t0);
      record = false;
      for (const [key, span] of spans) {
        const mine = calls.filter((c) => c.attack === key);
        const cur = { ms: span.end - span.start, cpu: span.cpu, modelMs: mine.reduce((a, c) => a + c.ms, 0), queries: mine.reduce((a, c) => a + c.rows, 0), calls: mine.length };
        const prev = best.get(key);
        if (!prev || cur.ms < prev.ms) best.set(key, { ...cur, cpu: Math.min(cur.cpu, prev?.cpu ?? Infinity) });
        else prev.cpu = Math.min(prev.cpu, cur.cpu);
      }
      // the bare loops of every attack after each run, with the gate's session released (onnxruntime's idle threads
      // would slow them down): gate and bare runs alternate, so a shared machine's load weighs on both alike. Ratio
      // against the faster of two bare loops: onnxruntime's defaults (worker threads spin between runs) and the gate's
      // session options (no spinning, issue #14)
      await real.dispose();
      for (const [key, rec] of recorded) {
        if (key === null || rec.calls.length === 0) continue;
        const bare = await bareThroughput(ort, file, rec.calls, ctx.input.width, 1);
        const noSpin = await bareThroughput(ort, file, rec.calls, ctx.input.width, 1, { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } });
        const prev = bareBest.get(key);
        bareBest.set(key, { bare: Math.max(prev?.bare ?? 0, bare.rate), noSpin: Math.max(prev?.noSpin ?? 0, noSpin.rate), rows: bare.rows, noSpinCpu: Math.min(prev?.noSpinCpu ?? Infinity, noSpin.cpu) });
      }
    }
    log(`${model}: default battery on ${run.section.sample.rows} rows (${run.section.sample.correct} correct), ${fmt(run.section.queries)} model queries, wall ${fmt(wall / 1000, 2)} s (best of ${REPEATS})`);
    log('  attack                    queries   calls  rows/call  wall ms  model ms   queries/s    bare ORT/s  bare no-spin/s   ratio  model-only  JS share  CPU ratio');
    for (const [key, b] of best) {
      if (b.queries === 0) {
        log(`  ${key.padEnd(24)} ${fmt(0).padStart(9)}  (no model queries)`);
        continue;
      }
      const rec = recorded.get(key);
      const rates = bareBest.get(key);
      const bare = { rate: rates.bare, rows: rates.rows };
      const noSpin = { rate: rates.noSpin };
      const qps = b.queries / (b.ms / 1000);
      const best = Math.max(bare.rate, noSpin.rate);
      log(
        `  ${key.padEnd(24)} ${fmt(b.queries).padStart(9)} ${fmt(b.calls).padStart(7)} ${fmt(b.queries / b.calls).padStart(10)} ${fmt(b.ms, 1).padStart(8)} ${fmt(b.modelMs, 1).padStart(9)} ${fmt(qps).padStart(11)} ${fmt(bare.rate).padStart(13)} ${fmt(noSpin.rate).padStart(15)} ${fmt(qps / best, 2).padStart(7)} ${fmt(b.queries / (b.modelMs / 1000) / best, 2).padStart(11)} ${`${fmt((100 * (b.ms - b.modelMs)) / b.ms, 0)}%`.padStart(9)} ${fmt(rates.noSpinCpu / b.cpu, 2).padStart(10)}${rec.truncated ? ` (bare: first ${fmt(bare.rows)} rows replayed)` : ''}`,
      );
    }
    recorded.clear();
    for (const a of run.section.attacks) {
      const last = a.budgets[a.budgets.length - 1];
      log(
        `  ${a.key}: success rate ${a.budgets.map((b) => `${fmt(b.budget, 2)}→${fmt(b.successRate, 3)}`).join(', ')}; median perturbation found ${fmt(a.perturbation.median, 3)} ${a.units}; KS@max ${fmt(last?.ks.statistic, 3)}${a.stopped ? ` (stopped: ${a.stopped})` : ''}`,
      );
    }
    for (const w of run.section.worstCase ?? []) {
      log(
        `  ${w.key} (${w.attacks.join(' + ')}): ${w.budgets.map((b) => `ε ${fmt(b.epsilon, 2)}: attacked ${fmt(b.successRate, 3)}${b.certifiedRate !== null ? `, certified ${fmt(b.certifiedRate, 3)}, unknown ${fmt(b.unknown)}` : ''}`).join('; ')}`,
      );
    }
    if (run.section.certification) log(`  certification: ${run.section.certification.method}, ${fmt((best.get('certify')?.ms ?? NaN) / 1000, 3)} s`);
    for (const c of run.section.counterfactual) {
      log(`  counterfactual ${c.attribute}: flip rate ${fmt(c.flipRate, 4)}, mean |Δscore| ${fmt(c.meanAbsScoreChange, 4)} over ${fmt(c.rows)} rows`);
    }
  }
  log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}
