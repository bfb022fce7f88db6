/**
 * Hand-built Reports for the renderer tests (no gate code involved): a real model on real data — the Adult test
 * split scored by logreg_pipeline_nozipmap.onnx, with the metric values of its reference file (see
 * sample-measurements.json) — and the checks a policy like SAMPLE_POLICY_YAML would produce.
 *
 * - sampleFailingReport(): 11 checks; 2 performance (ROC AUC passes, accuracy fails), fairness across sex, race,
 *   age_bin and sex_x_age_bin with passes, failures, two warnings (severity: warning) and one insufficient check;
 *   race holds one insufficient group with a hostile name (12 rows < 30).
 * - samplePassingReport(): the same measurements under a looser policy: every check passes (the insufficient one is
 *   allowed by on_insufficient: pass).
 * - hostileReport(): the failing report with every data-derived name replaced by hostile text (HTML, markdown
 *   table breakers, @mentions, workflow commands, newlines, ANSI escapes, bidi overrides).
 */
import { readFileSync } from 'node:fs';
import type { AttributeResult, GroupResult, PerformanceResult } from '../../src/metrics/types.js';
import type { CheckResult, Report } from '../../src/report/types.js';

interface Measurements {
  performance: PerformanceResult;
  fairness: AttributeResult[];
}

const measurements = JSON.parse(
  readFileSync(new URL('./sample-measurements.json', import.meta.url), 'utf8'),
) as Measurements;

export const POLICY_FILE = '.github/model-policy.yml';

export const SAMPLE_POLICY_YAML = `version: 1
seed: 20240601
model:
  path: models/credit.onnx
  threshold: 0.5
dataset:
  path: data/adult-test.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
min_group_size: 30
checks:
  performance:
    roc_auc: { min: 0.85 }
    accuracy: { min: 0.86 }
  fairness:
    demographic_parity_difference: { max: 0.2 }
    equalized_odds_difference: { max: 0.3, severity: warning }
    roc_auc_difference: { max: 0.1, attributes: [sex_x_age_bin] }
`;

/** Line and column (1-based) of the value of `kind` in the flow mapping of `metric` in SAMPLE_POLICY_YAML. */
export function locateThreshold(metric: string, kind: 'min' | 'max'): { file: string; line: number; column: number } {
  const lines = SAMPLE_POLICY_YAML.split('\n');
  const index = lines.findIndex((l) => l.trimStart().startsWith(`${metric}:`));
  if (index < 0) throw new Error(`no ${metric} in the sample policy`);
  const at = lines[index].indexOf(`${kind}: `);
  if (at < 0) throw new Error(`no ${kind} for ${metric}`);
  return { file: POLICY_FILE, line: index + 1, column: at + kind.length + 3 };
}

const HOSTILE_GROUP = '<img src=x onerror=alert(1)>';

/** The insufficient group added to race: 12 rows, excluded from the aggregates. */
function smallHostileGroup(): GroupResult {
  return {
    key: HOSTILE_GROUP,
    group: { race: HOSTILE_GROUP },
    count: 12,
    sufficient: false,
    insufficientReason: '12 rows < min_group_size 30',
    confusion: { tn: 9, fp: 1, fn: 1, tp: 1 },
    metrics: {
      count: 12,
      base_rate: 2 / 12,
      selection_rate: 2 / 12,
      accuracy: 10 / 12,
      balanced_accuracy: (0.5 + 0.9) / 2,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      true_positive_rate: 0.5,
      false_positive_rate: 0.1,
      true_negative_rate: 0.9,
      false_negative_rate: 0.5,
      mean_score: 0.21,
      roc_auc: 0.85,
      average_precision: 0.5833333333333333,
      brier: 0.1123,
    },
  };
}

function fairnessResults(): AttributeResult[] {
  const fairness = structuredClone(measurements.fairness);
  const race = fairness.find((a) => a.name === 'race');
  if (!race) throw new Error('sample measurements lack race');
  race.groups.push(smallHostileGroup());
  race.insufficientGroups = [HOSTILE_GROUP];
  return fairness;
}

function fairlearnValue(attribute: string, key: 'demographic_parity_difference' | 'equalized_odds_difference'): number {
  const a = measurements.fairness.find((x) => x.name === attribute);
  const v = a?.fairlearn[key];
  if (typeof v !== 'number') throw new Error(`no ${key} for ${attribute}`);
  return v;
}

function aggregateValue(attribute: string, metric: 'roc_auc'): number {
  const a = measurements.fairness.find((x) => x.name === attribute);
  const v = a?.aggregates.difference_between_groups[metric];
  if (typeof v !== 'number') throw new Error(`no ${metric} difference for ${attribute}`);
  return v;
}

function fmt(v: number): string {
  return Number(v.toFixed(4)).toString();
}

