/**
 * A realistic Report for the publishing renderers (comment, HTML, charts), built from the committed Adult fixture:
 * the per-row scores of gbt_onehot.onnx (test/fixtures/adult/gbt_onehot.predictions.csv) and its reference values.
 * Curves, confusion counts and group rates are computed here from the scores (test-only code; the real numbers come
 * from src/metrics in the gate). Robustness and explainability sections follow the shapes their engineers keep
 * (two ECDF curves per attack; a ranked global importance list).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  AttributeResult,
  ConfusionCounts,
  CurvePoint,
  GroupResult,
  MetricValues,
  PerformanceCurves,
} from '../../src/metrics/types.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import type { AttackKind, AttackResult, PerturbationMeasure } from '../../src/checks/robustness/types.js';

const ADULT = fileURLToPath(new URL('../fixtures/adult/', import.meta.url));

interface Rows {
  yTrue: Uint8Array;
  score: Float64Array;
  cols: Record<string, string[]>;
}

let cachedRows: Rows | undefined;
function readPredictions(): Rows {
  if (cachedRows) return cachedRows;
  const lines = readFileSync(`${ADULT}gbt_onehot.predictions.csv`, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const n = lines.length - 1;
  const yTrue = new Uint8Array(n);
  const score = new Float64Array(n);
  const cols: Record<string, string[]> = { sex: [], race: [], age_bin: [] };
  const idx = (name: string) => header.indexOf(name);
  const [iy, is, isex, irace, iage] = [idx('y_true'), idx('score'), idx('sex'), idx('race'), idx('age_bin')];
  for (let r = 0; r < n; r++) {
    const f = lines[r + 1]!.split(',');
    yTrue[r] = Number(f[iy]);
    score[r] = Number(f[is]);
    cols.sex!.push(f[isex]!);
    cols.race!.push(f[irace]!);
    cols.age_bin!.push(f[iage]!);
  }
  cachedRows = { yTrue, score, cols };
  return cachedRows;
}

function confusion(yTrue: Uint8Array, yPred: Uint8Array, rows: number[]): ConfusionCounts {
  const c = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (const r of rows) {
    if (yTrue[r]) yPred[r] ? c.tp++ : c.fn++;
    else yPred[r] ? c.fp++ : c.tn++;
  }
  return c;
}

const div = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function labelMetrics(c: ConfusionCounts): MetricValues {
  const n = c.tn + c.fp + c.fn + c.tp;
  const precision = div(c.tp, c.tp + c.fp);
  const recall = div(c.tp, c.tp + c.fn);
  const tnr = div(c.tn, c.tn + c.fp);
  return {
    count: n,
    base_rate: div(c.tp + c.fn, n),
    selection_rate: div(c.tp + c.fp, n),
    accuracy: div(c.tp + c.tn, n),
    balanced_accuracy: recall !== null && tnr !== null ? (recall + tnr) / 2 : null,
    precision,
    recall,
    f1: precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    true_positive_rate: recall,
    false_positive_rate: div(c.fp, c.fp + c.tn),
    true_negative_rate: tnr,
    false_negative_rate: div(c.fn, c.fn + c.tp),
  };
}

/** Keep at most `max` points, always the ends. */
function downsample(points: CurvePoint[], max = 200): CurvePoint[] {
  if (points.length <= max) return points;
  const out: CurvePoint[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

function ecdf(values: number[]): CurvePoint[] {
  const s = [...values].sort((a, b) => a - b);
  const pts: CurvePoint[] = [{ x: 0, y: 0 }];
  for (let i = 0; i < s.length; i++) if (i === s.length - 1 || s[i + 1] !== s[i]) pts.push({ x: s[i]!, y: (i + 1) / s.length });
  pts.push({ x: 1, y: 1 });
  return downsample(pts);
}

function curves(yTrue: Uint8Array, score: Float64Array): { curves: PerformanceCurves; ks: number; ksAt: number } {
  const order = Array.from(score.keys()).sort((a, b) => score[b]! - score[a]!);
  let P = 0;
  for (const y of yTrue) P += y;
  const N = yTrue.length - P;
  const roc: CurvePoint[] = [{ x: 0, y: 0, threshold: 1 }];
  const pr: CurvePoint[] = [];
  const precisionByThreshold: CurvePoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    if (yTrue[r]) tp++;
    else fp++;
    const next = order[i + 1];
    if (next !== undefined && score[next] === score[r]) continue;
    const t = score[r]!;
    roc.push({ x: fp / N, y: tp / P, threshold: t });
    pr.push({ x: tp / P, y: tp / (tp + fp), threshold: t });
    precisionByThreshold.push({ x: t, y: tp / (tp + fp) });
  }
  precisionByThreshold.reverse();
  const pos: number[] = [];
  const neg: number[] = [];
  for (let r = 0; r < score.length; r++) (yTrue[r] ? pos : neg).push(score[r]!);
  const ksPositives = ecdf(pos);
  const ksNegatives = ecdf(neg);
  // KS statistic and where: scan the merged sorted scores.
  const sp = [...pos].sort((a, b) => a - b);
  const sn = [...neg].sort((a, b) => a - b);
  let i = 0;
  let j = 0;
  let ks = 0;
  let ksAt = 0;
  while (i < sp.length || j < sn.length) {
    const x = Math.min(sp[i] ?? Infinity, sn[j] ?? Infinity);
    while (i < sp.length && sp[i] === x) i++;
    while (j < sn.length && sn[j] === x) j++;
    const d = Math.abs(j / sn.length - i / sp.length);
    if (d > ks) {
      ks = d;
      ksAt = x;
    }
  }
  return {
    curves: {
      roc: downsample(roc),
      pr: downsample(pr),
      precisionByThreshold: downsample(precisionByThreshold),
      ksPositives,
      ksNegatives,
    },
    ks,
    ksAt,
  };
}

function attribute(name: string, attrs: string[], rows: Rows, yPred: Uint8Array, minGroupSize: number): AttributeResult {
  const keyOf = (r: number) => attrs.map((a) => rows.cols[a]![r]).join('|');
  const byKey = new Map<string, number[]>();
  for (let r = 0; r < rows.yTrue.length; r++) {
    const k = keyOf(r);
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k)!.push(r);
  }
  const all = Array.from(rows.yTrue.keys());
  const overall = labelMetrics(confusion(rows.yTrue, yPred, all));
  const groups: GroupResult[] = [...byKey.keys()].sort().map((key) => {
    const members = byKey.get(key)!;
    const c = confusion(rows.yTrue, yPred, members);
    const parts = key.split('|');
    const sufficient = members.length >= minGroupSize;
    const g: GroupResult = {
      key,
      group: Object.fromEntries(attrs.map((a, i) => [a, parts[i]!])),
      count: members.length,
      sufficient,
      confusion: c,
      metrics: labelMetrics(c),
    };
    if (!sufficient) g.insufficientReason = `${members.length} rows < min_group_size ${minGroupSize}`;
    return g;
  });
  const ok = groups.filter((g) => g.sufficient);
  const agg = (f: (vals: number[], o: number) => number | null): MetricValues => {
    const out: MetricValues = {};
    for (const m of ['selection_rate', 'true_positive_rate', 'false_positive_rate', 'accuracy'] as const) {
      const vals = ok.map((g) => g.metrics[m]).filter((v): v is number => typeof v === 'number');
      out[m] = f(vals, overall[m] as number);
    }
    return out;
  };
  const min = agg((v) => Math.min(...v));
  const max = agg((v) => Math.max(...v));
  const sel = (mv: MetricValues) => mv.selection_rate as number;
  const tprD = (max.true_positive_rate as number) - (min.true_positive_rate as number);
  const fprD = (max.false_positive_rate as number) - (min.false_positive_rate as number);
  return {
    name,
    attributes: attrs,
    overall,
    groups,
    aggregates: {
      group_min: min,
      group_max: max,
      difference_between_groups: agg((v) => Math.max(...v) - Math.min(...v)),
      difference_to_overall: agg((v, o) => Math.max(...v.map((x) => Math.abs(x - o)))),
      ratio_between_groups: agg((v) => Math.min(...v) / Math.max(...v)),
      ratio_to_overall: agg((v, o) => Math.min(...v.map((x) => Math.min(x / o, o / x)))),
    },
    fairlearn: {
      demographic_parity_difference: sel(max) - sel(min),
      demographic_parity_difference_to_overall: null,
      demographic_parity_ratio: sel(min) / sel(max),
      demographic_parity_ratio_to_overall: null,
      equalized_odds_difference: Math.max(tprD, fprD),
      equalized_odds_difference_agg_mean: (tprD + fprD) / 2,
      equalized_odds_ratio: null,
      equalized_odds_ratio_agg_mean: null,
      equal_opportunity_difference: tprD,
      equal_opportunity_ratio: (min.true_positive_rate as number) / (max.true_positive_rate as number),
    },
    insufficientGroups: groups.filter((g) => !g.sufficient).map((g) => g.key),
  };
}

