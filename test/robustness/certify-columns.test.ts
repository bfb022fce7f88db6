/**
 * Certified lower bounds for models with one input per column (preprocessing inside the ONNX graph, issue #14):
 * the scikit-learn / XGBoost translations (lr_pipeline.joblib, rf_pipeline.joblib, gb_pipeline.pkl, xgb_onehot.json,
 * dt_pipeline.joblib) and a skl2onnx pipeline (logreg_pipeline.onnx), checked against the real model (onnxruntime):
 * - linear: the certified radius is the exact minimum (the optimal perturbation scaled by 1 + 1e-6 flips the model's
 *   decision, scaled by 1 − 1e-6 it does not), and never above the perturbation an attack found;
 * - trees: certified ≤ attacked on every row and budget, no point sampled inside the certified box flips the model;
 * - the single decision tree: the certified L∞ and L2 radii equal a brute-force minimum over every combination of
 *   threshold cells of the mutable features, each scored by the model;
 * - an operator the symbolic pass cannot follow gives no certificate, naming the operator.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/checks/context.js';
import { parseTreeEnsemble } from '../../src/checks/explainability/tree-ensemble.js';
import { runBattery, type BatteryRun } from '../../src/checks/robustness/battery.js';
import { certify, loadModelGraph } from '../../src/checks/robustness/certify.js';
import { linearPlan, readSymbolic } from '../../src/checks/robustness/certify-columns.js';
import { encodeCandidates } from '../../src/checks/robustness/encode.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { allocCandidates, type Candidates } from '../../src/checks/robustness/project.js';
import type { AttackSpace } from '../../src/checks/robustness/space.js';
import { readCsvDataset } from '../../src/data/csv.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import { encodeModelInput } from '../../src/model/encode.js';
import { decodeModel, encodeModel, type ModelProto } from '../../src/model/onnx-graph.js';
import { loadModel } from '../../src/model/session.js';
import type { ScoringModel } from '../../src/model/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createRng } from '../../src/util/rng.js';

const ROOT = resolve(import.meta.dirname, '../..');

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float32 neighbour of a positive float32 value (dir +1 up, −1 down). */
function nextFloat32(v: number, dir: 1 | -1): number {
  f32[0] = v;
  i32[0] = (i32[0] as number) + (v >= 0 ? dir : -dir);
  return f32[0] as number;
}
const DATA = {
  adult: { path: 'test/fixtures/adult/test.csv', label: 'income', positive_label: '>50K', missing_values: ['?'] },
  german: { path: 'test/fixtures/german-credit/test.csv', label: 'credit_risk', positive_label: 'good', missing_values: [] as string[] },
  // the variants' input rows (blank numeric cells in the _nan file); `sex` serves as the label
  vnan: { path: 'test/fixtures/sklearn/variants/variants_nan.csv', label: 'sex', positive_label: 'Male', missing_values: [''] },
  vclean: { path: 'test/fixtures/sklearn/variants/variants_clean.csv', label: 'sex', positive_label: 'Male', missing_values: [] as string[] },
  lgbm: { path: 'test/fixtures/sklearn/lightgbm/lightgbm.csv', label: 'sex', positive_label: 'Male', missing_values: [''] },
};
type DataKey = keyof typeof DATA;
const SENSITIVE: Record<DataKey, Array<Record<string, unknown>>> = {
  adult: [{ column: 'sex' }, { column: 'race' }],
  german: [{ column: 'age', bins: [25] }],
  vnan: [{ column: 'race' }],
  vclean: [{ column: 'race' }],
  lgbm: [{ column: 'race' }],
};
const GERMAN_NUMERIC = ['duration_months', 'credit_amount', 'installment_rate', 'residence_since', 'age', 'existing_credits', 'num_dependents'];
const FAST = { noise: { enabled: false }, categorical_attack: { enabled: false }, counterfactual: { enabled: false } };

interface Setup {
  ctx: CheckContext;
  run: BatteryRun;
  bytes?: Uint8Array;
}