interface CheckSpec {
  section: 'performance' | 'fairness';
  metric: string;
  scope?: string;
  title: string;
  value: number | null;
  kind: 'min' | 'max';
  limit: number;
  severity?: 'error' | 'warning';
  insufficientReason?: string;
  onInsufficient?: 'fail' | 'warn' | 'pass';
  interval?: CheckResult['interval'];
  details?: Record<string, unknown>;
  evidence?: CheckResult['evidence'];
}

/** The same rule as src/checks/result.ts, written out by hand so the sample does not depend on gate code. */
function check(spec: CheckSpec): CheckResult {
  const ruleId = `${spec.section}/${spec.metric}`;
  const id = spec.scope === undefined ? ruleId : `${ruleId}/${spec.scope}`;
  const margin = spec.value === null ? null : spec.kind === 'min' ? spec.value - spec.limit : spec.limit - spec.value;
  const op = spec.kind === 'min' ? '≥' : '≤';
  let status: CheckResult['status'];
  if (spec.insufficientReason !== undefined) status = 'insufficient';
  else status = (margin as number) >= 0 ? 'pass' : 'fail';
  let outcome: CheckResult['outcome'];
  if (status === 'pass') outcome = 'pass';
  else if (status === 'fail') outcome = spec.severity === 'warning' ? 'warn' : 'fail';
  else outcome = spec.onInsufficient ?? 'warn';
  let message: string;
  if (status === 'insufficient') {
    message = `${spec.title}: insufficient evidence (${spec.insufficientReason}); required ${op} ${fmt(spec.limit)}`;
  } else if (status === 'pass') {
    message = `${spec.title} = ${fmt(spec.value as number)}, required ${op} ${fmt(spec.limit)}`;
  } else {
    message = `${spec.title} = ${fmt(spec.value as number)} breaches ${spec.kind} ${fmt(spec.limit)} by ${fmt(Math.abs(margin as number))}`;
  }
  const result: CheckResult = {
    id,
    ruleId,
    section: spec.section,
    metric: spec.metric,
    title: spec.title,
    value: spec.value,
    threshold: { kind: spec.kind, value: spec.limit },
    status,
    outcome,
    margin,
    message,
    location: locateThreshold(spec.metric, spec.kind),
  };
  if (spec.scope !== undefined) result.scope = spec.scope;
  if (spec.interval) result.interval = spec.interval;
  if (spec.details) result.details = spec.details;
  if (spec.evidence) result.evidence = spec.evidence;
  return result;
}

interface Limits {
  accuracyMin: number;
  dpdMax: number;
  eodMax: number;
  aucDiffOnInsufficient: 'fail' | 'warn' | 'pass';
}

const ATTRIBUTES = ['sex', 'race', 'age_bin', 'sex_x_age_bin'];

function checks(limits: Limits): CheckResult[] {
  const perf = measurements.performance.metrics;
  const out: CheckResult[] = [
    check({
      section: 'performance',
      metric: 'roc_auc',
      title: 'ROC AUC',
      value: perf.roc_auc ?? null,
      kind: 'min',
      limit: 0.85,
      interval: { low: 0.8993, high: 0.9112, level: 0.95, method: 'bootstrap-percentile' },
    }),
    check({
      section: 'performance',
      metric: 'accuracy',
      title: 'Accuracy',
      value: perf.accuracy ?? null,
      kind: 'min',
      limit: limits.accuracyMin,
      interval: { low: 0.847558950545799, high: 0.8584350272937975, level: 0.95, method: 'wilson' },
      evidence: { rule: 'point', basis: 'point', inconclusiveWidth: 0.05, onInsufficient: 'warn', severity: 'error' },
    }),
  ];
  for (const attribute of ATTRIBUTES) {
    out.push(
      check({
        section: 'fairness',
        metric: 'demographic_parity_difference',
        scope: attribute,
        title: `Demographic parity difference (${attribute})`,
        value: fairlearnValue(attribute, 'demographic_parity_difference'),
        kind: 'max',
        limit: limits.dpdMax,
      }),
    );
  }
  for (const attribute of ATTRIBUTES) {
    out.push(
      check({
        section: 'fairness',
        metric: 'equalized_odds_difference',
        scope: attribute,
        title: `Equalized odds difference (${attribute})`,
        value: fairlearnValue(attribute, 'equalized_odds_difference'),
        kind: 'max',
        limit: limits.eodMax,
        severity: 'warning',
      }),
    );
  }
  out.push(
    check({
      section: 'fairness',
      metric: 'roc_auc_difference',
      scope: 'sex_x_age_bin',
      title: 'ROC AUC, difference between groups (sex_x_age_bin)',
      value: aggregateValue('sex_x_age_bin', 'roc_auc'),
      kind: 'max',
      limit: 0.1,
      insufficientReason: 'group Female|<25 has 9 actual positives, fewer than 30',
      onInsufficient: limits.aucDiffOnInsufficient,
      details: { worstGroups: ['Female|<25', 'Male|<25'] },
    }),
  );
  return out;
}

