// Explainability (issue #4): exact TreeSHAP read from the ONNX trees against KernelSHAP through onnxruntime, per
// explained row, on test/fixtures/adult/gbt_onehot.onnx (100 trees, 108 input features, 14 raw-column players), with
// the same background (test rows 0..99, 100 rows) for both. KernelSHAP runs with shap's default sample count for 14
// players (2·14 + 2048 = 2076 coalitions) and with the gate's default (512). Then the wall time of the default
// explainability section (policy `checks.explainability: {}`) for each shared Adult model.
// Uses the tsc output in build/ (`npx tsc -p tsconfig.json`).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADULT = 'test/fixtures/adult';
const imp = (p) => import(pathToFileURL(join(ROOT, 'build', p)).href);

function policyText(model, explainability = {}, statistics = undefined) {
  const matrix = !model.startsWith('logreg_pipeline');
  return JSON.stringify({
    version: 1,
    seed: 0,
    model: { path: `${ADULT}/${model}.onnx`, threshold: 0.5, batch_size: 8192, ...(matrix ? { features: { file: `${ADULT}/onehot_features.json` } } : {}) },
    dataset: { path: `${ADULT}/test.csv`, label: 'income', positive_label: '>50K', missing_values: ['?'] },
    sensitive: [{ column: 'sex' }, { column: 'race' }],
    checks: { explainability },
    ...(statistics ? { statistics } : {}),
  });
}