async function setup(model: string, ds: DataKey, robustness: Record<string, unknown>, modelExtra: Record<string, unknown> = {}): Promise<Setup> {
  const d = DATA[ds];
  const policy = {
    version: 1,
    seed: 0,
    model: { path: model, threshold: 0.5, ...modelExtra },
    dataset: d,
    sensitive: SENSITIVE[ds],
    checks: { robustness },
  };
  const doc = parsePolicy(JSON.stringify(policy, null, 2), { workspace: ROOT, displayPath: 'policy.json' });
  const dataset = await readCsvDataset(resolve(ROOT, d.path), { displayPath: d.path, missingValues: d.missing_values, maxRows: 1_000_000 });
  const m = await loadModel({ file: resolve(ROOT, model), displayPath: model, spec: doc.policy.model });
  const input = encodeModelInput(dataset, m.info.inputs, doc.policy.model.features, { workspace: ROOT, policyFile: doc.file });
  const scores = await m.score(input);
  const ctx: CheckContext = {
    doc,
    dataset,
    model: m,
    input,
    labels: makeLabels(dataset, doc.policy.dataset),
    scores,
    yPred: Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
    groupings: buildGroupings(dataset, doc.policy),
    rng: createRng(0),
    deadline: Date.now() + 10 * 60 * 1000,
  };
  const bytes = (m as ScoringModel & { graphBytes?: Uint8Array }).graphBytes;
  const run = await runBattery(ctx, robustnessSettings(doc)!, bytes ? { modelBytes: bytes } : {});
  return { ctx, run, bytes };
}

/** Candidates holding the original rows `origins` (numeric values and levels). */
function originals(space: AttackSpace, origins: number[]): Candidates {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const c = allocCandidates(space, origins.length);
  origins.forEach((o, k) => {
    c.origin[k] = o;
    c.x.set(space.x0.subarray(o * nn, (o + 1) * nn), k * nn);
    c.c.set(space.c0.subarray(o * nc, (o + 1) * nc), k * nc);
  });
  return c;
}

async function decisions(ctx: CheckContext, space: AttackSpace, cands: Candidates): Promise<Uint8Array> {
  const s = await ctx.model.score(encodeCandidates(space, cands));
  return Uint8Array.from(s, (v) => (v >= ctx.doc.policy.model.threshold ? 1 : 0));
}

/** certified ≤ attacked: no row flipped at a budget below its radius, no found example smaller than the radius. */
function expectSound(run: BatteryRun): { checked: number; certifiedAtBudgets: number } {
  const cert = run.certificate!;
  let checked = 0;
  let certifiedAtBudgets = 0;
  for (const o of run.outcomes) {
    if (o.kind !== 'score_attack' && o.kind !== 'decision_attack') continue;
    const radius = cert.radius[o.measure as 'linf' | 'l2']!;
    const n = o.instances.rows.length;
    for (let i = 0; i < n; i++) {
      if (!o.instances.correct[i]) continue;
      const r = radius[i] as number;
      expect(r, `${o.key} row ${o.instances.rows[i]}`).toBeGreaterThanOrEqual(0);
      const found = o.minPerturbation[i] as number;
      if (found === found) expect(found, `${o.key} row ${o.instances.rows[i]}: found below the certified radius`).toBeGreaterThanOrEqual(r * (1 - 1e-9));
      o.budgets.forEach((eps, b) => {
        if (r > eps) {
          certifiedAtBudgets++;
          expect(o.flipped[b * n + i], `${o.key} ε=${eps} row ${o.instances.rows[i]}`).toBe(0);
        }
      });
      checked++;
    }
  }
  for (const w of run.section.worstCase!) for (const b of w.budgets) expect(b.certified! + b.successes + b.unknown!).toBe(b.correct);
  return { checked, certifiedAtBudgets };
}

/**
 * No point sampled in the feasible L∞ box of radius 0.999·r (corners and random points) flips the model. Numeric
 * features tied to a categorical one by a functional relation stay put (they only move with their category).
 */