let line = 10;
function check(
  partial: Pick<CheckResult, 'section' | 'metric' | 'title' | 'value'> & {
    scope?: string;
    kind: 'min' | 'max';
    limit: number;
    insufficient?: string;
    severity?: 'error' | 'warning';
  },
): CheckResult {
  const { section, metric, title, value, scope, kind, limit } = partial;
  const margin = value === null ? null : kind === 'min' ? value - limit : limit - value;
  const status: CheckResult['status'] = partial.insufficient ? 'insufficient' : (margin as number) >= 0 ? 'pass' : 'fail';
  const outcome: CheckResult['outcome'] =
    status === 'pass' ? 'pass' : status === 'insufficient' ? 'warn' : partial.severity === 'warning' ? 'warn' : 'fail';
  const op = kind === 'min' ? '≥' : '≤';
  const shown = `${title} = ${value === null ? 'n/a' : Number(value.toFixed(4))}`;
  const message =
    status === 'insufficient'
      ? `${title}: insufficient evidence (${partial.insufficient}); required ${op} ${limit}`
      : status === 'pass'
        ? `${shown}, required ${op} ${limit}`
        : `${shown} breaches ${kind} ${limit} by ${Number(Math.abs(margin as number).toFixed(4))}`;
  const r: CheckResult = {
    id: `${section}/${metric}${scope ? `/${scope}` : ''}`,
    ruleId: `${section}/${metric}`,
    section,
    metric,
    title,
    value,
    threshold: { kind, value: limit },
    status,
    outcome,
    margin,
    message,
    location: { file: '.github/model-policy.yml', line: line++, column: 12 },
  };
  if (scope !== undefined) r.scope = scope;
  return r;
}