async function context(model, explainability, statistics) {
  const { parsePolicy } = await imp('policy/load.js');
  const { readCsvDataset } = await imp('data/csv.js');
  const { encodeModelInput } = await imp('model/encode.js');
  const { loadModel } = await imp('model/session.js');
  const { buildGroupings } = await imp('data/groups.js');
  const { makeLabels } = await imp('data/labels.js');
  const { createRng } = await imp('util/rng.js');
  const doc = parsePolicy(policyText(model, explainability, statistics), { workspace: ROOT, displayPath: 'bench-policy.json' });
  const { policy } = doc;
  const dataset = await readCsvDataset(join(ROOT, policy.dataset.path), {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  const scoring = await loadModel({ file: join(ROOT, policy.model.path), displayPath: policy.model.path, spec: policy.model });
  const input = encodeModelInput(dataset, scoring.info.inputs, policy.model.features, { workspace: ROOT, policyFile: doc.file });
  const scores = await scoring.score(input);
  return {
    doc,
    dataset,
    model: scoring,
    input,
    labels: makeLabels(dataset, policy.dataset),
    scores,
    yPred: Uint8Array.from(scores, (s) => (s >= policy.model.threshold ? 1 : 0)),
    groupings: buildGroupings(dataset, policy),
    rng: createRng(policy.seed),
    deadline: Date.now() + 30 * 60 * 1000,
  };
}

const range = (a, b) => Uint32Array.from({ length: b - a }, (_, i) => a + i);
const ms = (t) => `${t.toFixed(t < 10 ? 3 : 1)} ms`;

export async function run(log) {
  const { readFileSync } = await import('node:fs');
  const { playersOf } = await imp('checks/explainability/players.js');
  const { gatherRows } = await imp('checks/explainability/input-rows.js');
  const { planTreeShap } = await imp('checks/explainability/attributions.js');
  const { treeShap } = await imp('checks/explainability/tree-shap.js');
  const { kernelShap } = await imp('checks/explainability/kernel-shap.js');
  const { decodeModel } = await imp('model/onnx-graph.js');
  const { createRng } = await imp('util/rng.js');
  const { runExplainability } = await imp('checks/explainability/index.js');

  const ctx = await context('gbt_onehot');
  const { input, model } = ctx;
  const players = playersOf(input, ctx.dataset.columns.map((c) => c.name));
  const bgRows = range(0, 100);
  const K = bgRows.length;
  const proto = decodeModel(readFileSync(join(ROOT, ADULT, 'gbt_onehot.onnx')));
  const plan = planTreeShap(proto, model.info, input, ctx.scores, range(0, input.rows));
  if (!plan.ok) throw new Error(plan.reason);
  const bg = gatherRows(input, bgRows);
  const treeRun = (rows, grouped) =>
    treeShap({
      score: plan.score,
      x: gatherRows(input, rows).data,
      rows: rows.length,
      width: input.width,
      background: bg.data,
      backgroundRows: K,
      ...(grouped ? { playerOf: players.playerOfSlot, players: players.names.length } : {}),
    });
  treeRun(range(100, 200), true); // warm-up
  const treeRows = range(100, 2100);
  let t0 = performance.now();
  const tr = treeRun(treeRows, true);
  const treePerRow = (performance.now() - t0) / treeRows.length;
  t0 = performance.now();
  treeRun(treeRows, false);
  const treePerRowFeatures = (performance.now() - t0) / treeRows.length;
  log(`  TreeSHAP (exact, interventional), ${K} background rows, ${players.names.length} raw-column players: ${ms(treePerRow)} per row (${treeRows.length} rows; additivity error ${tr.additivityError.margin.toExponential(1)} log-odds)`);
  log(`  TreeSHAP, same, 108 model features as players (shap's TreeExplainer setting): ${ms(treePerRowFeatures)} per row`);

  const kernelRows = range(100, 104);
  const explain = gatherRows(input, kernelRows);
  const M = players.names.length;
  for (const samples of [2 * M + 2048, 512]) {
    const q0 = model.queries;
    t0 = performance.now();
    const kr = await kernelShap({ model, players, explain, background: bg, logOdds: true, samples, exact: false, rng: createRng(0) });
    const perRow = (performance.now() - t0) / kernelRows.length;
    const rows = model.queries - q0;
    log(
      `  KernelSHAP through onnxruntime, ${samples} coalitions x ${K} background rows: ${ms(perRow)} per row (${kernelRows.length} rows, ${kr.modelCalls} score calls, ${rows} model rows, ${Math.round(rows / ((perRow * kernelRows.length) / 1000))} rows/s)` +
        ` -> TreeSHAP is ${Math.round(perRow / treePerRow)}x faster`,
    );
  }
  // KernelSHAP keeping the values against each background row (the gates' ranges resample the background from them):
  // 50 extra right-hand sides of the same least squares per row and space, no model call. The gate's defaults: 512
  // coalitions, a 50-row background; 20 rows, after a warm-up, best of 3, the two variants alternating.
  {
    const rows20 = gatherRows(input, range(300, 320));
    const bg50 = gatherRows(input, range(0, 50));
    const once = async (perBackground) => {
      const s = performance.now();
      await kernelShap({ model, players, explain: rows20, background: bg50, logOdds: true, samples: 512, exact: false, rng: createRng(0), perBackground });
      return (performance.now() - s) / 20;
    };
    await once(false);
    await once(true);
    let plain = Infinity;
    let kept = Infinity;
    for (let i = 0; i < 3; i++) {
      plain = Math.min(plain, await once(false));
      kept = Math.min(kept, await once(true));
    }
    log(`  KernelSHAP, 512 coalitions x 50 background rows, values per background row kept: ${ms(kept)} per row vs ${ms(plain)} (${kept >= plain ? '+' : ''}${((kept / plain - 1) * 100).toFixed(0)}%)`);
  }
  await model.dispose();

  // The gates' ranges (issue #9 item 8): the bootstrap of the explained rows' attributions (no model call) and, for
  // TreeSHAP, 4 re-drawn backgrounds (one grouped TreeSHAP run each, the trees already parsed). Timed by component, best
  // of 5 (the whole section's wall time is too noisy on a shared machine to show a difference of tens of ms).
  // KernelSHAP re-draws nothing by default, so its extra cost is the bootstrap alone.
  {
    const { resampleImportance } = await imp('checks/explainability/uncertainty.js');
    const { chooseBackground, sampleRows } = await imp('checks/explainability/background.js');
    const bestOf = (k, f) => {
      let t = Infinity;
      for (let i = 0; i < k; i++) {
        const s = performance.now();
        f();
        t = Math.min(t, performance.now() - s);
      }
      return t;
    };
    const c = await context('gbt_onehot');
    const rng = createRng(0);
    const rows = sampleRows(c.input.rows, 100, rng.fork('rows'));
    const x = gatherRows(c.input, rows).data;
    const shapAgainst = (bgRows) =>
      treeShap({ score: plan.score, x, rows: 100, width: c.input.width, background: gatherRows(c.input, bgRows).data, backgroundRows: bgRows.length, playerOf: players.playerOfSlot, players: players.names.length });
    const bg = chooseBackground(c.input, 50, 'sample', rng.fork('bg')).rows;
    const values = shapAgainst(bg).probability.values;
    const tShap = bestOf(5, () => shapAgainst(bg));
    const redraws = [1, 2, 3, 4].map((k) => chooseBackground(c.input, 50, 'sample', rng.fork(`bg/${k}`)).rows);
    const tRedraws = bestOf(5, () => redraws.forEach((r) => shapAgainst(r)));
    const draws = [values, ...redraws.map((r) => shapAgainst(r).probability.values)];
    const tBoot = bestOf(5, () => resampleImportance({ draws, rows: 100, names: players.names, resamples: 1000, rng: createRng(2), stability: null }));
    await c.model.dispose();
    log(
      `  gate ranges, gbt_onehot (100 rows, 50-row background, 14 players): TreeSHAP itself ${ms(tShap)}; ranges +${ms(tRedraws + tBoot)} = ` +
        `4 re-drawn backgrounds ${ms(tRedraws)} + 1,000 bootstrap resamples ${ms(tBoot)} (${((tRedraws + tBoot) / tShap).toFixed(1)}x one TreeSHAP run)`,
    );
    const gates = { rows: 100, permutation: { enabled: false }, sensitive_rank: { min: 6 } };
    const rangesOf = async (name, explainability) => {
      const ctx = await context(name, explainability);
      const out = await runExplainability(ctx);
      await ctx.model.dispose();
      const u = out.section.uncertainty;
      return out.section.importance.slice(0, 6).map((e, i) => `${e.feature} ${e.rank} (${u.features[i].rankLow}–${u.features[i].rankHigh})`).join(', ');
    };
    log(`    rank (95% range), gbt_onehot, default: ${await rangesOf('gbt_onehot', gates)}`);
    log(`    rank (95% range), gbt_onehot, rows only (redraws 0): ${await rangesOf('gbt_onehot', { ...gates, background: { size: 50, redraws: 0 } })}`);
    log(`    rank (95% range), mlp_torch (KernelSHAP, one background): ${await rangesOf('mlp_torch', gates)}`);
    const P = 14;
    for (const n of [100, 10_000]) {
      const g = createRng(1);
      const synthetic = [0, 1, 2, 3, 4].map(() => Float64Array.from({ length: n * P }, () => g.normal()));
      const names = Array.from({ length: P }, (_, i) => `f${i}`);
      const t = bestOf(3, () => resampleImportance({ draws: synthetic, rows: n, names, resamples: 1000, rng: createRng(2), stability: 'halves' }));
      log(`  bootstrap alone: 1,000 resamples of ${n.toLocaleString('en-US')} rows x ${P} players (ranks, shares, halves stability), best of 3: ${ms(t)}`);
    }
  }

  for (const name of ['gbt_onehot', 'mlp_torch', 'logreg_pipeline']) {
    const c = await context(name);
    t0 = performance.now();
    const out = await runExplainability(c);
    const wall = performance.now() - t0;
    const top = out.section.importance.slice(0, 5).map((e) => `${e.feature} ${(e.share * 100).toFixed(1)}%`).join(', ');
    log(`  default section, ${name}: ${(wall / 1000).toFixed(2)} s (${out.section.method}, ${out.section.explainedRows} rows, ${out.section.modelRows} SHAP model rows, permutation ${out.section.permutation?.modelRows ?? 0} rows); top 5: ${top}`);
    await c.model.dispose();
  }
}