async function expectNoFlipInside(s: Setup, samples: number): Promise<number> {
  const { run, ctx } = s;
  const space = run.space;
  const inst = run.outcomes[0]!.instances;
  const r = run.certificate!.radius.linf ?? run.certificate!.radius.l2!;
  const nn = space.numeric.length;
  const rng = createRng(7);
  const coupled = new Set(run.relations.functional.map((p) => p.numeric));
  const rows: number[] = [];
  const idx: number[] = [];
  for (let i = 0; i < inst.rows.length; i++) {
    const ri = r[i] as number;
    if (!inst.correct[i] || !(ri > 0)) continue;
    for (let k = 0; k < samples; k++) {
      rows.push(inst.rows[i] as number);
      idx.push(i);
    }
  }
  const cands = originals(space, rows);
  rows.forEach((o, k) => {
    const i = idx[k] as number;
    const eps = Math.min(r[i] as number, 50) * 0.999;
    for (const j of space.mutableNumeric) {
      const a = space.x0[o * nn + j] as number;
      if (a !== a || coupled.has(j)) continue;
      const sc = space.limits.scale[j] as number;
      const dir = space.limits.direction[j] as number;
      // corners for the first samples, uniform points after
      const u = k % samples < 2 ? (k % 2 === 0 ? 1 : -1) * (rng.next() < 0.5 ? 1 : -1) : 2 * rng.next() - 1;
      let v = a + u * eps * sc;
      if ((dir === 1 && v < a) || (dir === -1 && v > a)) v = a;
      v = Math.min(Math.max(v, Math.min(space.limits.lower[j] as number, a)), Math.max(space.limits.upper[j] as number, a));
      cands.x[k * nn + j] = space.limits.float32[j] ? Math.fround(v) : v;
    }
  });
  const d = await decisions(ctx, space, cands);
  let flips = 0;
  rows.forEach((_, k) => {
    if (d[k] !== inst.d0[idx[k] as number]) flips++;
  });
  expect(flips).toBe(0);
  return rows.length;
}