/** Adversarial ECDF: the original scores pushed towards the decision boundary (a stand-in for an attack's output). */
function adversarialEcdfs(score: Float64Array, threshold: number, strength: number) {
  const orig: number[] = [];
  const adv: number[] = [];
  for (let r = 0; r < score.length; r += 8) {
    const s = score[r]!;
    orig.push(s);
    adv.push(Math.min(1, Math.max(0, s + (threshold - s) * strength)));
  }
  return { original: ecdf(orig), adversarial: ecdf(adv), rows: orig.length };
}

export interface SampleOptions {
  /** Include robustness and explainability sections (default true). */
  sections?: boolean;
  /** Group names to replace (e.g. to test escaping): original -> new. */
  renameGroups?: Record<string, string>;
}

const builtReports = new Map<string, Report>();

/** The sample report (a fresh deep copy each call; built once per options). */
export function publishingSampleReport(options: SampleOptions = {}): Report {
  const key = JSON.stringify(options);
  let report = builtReports.get(key);
  if (!report) {
    report = buildSampleReport(options);
    builtReports.set(key, report);
  }
  return structuredClone(report);
}

function buildSampleReport(options: SampleOptions): Report {
  const rows = readPredictions();
  const threshold = 0.5;
  const minGroupSize = 150;
  const n = rows.yTrue.length;
  const yPred = new Uint8Array(n);
  for (let r = 0; r < n; r++) yPred[r] = rows.score[r]! >= threshold ? 1 : 0;
  const all = Array.from(rows.yTrue.keys());
  const conf = confusion(rows.yTrue, yPred, all);
  const c = curves(rows.yTrue, rows.score);
  const ref = JSON.parse(readFileSync(`${ADULT}gbt_onehot.reference.json`, 'utf8')) as {
    performance: Record<string, number>;
  };
  const metrics: MetricValues = {
    ...labelMetrics(conf),
    roc_auc: ref.performance.roc_auc!,
    average_precision: ref.performance.average_precision!,
    brier: ref.performance.brier!,
    log_loss: ref.performance.log_loss!,
    mean_score: ref.performance.mean_score!,
    ks: c.ks,
  };
  if (options.renameGroups) {
    for (const col of Object.values(rows.cols))
      for (let i = 0; i < col.length; i++) col[i] = options.renameGroups[col[i]!] ?? col[i]!;
  }
  const fairness = [
    attribute('sex', ['sex'], rows, yPred, minGroupSize),
    attribute('race', ['race'], rows, yPred, minGroupSize),
    attribute('age_bin', ['age_bin'], rows, yPred, minGroupSize),
    attribute('sex_x_age_bin', ['sex', 'age_bin'], rows, yPred, minGroupSize),
  ];
  if (options.renameGroups) cachedRows = undefined; // renamed copies must not leak into the next call
  line = 10;
  const checks: CheckResult[] = [
    check({ section: 'performance', metric: 'roc_auc', title: 'ROC AUC', value: metrics.roc_auc!, kind: 'min', limit: 0.85 }),
    check({ section: 'performance', metric: 'accuracy', title: 'Accuracy', value: metrics.accuracy!, kind: 'min', limit: 0.85 }),
    check({ section: 'performance', metric: 'recall', title: 'Recall', value: metrics.recall!, kind: 'min', limit: 0.65 }),
    check({ section: 'performance', metric: 'ks', title: 'KS statistic', value: c.ks, kind: 'min', limit: 0.5 }),
  ];
  for (const a of fairness) {
    checks.push(
      check({
        section: 'fairness',
        metric: 'demographic_parity_ratio',
        title: `Demographic parity ratio (${a.name})`,
        value: a.fairlearn.demographic_parity_ratio,
        scope: a.name,
        kind: 'min',
        limit: 0.8,
      }),
      check({
        section: 'fairness',
        metric: 'equalized_odds_difference',
        title: `Equalized odds difference (${a.name})`,
        value: a.fairlearn.equalized_odds_difference,
        scope: a.name,
        kind: 'max',
        limit: 0.1,
        severity: a.name === 'race' ? 'warning' : 'error',
      }),
    );
  }
  checks.push(
    check({
      section: 'fairness',
      metric: 'selection_rate_min',
      title: 'Selection rate (race=Other)',
      value: null,
      scope: 'race/Other',
      kind: 'min',
      limit: 0.05,
      insufficient: '135 rows < min_group_size 150',
    }),
  );
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'model-risk-gate', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    verdict: 'pass',
    summary: { checks: 0, passed: 0, failed: 0, warned: 0, insufficient: 0 },
    seed: 42,
    policy: { path: '.github/model-policy.yml', sha256: 'a'.repeat(64), bytes: 812, name: 'Adult income model' },
    model: {
      path: 'models/gbt_onehot.onnx',
      sha256: 'b'.repeat(64),
      bytes: 55045,
      info: {
        producer: 'skl2onnx 1.14.1',
        inputs: [{ name: 'features', type: 'float32', shape: ['N', 108] }],
        outputs: [
          { name: 'label', type: 'int64', shape: ['N'] },
          { name: 'probabilities', type: 'float32', shape: ['N', 2] },
        ],
        scoreOutput: 'probabilities',
        outputKind: 'probabilities',
        positiveIndex: 1,
        zipMapBypassed: false,
        runtime: 'onnxruntime-node',
        runtimeVersion: '1.30.0',
        notes: [],
      },
    },
    dataset: {
      path: 'data/adult-test.csv',
      sha256: 'c'.repeat(64),
      bytes: 2003153,
      rows: n,
      columns: 15,
      label: 'income',
      positiveLabel: '>50K',
      positives: conf.tp + conf.fn,
    },
    threshold,
    minGroupSize,
    checks: [],
    performance: { confusion: conf, metrics, ksAt: c.ksAt, curves: c.curves },
    fairness,
    notes: ['race: group Other has 135 rows < min_group_size 150; left out of the aggregates.'],
    timings: { load: 120, score: 85, checks: 40 },
  };
  if (options.sections !== false) {
    const specs: Array<{ key: string; kind: AttackKind; title: string; measure: PerturbationMeasure; budgets: number[]; success: number[] }> = [
      { key: 'noise', kind: 'noise', title: 'Random noise', measure: 'strength', budgets: [0.05, 0.1], success: [0.012, 0.031] },
      { key: 'score_attack/linf', kind: 'score_attack', title: 'Score-based attack (L∞, NES gradient)', measure: 'linf', budgets: [0.1, 0.25, 0.5], success: [0.08, 0.19, 0.284] },
    ];
    const attacks = specs.map((a): AttackResult => ({
      key: a.key,
      kind: a.kind,
      title: a.title,
      measure: a.measure,
      units: 'std',
      budgets: a.budgets.map((budget, i) => {
        const e = adversarialEcdfs(rows.score, threshold, budget * 1.2);
        return {
          budget,
          rows: e.rows,
          correct: Math.round(e.rows * 0.87),
          successes: Math.round(e.rows * 0.87 * a.success[i]!),
          successRate: a.success[i]!,
          accuracyOriginal: 0.871,
          accuracyUnderAttack: 0.871 * (1 - a.success[i]!),
          accuracyDrop: 0.871 * a.success[i]!,
          flipRate: a.success[i]! * 0.9,
          meanAbsScoreChange: budget * 0.3,
          ks: { statistic: budget * 0.6, at: 0.42, curves: { original: e.original, adversarial: e.adversarial } },
          groups: [],
        };
      }),
      perturbation: { count: 100, median: 0.21, mean: 0.24, min: 0.01, max: 0.5, quantiles: {} },
      medianPerturbation: { value: 0.5, lowerBound: true },
      successCurve: [],
      queries: 40000,
      calls: 40,
      meanRowsPerCall: 1000,
      stopped: null,
      notes: [],
      parameters: {},
    }));
    report.robustness = {
      seed: 42,
      threshold,
      units: 'std',
      bounds: 'data',
      sample: { rows: 2036, positives: 481, negatives: 1555, correct: 1773, method: 'stratified by label', datasetRows: n },
      constraints: [],
      attacks,
      counterfactual: [
        {
          attribute: 'sex',
          column: 'sex',
          feature: 'sex',
          method: 'category',
          values: [{ key: 'Female', value: 'Female' }, { key: 'Male', value: 'Male' }],
          rows: 2036,
          pairs: 2036,
          flipRate: 0.018,
          pairFlipRate: 0.018,
          meanAbsScoreChange: 0.006,
          maxAbsScoreChange: 0.09,
          groups: [],
          transitions: [],
          queries: 2036,
          stopped: null,
          notes: [],
        },
      ],
      queries: 120000,
      stopped: null,
      notes: [],
    };
    checks.push(
      check({
        section: 'robustness',
        metric: 'max_attack_success_rate',
        title: 'Attack success rate (score_attack/linf)',
        value: 0.284,
        scope: 'score_attack/linf',
        kind: 'max',
        limit: 0.2,
      }),
    );
    const explain = JSON.parse(readFileSync(`${ADULT}gbt_onehot.explain.reference.json`, 'utf8')) as {
      permutation_importance: { metric?: string; columns: Record<string, { mean: number; std: number }> };
      exact_shap_raw_columns: { players: string[]; probability: { values: number[][] } };
    };
    const shap = explain.exact_shap_raw_columns;
    const meanAbs = shap.players.map((_, j) => shap.probability.values.reduce((sum, row) => sum + Math.abs(row[j]!), 0) / shap.probability.values.length);
    const total = meanAbs.reduce((a, b) => a + b, 0);
    const ranked = shap.players.map((feature, j) => ({ feature, meanAbsShap: meanAbs[j]! })).sort((a, b) => b.meanAbsShap - a.meanAbsShap);
    const sensitive = new Set(['sex', 'race', 'age']);
    const perm = Object.entries(explain.permutation_importance.columns).sort((a, b) => b[1].mean - a[1].mean);
    report.explainability = {
      method: 'exact_shapley',
      methodReason: 'fixture: exact Shapley values of the raw-column game from the reference file',
      space: 'probability',
      seed: 42,
      features: shap.players,
      featureInputs: {},
      background: { size: 100, method: 'sample', fromRows: n },
      explainedRows: shap.probability.values.length,
      expectedValue: { probability: 0.2619 },
      additivityError: { probability: 1e-9 },
      importance: ranked.map((r, i) => ({
        feature: r.feature,
        rank: i + 1,
        meanAbsShap: r.meanAbsShap,
        share: r.meanAbsShap / total,
        meanShap: 0,
        sensitive: sensitive.has(r.feature),
        proxyOf: r.feature === 'relationship' ? ['sex'] : [],
      })),
      rows: [],
      modelCalls: 0,
      modelRows: 0,
      permutation: {
        metric: 'roc_auc',
        baseline: 0.9212,
        repeats: 20,
        rows: n,
        features: perm.map(([feature, v], i) => ({ feature, rank: i + 1, mean: v.mean, std: v.std, values: [] })),
        modelCalls: 280,
        modelRows: 280 * n,
      },
      associations: [],
      stability: null,
      topK: 5,
      truncated: false,
    };
    const sexRank = ranked.findIndex((r) => r.feature === 'sex') + 1;
    checks.push(
      check({
        section: 'explainability',
        metric: 'max_rank',
        title: 'Rank of sex in importance',
        value: sexRank,
        scope: 'sex',
        kind: 'min',
        limit: 6,
      }),
    );
  }
  report.checks = checks;
  const failed = checks.filter((x) => x.outcome === 'fail').length;
  report.summary = {
    checks: checks.length,
    passed: checks.filter((x) => x.outcome === 'pass').length,
    failed,
    warned: checks.filter((x) => x.outcome === 'warn').length,
    insufficient: checks.filter((x) => x.status === 'insufficient').length,
  };
  report.verdict = failed > 0 ? 'fail' : 'pass';
  return report;
}