/** As src/gate.ts counts: failed/warned by outcome (insufficient evidence included), insufficient by status. */
function summarize(list: CheckResult[]): Report['summary'] {
  return {
    checks: list.length,
    passed: list.filter((c) => c.status === 'pass').length,
    failed: list.filter((c) => c.outcome === 'fail').length,
    warned: list.filter((c) => c.outcome === 'warn').length,
    insufficient: list.filter((c) => c.status === 'insufficient').length,
  };
}

function build(limits: Limits): Report {
  const list = checks(limits);
  return {
    schemaVersion: 1,
    tool: { name: 'model-risk-gate', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    verdict: list.some((c) => c.outcome === 'fail') ? 'fail' : 'pass',
    summary: summarize(list),
    seed: 20240601,
    policy: {
      path: POLICY_FILE,
      sha256: '3b8f6a2c9d0e4f1a7b5c6d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345',
      bytes: SAMPLE_POLICY_YAML.length,
      name: 'credit model',
    },
    model: {
      path: 'models/credit.onnx',
      sha256: 'da4eb2e33c0483275fe142253673fde7dd2c4061d8b37be06ed8e093ed61258c',
      bytes: 4502,
      info: {
        producer: 'skl2onnx 1.14.1',
        inputs: [
          ...['workclass', 'education', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'native_country'].map(
            (name) => ({ name, type: 'string', shape: ['N', 1] as Array<number | string | null> }),
          ),
          ...['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'].map((name) => ({
            name,
            type: 'float32',
            shape: ['N', 1] as Array<number | string | null>,
          })),
        ],
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
      sha256: 'eb6e9f02496bed4137b1a069b8af64b90eb534ba46143948667034dddef9abd9',
      bytes: 1759072,
      rows: 16281,
      columns: 15,
      label: 'income',
      positiveLabel: '>50K',
      positives: 3846,
    },
    threshold: 0.5,
    minGroupSize: 30,
    checks: list,
    performance: structuredClone(measurements.performance),
    fairness: fairnessResults(),
    notes: [
      `race: group '${HOSTILE_GROUP}' has 12 rows (< min_group_size 30); it is shown but left out of the aggregates.`,
      'sex_x_age_bin: ROC AUC difference is not gated: group Female|<25 has 9 actual positives.',
    ],
    timings: { policy: 3, data: 182, model: 41, score: 118, performance: 36, fairness: 64, total: 452 },
  };
}

export function sampleFailingReport(): Report {
  return build({ accuracyMin: 0.86, dpdMax: 0.2, eodMax: 0.3, aucDiffOnInsufficient: 'warn' });
}

export function samplePassingReport(): Report {
  return build({ accuracyMin: 0.85, dpdMax: 0.4, eodMax: 0.35, aucDiffOnInsufficient: 'pass' });
}

/** Hostile texts that must come out inert in every renderer. */
export const HOSTILE = {
  html: '<img src=x onerror=alert(1)>',
  table: '| a | b |',
  mention: '@everyone @org/team',
  command: '::error file=x,line=1::pwned',
  newline: 'line1\nline2\r\n## heading',
  markdown: '[click](javascript:alert(1)) **bold** `code` #1 https://evil.example',
  ansi: '\u001b[31mred\u001b[0m\u001b]8;;http://x\u0007link',
  bidi: 'abc\u202edcba',
} as const;

/** The failing report with every name that comes from data or the policy replaced by hostile text. */
export function hostileReport(): Report {
  const report = sampleFailingReport();
  const rename: Record<string, string> = {
    'Amer-Indian-Eskimo': HOSTILE.table,
    'Asian-Pac-Islander': HOSTILE.mention,
    Black: HOSTILE.command,
    Other: HOSTILE.newline,
    White: HOSTILE.markdown,
  };
  const race = report.fairness.find((a) => a.name === 'race');
  if (!race) throw new Error('no race');
  const attribute = `race ${HOSTILE.mention}`;
  race.name = attribute;
  for (const g of race.groups) {
    const name = rename[g.key] ?? g.key;
    g.key = name;
    g.group = { [attribute]: name };
  }
  race.attributes = [attribute];
  race.insufficientGroups = [HOSTILE.html];
  for (const c of report.checks) {
    if (c.scope === 'race') {
      c.scope = attribute;
      c.id = `${c.ruleId}/${attribute}`;
      c.title = c.title.replace('(race)', `(${attribute})`);
      c.message = c.message.replace('(race)', `(${attribute})`);
      c.details = { worstGroup: HOSTILE.command };
    }
  }
  const policyFile = '.github/policy, v2: final.yml';
  for (const c of report.checks) c.location = { ...c.location, file: policyFile };
  report.policy.path = policyFile;
  report.model.path = `models/${HOSTILE.markdown}.onnx`;
  report.dataset.label = HOSTILE.ansi;
  report.dataset.positiveLabel = HOSTILE.bidi;
  report.notes.push(HOSTILE.html, HOSTILE.newline, HOSTILE.command, HOSTILE.ansi);
  return report;
}