describe('linear model, one input per column: lr_pipeline.joblib (StandardScaler + OneHotEncoder + LogisticRegression, translated)', () => {
  it('the certified radius is the exact minimum: the optimal perturbation flips the model just above it, not below (L∞ and L2)', async () => {
    const s = await setup('test/fixtures/sklearn/adult/lr_pipeline.joblib', 'adult', { rows: 150, relations: { learn: false }, integers: 'none', ...FAST });
    const { run, ctx } = s;
    const cert = run.certificate!;
    expect(cert.method).toBe('linear');
    expect(cert.exact).toEqual({ linf: true, l2: true });
    expect(cert.notes[0]).toMatch(/read through the graph's preprocessing \(.*LabelEncoder.*MatMul/);
    const space = run.space;
    const proto = await loadModelGraph(ctx.doc, ctx.model.info, s.bytes);
    const sym = readSymbolic(proto as ModelProto, ctx.model.info, space, 0.5);
    if (typeof sym === 'string') throw new Error(sym);
    const plan = linearPlan(space, sym);
    const inst = run.outcomes[0]!.instances;
    const nn = space.numeric.length;
    let checked = 0;
    for (const norm of ['linf', 'l2'] as const) {
      const radius = cert.radius[norm]!;
      const rows: number[] = [];
      const scales: number[] = [];
      const which: number[] = [];
      for (let i = 0; i < inst.rows.length; i++) {
        const r = radius[i] as number;
        if (!inst.correct[i] || !Number.isFinite(r)) continue;
        const o = inst.rows[i] as number;
        for (const f of [1 + 1e-6, 1 - 1e-6]) {
          rows.push(o);
          scales.push(f);
          which.push(i);
        }
      }
      const cands = originals(space, rows);
      rows.forEach((o, k) => {
        const i = which[k] as number;
        const r = radius[i] as number;
        const f = plan.margin(o);
        // helpful direction and the room per mutable feature (units), as the exact solution moves them
        const c: number[] = [];
        const room: number[] = [];
        const js: number[] = [];
        for (const j of space.mutableNumeric) {
          const a = space.x0[o * nn + j] as number;
          const cj = (plan.lm.w[j] as number) * (space.limits.scale[j] as number);
          if (a !== a || cj === 0) continue;
          const up = (f > 0 ? -1 : 1) * cj > 0;
          const bound = up ? Math.max(space.limits.upper[j] as number, a) : Math.min(space.limits.lower[j] as number, a);
          c.push(Math.abs(cj) * (up ? 1 : -1));
          room.push(Math.abs(bound - a) / (space.limits.scale[j] as number));
          js.push(j);
        }
        let u: number[];
        if (norm === 'linf') u = room.map((rm) => Math.min(r, rm));
        else {
          // u_q = min(room_q, λ|c_q|) with ‖u‖₂ = r: bisection on λ
          let lo = 0;
          let hi = 1;
          const nrm = (l: number): number => Math.sqrt(room.reduce((acc, rm, q) => acc + Math.min(rm, l * Math.abs(c[q] as number)) ** 2, 0));
          while (nrm(hi) < r && hi < 1e12) hi *= 2;
          for (let it = 0; it < 200; it++) {
            const mid = (lo + hi) / 2;
            if (nrm(mid) < r) lo = mid;
            else hi = mid;
          }
          u = room.map((rm, q) => Math.min(rm, hi * Math.abs(c[q] as number)));
        }
        js.forEach((j, q) => {
          const a = space.x0[o * nn + j] as number;
          cands.x[k * nn + j] = a + Math.sign(c[q] as number) * (u[q] as number) * (scales[k] as number) * (space.limits.scale[j] as number);
        });
      });
      const d = await decisions(ctx, space, cands);
      rows.forEach((o, k) => {
        const i = which[k] as number;
        // the log-odds at the scaled optimum is ∓(1e-6 of the reduction): skip rows where that is below the float32
        // resolution of the model's score (a few 1e-8 around 0.5), i.e. |margin| < 4e-7
        let m = plan.margin(o);
        for (const j of space.mutableNumeric) m += (plan.lm.w[j] as number) * ((cands.x[k * nn + j] as number) - (space.x0[o * nn + j] as number));
        if (Math.abs(m) < 4e-7) return;
        const flipped = d[k] !== inst.d0[i];
        expect(flipped, `${norm} row ${rows[k]} scaled ${scales[k]}`).toBe((scales[k] as number) > 1);
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(300);
    // certified ≤ the attacks' perturbations on every row
    const { checked: rowsChecked } = expectSound(run);
    expect(rowsChecked).toBeGreaterThan(200);
  }, 120_000);

  it('an operator the pass cannot follow gives no certificate, naming it', async () => {
    const s = await setup('test/fixtures/sklearn/adult/lr_pipeline.joblib', 'adult', { rows: 40, relations: { learn: false }, ...FAST, decision_attack: { enabled: false } });
    const proto = decodeModel(s.bytes!);
    const div = proto.graph!.node!.find((n) => n.opType === 'Div')!;
    div.opType = 'Pow'; // a power transform of the scaled inputs
    const inst = s.run.outcomes[0]!.instances;
    const cert = certify({ space: s.run.space, relations: s.run.relations, inst, threshold: 0.5, norms: ['linf'], info: s.ctx.model.info, proto: decodeModel(encodeModel(proto)) });
    expect(cert.method).toBe('none');
    expect(cert.notes.join(' ')).toMatch(/cannot follow between the inputs and the score: Pow: no certificate/);
    expect(cert.radius).toEqual({});
  }, 60_000);
});

describe('tree ensembles and a skl2onnx pipeline, one input per column: sound certificates', () => {
  const V = 'test/fixtures/sklearn/variants/';
  const cases: Array<[string, DataKey, string, RegExp, Record<string, unknown>?]> = [
    ['test/fixtures/sklearn/adult/rf_pipeline.joblib', 'adult', 'tree_interval', /TreeEnsemble read through .*LabelEncoder/],
    ['test/fixtures/sklearn/adult/gb_pipeline.pkl', 'adult', 'tree_interval', /IsNaN.*Where/],
    ['test/fixtures/sklearn/adult/xgb_onehot.json', 'adult', 'tree_interval', /Sigmoid/],
    ['test/fixtures/sklearn/german-credit/dt_pipeline.joblib', 'german', 'tree_interval', /TreeEnsemble read through .*Equal/],
    ['test/fixtures/adult/logreg_pipeline.onnx', 'adult', 'linear', /OneHotEncoder, Reshape, Scaler/],
    // blank numeric cells: imputers (Where(IsNaN)), missing indicators, NaN-aware trees
    [`${V}imputer_median_std_lr_nan.joblib`, 'vnan', 'linear', /IsNaN.*Where/],
    [`${V}imputer_indicator_lr_nan.joblib`, 'vnan', 'linear', /IsNaN/],
    [`${V}nested_imputers_gb.joblib`, 'vnan', 'tree_interval', /IsNaN.*Where/],
    [`${V}hgb_cat_by_name_nan.joblib`, 'vnan', 'tree_interval', /Less/],
    // MinMaxScaler(clip=True): splits on a clipped input
    [`${V}ct_indices_slice_mask_dt.joblib`, 'vclean', 'tree_interval', /Clip/],
    // numeric categories (OneHotEncoder / OrdinalEncoder on numeric columns): splits on x == value sets
    [`${V}ohe_numeric_categories_et.joblib`, 'vclean', 'tree_interval', /Equal, Greater, IsNaN/],
    ['test/fixtures/sklearn/lightgbm/lgbm_categorical.txt', 'lgbm', 'tree_interval', /TreeEnsemble/],
    // one float64 matrix (lr_numpy): MatMul + Sigmoid, read by the same pass
    ['test/fixtures/sklearn/german-credit/lr_numpy.joblib', 'german', 'linear', /MatMul/, { features: { columns: GERMAN_NUMERIC } }],
  ];
  for (const [model, ds, method, ops, extra] of cases) {
    it(`${model.split('/').slice(-2).join('/')}: certified ≤ attacked on every row and budget; no sampled point inside the certified box flips the model`, async () => {
      const s = await setup(model, ds, { rows: 120, ...FAST, decision_attack: { iterations: 10 } }, extra);
      const cert = s.run.certificate!;
      expect(cert.method, cert.notes.join(' ')).toBe(method);
      expect(cert.notes[0]).toMatch(ops);
      const { checked, certifiedAtBudgets } = expectSound(s.run);
      expect(checked).toBeGreaterThan(ds === 'adult' || ds === 'german' ? 150 : 70);
      expect(certifiedAtBudgets).toBeGreaterThan(ds === 'adult' || ds === 'german' ? 100 : 50);
      expect(await expectNoFlipInside(s, 6)).toBeGreaterThan(ds === 'adult' || ds === 'german' ? 200 : 100);
      if (ds === 'vnan') {
        // rows with a blank numeric cell are certified too (the cell is fixed; the graph's imputation applies)
        const inst = s.run.outcomes[0]!.instances;
        const nn = s.run.space.numeric.length;
        const r = cert.radius.linf!;
        let withBlank = 0;
        for (let i = 0; i < inst.rows.length; i++) {
          const o = inst.rows[i] as number;
          if (inst.correct[i] && (r[i] as number) > 0 && s.run.space.x0.subarray(o * nn, (o + 1) * nn).some((v) => v !== v)) withBlank++;
        }
        expect(withBlank).toBeGreaterThan(3);
      }
    }, 120_000);
  }
});

describe('a single decision tree (dt_pipeline.joblib): exact radii', () => {
  it('L∞ and L2 equal a brute-force minimum over every combination of threshold cells, each scored by the model', async () => {
    const s = await setup('test/fixtures/sklearn/german-credit/dt_pipeline.joblib', 'german', { rows: 60, relations: { learn: false }, integers: 'none', ...FAST, decision_attack: { enabled: false } });
    const { run, ctx } = s;
    const cert = run.certificate!;
    expect(cert.exact).toEqual({ linf: true, l2: true });
    const space = run.space;
    const nn = space.numeric.length;
    // thresholds per numeric input, read from the TreeEnsemble node and the Concat that feeds it (not from the certificate)
    const proto = decodeModel(s.bytes!);
    const nodes = proto.graph!.node!;
    const tree = nodes.find((n) => n.opType === 'TreeEnsemble')!;
    const e = parseTreeEnsemble(tree);
    const concat = nodes.find((n) => n.opType === 'Concat' && n.input!.includes('duration_months'))!;
    const thresholds = new Map<number, number[]>();
    for (let node = 0; node < e.mode.length; node++) {
      if (e.feature[node]! < 0 || e.mode[node] === 7) continue;
      const name = concat.input![e.feature[node]!];
      const j = space.numeric.findIndex((f) => f.name === name);
      if (j < 0 || !space.numeric[j]!.mutable) continue;
      if (!thresholds.has(j)) thresholds.set(j, []);
      thresholds.get(j)!.push(e.threshold[node]!);
    }
    const feats = [...thresholds.keys()];
    const inst = run.outcomes[0]!.instances;
    let compared = 0;
    for (let i = 0; i < inst.rows.length; i++) {
      if (!inst.correct[i]) continue;
      const o = inst.rows[i] as number;
      // per feature: the nearest feasible point of each cell between consecutive thresholds (a hair inside)
      const options = feats.map((j) => {
        const a = space.x0[o * nn + j] as number;
        const lo = Math.min(space.limits.lower[j] as number, a);
        const hi = Math.max(space.limits.upper[j] as number, a);
        const ts = [...new Set(thresholds.get(j))].sort((p, q) => p - q);
        const pts = new Set<number>([a]);
        for (const t of ts) {
          // the trees compare float32(x) with t: the float32 values on either side of t
          let below = Math.fround(t);
          if (below > t) below = nextFloat32(below, -1);
          for (const v of [below, nextFloat32(below, 1)]) if (v >= lo && v <= hi) pts.add(v);
        }
        return [...pts];
      });
      const total = options.reduce((p, x) => p * x.length, 1);
      if (total > 20_000) continue;
      const points: number[][] = [];
      const walk = (q: number, cur: number[]): void => {
        if (q === feats.length) {
          points.push(cur.slice());
          return;
        }
        for (const v of options[q]!) {
          cur.push(v);
          walk(q + 1, cur);
          cur.pop();
        }
      };
      walk(0, []);
      const cands = originals(space, points.map(() => o));
      points.forEach((p, k) => feats.forEach((j, q) => (cands.x[k * nn + j] = p[q] as number)));
      const d = await decisions(ctx, space, cands);
      let bestInf = Infinity;
      let best2 = Infinity;
      points.forEach((p, k) => {
        if (d[k] === inst.d0[i]) return;
        let mx = 0;
        let sq = 0;
        feats.forEach((j, q) => {
          const u = Math.abs((p[q] as number) - (space.x0[o * nn + j] as number)) / (space.limits.scale[j] as number);
          mx = Math.max(mx, u);
          sq += u * u;
        });
        bestInf = Math.min(bestInf, mx);
        best2 = Math.min(best2, Math.sqrt(sq));
      });
      for (const [norm, brute] of [
        ['linf', bestInf],
        ['l2', best2],
      ] as const) {
        const r = cert.radius[norm]![i] as number;
        if (!Number.isFinite(brute)) expect(r, `${norm} row ${o}`).toBe(Infinity);
        else expect(Math.abs(r - brute), `${norm} row ${o}: certified ${r}, brute force ${brute}`).toBeLessThanOrEqual(1e-6 * Math.max(1, brute));
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(25);
  }, 120_000);
});

describe('the symbolic pass agrees with the direct readers on feature-matrix models', () => {
  for (const [name, method] of [
    ['logreg_onehot', 'linear'],
    ['gbt_onehot', 'tree_interval'],
  ] as const) {
    it(`${name}.onnx (${method}): the same radius on every row, L∞ and L2`, async () => {
      const { adultContext } = await import('./helpers.js');
      const { certifyGraph } = await import('../../src/checks/robustness/certify.js');
      const ctx = await adultContext({ model: name, robustness: { rows: 150, ...FAST, decision_attack: { enabled: false }, score_attack: { steps: 2 } } });
      const run = await runBattery(ctx, robustnessSettings(ctx.doc)!);
      const proto = (await loadModelGraph(ctx.doc, ctx.model.info)) as ModelProto;
      const opts = { space: run.space, relations: run.relations, inst: run.outcomes[0]!.instances, threshold: 0.5, norms: ['linf', 'l2'] as Array<'linf' | 'l2'>, info: ctx.model.info, proto };
      const direct = certify(opts);
      const graph = certifyGraph(opts, proto);
      expect(direct.method).toBe(method);
      expect(graph.method).toBe(method);
      expect(graph.exact).toEqual(direct.exact);
      let finite = 0;
      for (const norm of ['linf', 'l2'] as const) {
        const a = direct.radius[norm]!;
        const b = graph.radius[norm]!;
        for (let i = 0; i < a.length; i++) {
          const x = a[i] as number;
          const y = b[i] as number;
          if (x !== x || !Number.isFinite(x)) {
            expect(y, `${norm} ${i}`).toBe(x);
            continue;
          }
          // float32 thresholds: the symbolic pass splits at the float32 midpoint, a fraction of an ulp away
          expect(Math.abs(x - y), `${norm} instance ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, x));
          finite++;
        }
      }
      expect(finite).toBeGreaterThan(100);
    }, 120_000);
  }
});

describe('hostile graphs', () => {
  it('a 5,000-node chain is followed (no stack overflow); a cycle gives no certificate with a note, not a crash', async () => {
    const s = await setup('test/fixtures/sklearn/adult/lr_pipeline.joblib', 'adult', { rows: 30, relations: { learn: false }, ...FAST, decision_attack: { enabled: false } });
    const inst = s.run.outcomes[0]!.instances;
    const base = { space: s.run.space, relations: s.run.relations, inst, threshold: 0.5, norms: ['linf'] as Array<'linf'>, info: s.ctx.model.info };
    // a long Identity chain between the MatMul and its Add
    const deep = decodeModel(s.bytes!);
    const nodes = deep.graph!.node!;
    const add = nodes.find((n) => n.opType === 'Add' && n.input![0]!.startsWith('matmul'))!;
    let prev = add.input![0]!;
    for (let k = 0; k < 5000; k++) {
      nodes.push({ opType: 'Identity', input: [prev], output: [`deep_${k}`] });
      prev = `deep_${k}`;
    }
    add.input![0] = prev;
    // followed iteratively: the same certificate as without the chain
    const c1 = certify({ ...base, proto: decodeModel(encodeModel(deep)) });
    expect(c1.method).toBe('linear');
    expect(Array.from(c1.radius.linf!)).toEqual(Array.from(certify({ ...base, proto: decodeModel(s.bytes!) }).radius.linf!));
    // a cycle: the Add reads its own output through an Identity
    const cyc = decodeModel(s.bytes!);
    const add2 = cyc.graph!.node!.find((n) => n.opType === 'Add' && n.input![0]!.startsWith('matmul'))!;
    cyc.graph!.node!.push({ opType: 'Identity', input: [add2.output![0]!], output: ['loop'] });
    add2.input![0] = 'loop';
    const c2 = certify({ ...base, proto: decodeModel(encodeModel(cyc)) });
    expect(c2.method).toBe('none');
    expect(c2.notes.join(' ')).toMatch(/cannot follow between the inputs and the score: a cycle in the graph: no certificate/);
  }, 60_000);
});