/** The same report with every check passing (thresholds loosened). */
export function publishingPassingReport(): Report {
  const r = publishingSampleReport();
  for (const c of r.checks) {
    if (c.status === 'insufficient') continue;
    c.threshold.value = c.threshold.kind === 'min' ? Math.min(c.threshold.value, (c.value ?? 0) - 0.01) : Math.max(c.threshold.value, (c.value ?? 0) + 0.01);
    c.margin = c.threshold.kind === 'min' ? (c.value as number) - c.threshold.value : c.threshold.value - (c.value as number);
    c.status = 'pass';
    c.outcome = 'pass';
  }
  r.summary.failed = 0;
  r.summary.passed = r.checks.filter((x) => x.outcome === 'pass').length;
  r.summary.warned = r.checks.filter((x) => x.outcome === 'warn').length;
  r.verdict = 'pass';
  return r;
}

/**
 * A report far beyond GitHub's comment limit: many sensitive attributes with many groups (long names) and many
 * checks, built from the sample's first attribute. Used to test trimming.
 */
export function oversizedReport(attributes = 40, groupsPerAttribute = 60): Report {
  const r = publishingSampleReport();
  const template = r.fairness[0]!;
  const templateGroup = template.groups[0]!;
  r.fairness = [];
  for (let a = 0; a < attributes; a++) {
    const name = `region_${String(a).padStart(2, '0')}_of_residence_reported_by_applicant`;
    const groups = Array.from({ length: groupsPerAttribute }, (_, g) => ({
      ...templateGroup,
      key: `District ${g} — a rather long administrative area name ${'x'.repeat(20)}`,
      group: { [name]: `District ${g}` },
      count: 200 + g,
      metrics: { ...templateGroup.metrics, selection_rate: 0.05 + (g % 10) / 50 },
    }));
    r.fairness.push({ ...template, name, attributes: [name], groups, insufficientGroups: [] });
    for (const metric of ['demographic_parity_ratio', 'equalized_odds_difference', 'equal_opportunity_ratio']) {
      const failing = (a + metric.length) % 3 === 0;
      r.checks.push({
        id: `fairness/${metric}/${name}`,
        ruleId: `fairness/${metric}`,
        section: 'fairness',
        metric,
        title: `${metric.replace(/_/g, ' ')} (${name})`,
        scope: name,
        value: failing ? 0.42 : 0.93,
        threshold: { kind: 'min', value: 0.8 },
        status: failing ? 'fail' : 'pass',
        outcome: failing ? 'fail' : 'pass',
        margin: failing ? -0.38 : 0.13,
        message: failing ? 'breaches min 0.8 by 0.38' : 'required ≥ 0.8',
        location: { file: '.github/model-policy.yml', line: 100 + a, column: 7 },
      });
    }
  }
  r.summary.checks = r.checks.length;
  r.summary.failed = r.checks.filter((c) => c.outcome === 'fail').length;
  r.summary.passed = r.checks.filter((c) => c.outcome === 'pass').length;
  r.verdict = 'fail';
  return r;
}
