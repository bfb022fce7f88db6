/** runExplainability end to end: policy -> CheckContext (as gate.ts builds it) -> section, checks, notes. */
import { describe, expect, it } from 'vitest';
import { runExplainability } from '../../src/checks/explainability/index.js';
import { adultPolicy, contextFromPolicy } from './helpers.js';

const FAST = 'permutation: { repeats: 2, max_rows: 3000 }';
const GATES = 'sensitive_rank: { min: 6 }\nsensitive_share: { max: 0.05 }\nproxies_in_top_k: { max: 0 }\nstability: { min: 0.5 }';

describe('runExplainability', { timeout: 120_000 }, () => {
  it('Adult tree ensemble: exact TreeSHAP on raw columns, no model calls, gates on sex/race and their proxies', async () => {
    const ctx = await contextFromPolicy(adultPolicy('gbt_onehot.onnx', `rows: 60\n${FAST}\n${GATES}`));
    try {
      const out = await runExplainability(ctx);
      const s = out.section;
      expect(s.method).toBe('tree_shap');
      expect(s.methodReason).toMatch(/TreeEnsembleClassifier on the input matrix/);
      expect(s.modelCalls).toBe(0);
      expect(s.explainedRows).toBe(60);
      expect(s.background).toEqual({ size: 50, method: 'sample', fromRows: 16281 });
      expect(s.features).toHaveLength(14);
      expect(s.featureInputs.sex).toEqual(['sex=Female', 'sex=Male']);
      expect(s.additivityError.log_odds!).toBeLessThan(1e-9);
      expect(s.additivityError.probability!).toBeLessThan(1e-9);
      expect(s.tree).toMatchObject({ operator: 'TreeEnsembleClassifier', trees: 100, maxDepth: 3, postTransform: 'LOGISTIC' });
      expect(s.tree!.maxScoreDifference).toBeLessThan(1e-6);
      expect(s.tree!.perModelFeature).toHaveLength(108);
      expect(s.importance.map((e) => e.rank)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
      expect(s.importance.reduce((a, e) => a + e.share, 0)).toBeCloseTo(1, 12);
      expect(s.importance[0].feature).toBe('marital_status');
      expect(s.importance.find((e) => e.feature === 'sex')!.sensitive).toBe(true);
      expect(s.importance.find((e) => e.feature === 'relationship')!.proxyOf).toEqual(['sex']);
      // per-row values add up to the model output in the ranking space, and carry no raw feature values by default
      expect(s.rows).toHaveLength(20);
      for (const r of s.rows) {
        expect(r.example).toBeUndefined();
        expect(r.values.reduce((a, b) => a + b, 0) + s.expectedValue.probability!).toBeCloseTo(r.output, 9);
        expect(r.output).toBeCloseTo(ctx.scores[r.row], 6);
      }
      const rel = s.associations.find((a) => a.attribute === 'sex' && a.feature === 'relationship')!;
      expect(rel.measure).toBe('cramers_v');
      expect(rel.value).toBeGreaterThan(0.6);
      expect(s.associations.find((a) => a.attribute === 'sex' && a.feature === 'age')!.measure).toBe('correlation_ratio');
      expect(s.permutation!.features[0].feature).toBe('marital_status');
      const byId = new Map(out.checks.map((c) => [c.id, c]));
      expect([...byId.keys()].sort()).toEqual([
        'explainability/proxies_in_top_k/race',
        'explainability/proxies_in_top_k/sex',
        'explainability/sensitive_rank/race',
        'explainability/sensitive_rank/sex',
        'explainability/sensitive_share/race',
        'explainability/sensitive_share/sex',
        'explainability/stability',
      ]);
      const proxies = byId.get('explainability/proxies_in_top_k/sex')!;
      expect(proxies.status).toBe('fail'); // marital_status (Cramér's V ≈ 0.46 with sex) ranks first
      expect(proxies.details!.proxies).toContainEqual(expect.objectContaining({ feature: 'marital_status', rank: 1 }));
      expect(proxies.location.file).toBe('test-policy.yml');
      expect(proxies.location.line).toBeGreaterThan(10);
      expect(byId.get('explainability/sensitive_rank/sex')!.value).toBe(s.importance.find((e) => e.feature === 'sex')!.rank);
    } finally {
      await ctx.model.dispose();
    }
  });

  it('is deterministic: same policy and seed give the same section', async () => {
    const ctx1 = await contextFromPolicy(adultPolicy('gbt_onehot.onnx', `rows: 30\n${FAST}`));
    const ctx2 = await contextFromPolicy(adultPolicy('gbt_onehot.onnx', `rows: 30\n${FAST}`));
    try {
      const a = await runExplainability(ctx1);
      const b = await runExplainability(ctx2);
      expect(JSON.stringify(b.section)).toBe(JSON.stringify(a.section));
    } finally {
      await ctx1.model.dispose();
      await ctx2.model.dispose();
    }
  });

  it('Adult pipeline with one string input per column (ZipMap export): KernelSHAP, one player per column, examples when allowed', async () => {
    const ctx = await contextFromPolicy(
      adultPolicy(
        'logreg_pipeline.onnx',
        `rows: 8\nreport_rows: 3\nbackground: { size: 20, method: kmeans }\nkernel_shap: { samples: 128, exact: never }\nspace: log_odds\n${FAST}\nsensitive_rank: { min: 6 }`,
        '',
      ).replace('checks:', 'report:\n  include_examples: true\nchecks:'),
    );
    try {
      const out = await runExplainability(ctx);
      const s = out.section;
      expect(s.method).toBe('kernel_shap');
      expect(s.methodReason).toMatch(/no tree ensemble operator/);
      expect(s.space).toBe('log_odds');
      expect(s.kernel).toMatchObject({ exact: false, paired: true });
      expect(s.kernel!.coalitions).toBeLessThanOrEqual(128);
      expect(s.background.method).toBe('kmeans');
      expect(s.background.size).toBeLessThanOrEqual(20);
      expect(s.featureInputs.workclass).toEqual(['workclass']);
      expect(s.modelRows).toBe(8 + s.background.size + 8 * s.kernel!.coalitions * s.background.size);
      expect(s.additivityError.log_odds!).toBeLessThan(1e-9);
      expect(s.rows).toHaveLength(3);
      expect(s.rows[0].example).toBeDefined();
      expect(Object.keys(s.rows[0].example!)).toEqual(s.features);
      // a linear logit: every explained row's log-odds values are exact, whatever the coalitions
      expect(out.checks.map((c) => c.id)).toEqual(['explainability/sensitive_rank/sex', 'explainability/sensitive_rank/race']);
    } finally {
      await ctx.model.dispose();
    }
  });

  it('tree_shap asked for a neural network: falls back to KernelSHAP and says why; enumerates coalitions when the budget allows', async () => {
    const ctx = await contextFromPolicy(
      adultPolicy('mlp_torch.onnx', `method: tree_shap\nrows: 2\nbackground: { size: 4 }\nkernel_shap: { max_evaluations: 200000 }\npermutation: { enabled: false }\nstability: { min: 0.1, method: seeds }`),
    );
    try {
      const out = await runExplainability(ctx);
      expect(out.section.method).toBe('exact_shapley');
      // all 2^m - 2 coalitions of the m players that differ between the row and the 4 background rows
      expect(out.section.kernel!.exact).toBe(true);
      const m = Math.log2(out.section.kernel!.coalitions + 2);
      expect(Number.isInteger(m) && m >= 8 && m <= 14).toBe(true);
      // f(x) of the 2 rows and the 4 background rows, then every coalition of each row x 4 background rows
      const perRow = (out.section.modelRows - 6) / 4;
      expect(perRow).toBeGreaterThan(out.section.kernel!.coalitions);
      expect(perRow).toBeLessThanOrEqual(2 * out.section.kernel!.coalitions);
      expect(out.notes[0]).toMatch(/tree_shap was asked for but the graph has no tree ensemble operator/);
      expect(out.section.permutation).toBeNull();
      expect(out.section.stability!.method).toBe('seeds');
      expect(out.checks).toHaveLength(1);
    } finally {
      await ctx.model.dispose();
    }
  });

  it('German Credit: sex is not a model input (ranked after every input) but personal_status_sex is its proxy', async () => {
    const policy = `version: 1
seed: 3
model:
  path: test/fixtures/german-credit/gbt_onehot.onnx
  threshold: 0.5
  features:
    file: test/fixtures/german-credit/onehot_features.json
dataset:
  path: test/fixtures/german-credit/test.csv
  label: credit_risk
  positive_label: good
sensitive:
  - column: sex
checks:
  explainability:
    rows: 100
    top_k: 20
    sensitive_rank: { min: 6 }
    sensitive_share: { max: 0.01 }
    proxies_in_top_k: { max: 0 }
`;
    const ctx = await contextFromPolicy(policy);
    try {
      const out = await runExplainability(ctx);
      expect(out.section.method).toBe('tree_shap');
      expect(out.section.features).toHaveLength(20);
      const rank = out.checks.find((c) => c.id === 'explainability/sensitive_rank/sex')!;
      expect(rank.value).toBe(21);
      expect(rank.title).toMatch(/not a model input/);
      expect(rank.status).toBe('pass');
      expect(rank.interval).toBeUndefined(); // nothing to resample: it ranks after every input whatever the rows
      expect(rank.message).toBe('Importance rank of sex (not a model input) = 21: sex is not a model input, so it ranks after all 20 inputs; it is not among the 5 most important features, as required');
      expect(out.checks.find((c) => c.id === 'explainability/sensitive_share/sex')!.value).toBe(0);
      const proxy = out.section.associations.find((a) => a.feature === 'personal_status_sex')!;
      expect(proxy.value).toBeCloseTo(1, 9);
      const gate = out.checks.find((c) => c.id === 'explainability/proxies_in_top_k/sex')!;
      expect(gate.status).toBe('fail');
      expect(gate.details!.proxies).toContainEqual(expect.objectContaining({ feature: 'personal_status_sex' }));
      expect(gate.title).toMatch(/^Proxies of sex in the top 20: .*personal_status_sex/);
      expect(gate.message).toMatch(/personal_status_sex \(rank \d+, 95% range \d+–\d+; Cramér’s V 1\.00\)/);
    } finally {
      await ctx.model.dispose();
    }
  });
});
