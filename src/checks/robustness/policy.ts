/**
 * The `checks.robustness` section of the policy: typed settings, their defaults, and the checks ajv cannot make
 * (sorted budgets, gate budgets that name a run norm, bounds in order). Names that need the model (features,
 * one-hot groups) are checked in space.ts, where the model's features are known.
 *
 * Gates are Threshold objects ({ min | max, severity, on_insufficient }) placed under the attack they measure, with
 * an optional selector (which norm / ε / strength / attribute / grouping); the annotation lands on their line.
 */
import type { PolicyDocument, PolicyPointer, Threshold } from '../../policy/types.js';
import { UserError } from '../../util/errors.js';
import { rangeMessage, type MetricRange } from '../../policy/validate.js';
import type { AttackNorm } from './types.js';

export type Direction = 'any' | 'increase' | 'decrease';

export interface FeatureConstraintSpec {
  immutable?: boolean;
  min?: number;
  max?: number;
  integer?: boolean;
  direction?: Direction;
}

/** A gate on one attack at one budget. */
export interface BudgetGate extends Threshold {
  /** Score/decision attack: which norm (default: every norm that runs). */
  norm?: AttackNorm;
  /** Score/decision attack: the ε to gate (default: the largest ε of that norm). */
  epsilon?: number;
  /** Noise: the strength to gate (default: the largest). */
  strength?: number;
}

export interface DisparityGate extends BudgetGate {
  /** Groupings (sensitive attributes and intersections, by name) to gate; default all. */
  groupings?: string[];
}

export interface AttackGates {
  success_rate?: BudgetGate;
  accuracy_under_attack?: BudgetGate;
  accuracy_drop?: BudgetGate;
  median_perturbation?: BudgetGate;
  ks?: BudgetGate;
  success_rate_disparity?: DisparityGate;
}

export interface NoiseSettings {
  enabled: boolean;
  /** Noise standard deviations, in units (std: multiples of each feature's std). */
  strengths: number[];
  /** Noisy copies per row and strength. */
  repeats: number;
  max_queries: number;
  accuracy_drop?: BudgetGate;
  accuracy_under_attack?: BudgetGate;
  flip_rate?: BudgetGate;
  ks?: BudgetGate;
  flip_rate_disparity?: DisparityGate;
}

export type GradientEstimator = 'auto' | 'finite_differences' | 'nes' | 'spsa';

export interface ScoreAttackSettings extends AttackGates {
  enabled: boolean;
  /** Budgets per norm; a norm with an empty list (or missing) does not run. */
  epsilons: Partial<Record<AttackNorm, number[]>>;
  steps: number;
  /**
   * Gradient estimate: coordinate finite differences (2 queries per mutable feature), SPSA (Rademacher) or NES (Gaussian)
   * probes (2·samples queries); 'auto' = finite differences when there are at most `samples` mutable features, else SPSA.
   */
  gradient: GradientEstimator;
  samples: number;
  /** Probe radius of the gradient estimate, as a fraction of ε. */
  smoothing: number;
  /** Step size as a fraction of ε (default 2.5 / steps). */
  step_size?: number;
  /** Bisection steps that shrink each found example towards its original row. */
  refine_steps: number;
  max_queries: number;
}

export interface DecisionAttackSettings extends AttackGates {
  enabled: boolean;
  norm: AttackNorm;
  /** Budgets at which success rates are reported (default: the score attack's ε of the same norm). */
  epsilons: number[];
  iterations: number;
  /** Gradient-direction samples of the first iteration (grows as sqrt(iteration)), and the cap. */
  gradient_samples: number;
  max_gradient_samples: number;
  /** Opposite-decision rows of the data tried as starting points, per row. */
  init_candidates: number;
  /** Relative precision of the boundary searches. */
  tolerance: number;
  max_queries: number;
}

export interface CategoricalAttackSettings extends AttackGates {
  enabled: boolean;
  /** Most categorical features changed per row. */
  max_changes: number;
  /**
   * Search: every combination of up to 2 changes when they fit the query budget (exact), then a beam of this many
   * best states per row for each further change (or from the first change on, when the pairs do not fit).
   */
  beam_width: number;
  max_queries: number;
}

/** Relations between features (issue #14): every candidate of every attack and counterfactual is projected onto them. */
export interface RelationSettings {
  /** Learn one-to-one pairs (a categorical feature and a discrete numeric one) and seen categorical pairs from the data. */
  learn: boolean;
  /** A combination of categorical values is allowed when it occurs at least this many times in the data. */
  min_count: number;
  /** Pairs of features where each value of one determines the other (the mapping is read from the data). */
  functional: string[][];
  /** Groups of categorical features whose combined values must have been seen in the data. */
  combinations: string[][];
  /** [a, b]: a <= b must hold (when the original row satisfies it). */
  less_equal: string[][];
  /** total = sum of parts must hold (when the original row satisfies it). */
  sums: Array<{ parts: string[]; total: string }>;
}

/** Gates on the worst case per row over the attacks of a norm (a row is flipped when any attack flips it). */
export interface WorstCaseSettings {
  success_rate?: BudgetGate;
  robust_accuracy?: BudgetGate;
}

export interface CounterfactualGate extends Threshold {
  /** Sensitive attributes (by name) to gate; default all. */
  attributes?: string[];
}

export interface CounterfactualSettings {
  enabled: boolean;
  /** Sensitive attributes to test (default: every sensitive attribute of the policy). */
  attributes: string[] | null;
  /** Rows to test: 'all' or a number (stratified by label). */
  rows: number | 'all';
  max_queries: number;
  flip_rate?: CounterfactualGate;
  mean_abs_score_change?: CounterfactualGate;
}

export interface RobustnessSettings {
  /** Rows to attack: a sample stratified by label. */
  rows: number;
  units: 'std' | 'raw';
  bounds: 'data' | 'none';
  /** 'data': integer-valued features stay integers. */
  integers: 'data' | 'none';
  /** 'groups': one-hot indicator groups move as one categorical feature; 'none': indicators are plain numbers. */
  one_hot: 'groups' | 'none';
  /** Sensitive attributes (policy.sensitive) are immutable unless this is false. */
  sensitive_immutable: boolean;
  immutable: string[];
  /** When set, only these features may change. */
  mutable: string[] | null;
  features: Record<string, FeatureConstraintSpec>;
  /** Extra one-hot groups of a feature matrix: name -> prefix ('workclass=') or list of feature names. */
  one_hot_groups: Record<string, string | string[]>;
  /** Cap on model rows scored by the whole battery. */
  max_queries: number;
  noise: NoiseSettings;
  score_attack: ScoreAttackSettings;
  decision_attack: DecisionAttackSettings;
  categorical_attack: CategoricalAttackSettings;
  counterfactual: CounterfactualSettings;
  relations: RelationSettings;
  worst_case: WorstCaseSettings;
  /** Certified lower bounds (linear models: exact; tree ensembles: interval bounds) when the model allows. */
  certify: boolean;
}

export const ROBUSTNESS_POINTER: PolicyPointer = ['checks', 'robustness'];

export const DEFAULT_EPSILONS: Record<'std' | 'raw', Record<AttackNorm, number[]>> = {
  std: { linf: [0.05, 0.1, 0.25], l2: [0.1, 0.25, 0.5] },
  raw: { linf: [0.05, 0.1, 0.25], l2: [0.1, 0.25, 0.5] },
};

export const ROBUSTNESS_DEFAULTS: RobustnessSettings = {
  rows: 500,
  units: 'std',
  bounds: 'data',
  integers: 'data',
  one_hot: 'groups',
  sensitive_immutable: true,
  immutable: [],
  mutable: null,
  features: {},
  one_hot_groups: {},
  max_queries: 20_000_000,
  noise: { enabled: true, strengths: [0.05, 0.1, 0.25], repeats: 4, max_queries: 1_000_000 },
  score_attack: {
    enabled: true,
    epsilons: DEFAULT_EPSILONS.std,
    steps: 20,
    gradient: 'auto',
    samples: 10,
    smoothing: 0.25,
    refine_steps: 10,
    max_queries: 5_000_000,
  },
  decision_attack: {
    enabled: true,
    norm: 'l2',
    epsilons: DEFAULT_EPSILONS.std.l2,
    iterations: 20,
    gradient_samples: 20,
    max_gradient_samples: 100,
    init_candidates: 10,
    tolerance: 1e-3,
    max_queries: 5_000_000,
  },
  categorical_attack: { enabled: true, max_changes: 2, beam_width: 10, max_queries: 2_000_000 },
  counterfactual: { enabled: true, attributes: null, rows: 'all', max_queries: 1_000_000 },
  relations: { learn: true, min_count: 1, functional: [], combinations: [], less_equal: [], sums: [] },
  worst_case: {},
  certify: true,
};

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(
    private readonly doc: PolicyDocument,
    readonly raw: Raw,
    readonly pointer: PolicyPointer,
  ) {}

  fail(key: string | number | null, message: string, ...deeper: Array<string | number>): never {
    const ptr = key === null ? this.pointer : [...this.pointer, key, ...deeper];
    throw new UserError(`checks.robustness: ${message}`, this.doc.locate(ptr));
  }

  child(key: string): Reader {
    const v = this.raw[key];
    if (v === undefined || v === null) return new Reader(this.doc, {}, [...this.pointer, key]);
    if (!isObject(v)) this.fail(key, `\`${key}\` must be a mapping`);
    return new Reader(this.doc, v, [...this.pointer, key]);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.fail(key, `\`${key}\` must be true or false`);
    return v;
  }

  num(key: string, dflt: number, opts: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `\`${key}\` must be a number`);
    if (opts.integer && !Number.isInteger(v)) this.fail(key, `\`${key}\` must be a whole number`);
    if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) {
      this.fail(key, `\`${key}\` must be ${opts.exclusiveMin ? '>' : '>='} ${opts.min} (got ${v})`);
    }
    if (opts.max !== undefined && v > opts.max) this.fail(key, `\`${key}\` must be <= ${opts.max} (got ${v})`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], dflt: T): T {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(key, `\`${key}\` must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
    return v as T;
  }

  strings(key: string, dflt: string[]): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) this.fail(key, `\`${key}\` must be a list of names`);
    return [...(v as string[])];
  }

  /** A strictly positive, strictly increasing list of numbers (sorted for the user when given out of order). */
  budgets(key: string, dflt: number[]): number[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [...dflt];
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x <= 0)) {
      this.fail(key, `\`${key}\` must be a positive number or a list of positive numbers`);
    }
    const sorted = [...new Set(list as number[])].sort((a, b) => a - b);
    if (sorted.length > 20) this.fail(key, `\`${key}\` lists ${sorted.length} budgets; at most 20 are allowed`);
    return sorted;
  }
}

/**
 * The values a robustness gate's measure can take: shares of rows (success rates, flip rates, accuracies, KS,
 * disparities of rates, mean score changes of probabilities) are in [0, 1]; an accuracy drop in [-1, 1]; a median
 * perturbation is in the attack's units, [0, ∞). A limit outside the range never breaches or never passes.
 */
const GATE_RANGE: Record<string, MetricRange> = {
  accuracy_drop: { low: -1, high: 1 },
  median_perturbation: { low: 0, high: Number.POSITIVE_INFINITY },
};
const UNIT_RANGE: MetricRange = { low: 0, high: 1 };

function readThreshold(r: Reader, key: string, extra: readonly string[]): Threshold | undefined {
  if (!r.has(key)) return undefined;
  const t = r.child(key);
  const out: Record<string, unknown> = {};
  if (t.has('min')) out.min = t.num('min', 0);
  if (t.has('max')) out.max = t.num('max', 0);
  if (out.min === undefined && out.max === undefined) t.fail(null, `the gate \`${key}\` needs \`min\` or \`max\``);
  const range = GATE_RANGE[key] ?? UNIT_RANGE;
  for (const kind of ['min', 'max'] as const) {
    const v = out[kind] as number | undefined;
    if (v !== undefined && (v < range.low || v > range.high)) t.fail(kind, rangeMessage(key, kind, v, range));
  }
  if (typeof out.min === 'number' && typeof out.max === 'number' && out.min > out.max) {
    t.fail('min', `\`min\` (${out.min}) is greater than \`max\` (${out.max}); no value can pass — swap or fix them`);
  }
  if (t.has('rule')) out.rule = t.oneOf('rule', ['point', 'interval'] as const, 'point');
  if (t.has('on_insufficient')) out.on_insufficient = t.oneOf('on_insufficient', ['fail', 'warn', 'pass'] as const, 'warn');
  if (t.has('severity')) out.severity = t.oneOf('severity', ['error', 'warning'] as const, 'error');
  for (const k of Object.keys(t.raw)) {
    if (['min', 'max', 'rule', 'on_insufficient', 'severity'].includes(k)) continue;
    if (!extra.includes(k)) t.fail(k, `unknown key \`${k}\` in the gate \`${key}\`; allowed: min, max, severity, on_insufficient${extra.length ? `, ${extra.join(', ')}` : ''}`);
    if (k === 'norm') out.norm = t.oneOf('norm', ['linf', 'l2'] as const, 'linf');
    else if (k === 'epsilon' || k === 'strength') out[k] = t.num(k, 0, { min: 0, exclusiveMin: true });
    else out[k] = t.strings(k, []);
  }
  return out as Threshold;
}

const BUDGET_GATES = ['success_rate', 'accuracy_under_attack', 'accuracy_drop', 'median_perturbation', 'ks'] as const;

function readAttackGates(r: Reader, selectors: readonly string[]): AttackGates {
  const gates: AttackGates = {};
  for (const g of BUDGET_GATES) {
    const t = readThreshold(r, g, selectors);
    if (t) gates[g] = t as BudgetGate;
  }
  const d = readThreshold(r, 'success_rate_disparity', [...selectors, 'groupings']);
  if (d) gates.success_rate_disparity = d as DisparityGate;
  return gates;
}

/** Gate budgets must be budgets that run: an ε not in the list is added to it (it costs one more budget). */
function addGateBudgets(list: number[], gates: Array<BudgetGate | undefined>, key: 'epsilon' | 'strength', norm?: AttackNorm): number[] {
  const out = new Set(list);
  for (const g of gates) {
    const v = g?.[key];
    if (v === undefined) continue;
    if (norm !== undefined && g?.norm !== undefined && g.norm !== norm) continue;
    out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function gatesOf(a: AttackGates): Array<BudgetGate | undefined> {
  return [a.success_rate, a.accuracy_under_attack, a.accuracy_drop, a.median_perturbation, a.ks, a.success_rate_disparity];
}

const NORMS: readonly AttackNorm[] = ['linf', 'l2'];

/**
 * The robustness settings of a policy, defaults filled in. Throws UserError (at the offending policy line) for values
 * ajv lets through but that cannot work. Returns null when the policy has no `checks.robustness` section.
 */
export function robustnessSettings(doc: PolicyDocument): RobustnessSettings | null {
  const raw = doc.policy.checks.robustness;
  if (raw === undefined) return null;
  if (!isObject(raw)) throw new UserError('checks.robustness must be a mapping', doc.locate(ROBUSTNESS_POINTER));
  const r = new Reader(doc, raw, ROBUSTNESS_POINTER);
  const D = ROBUSTNESS_DEFAULTS;
  const units = r.oneOf('units', ['std', 'raw'] as const, D.units);

  const features: Record<string, FeatureConstraintSpec> = {};
  const fr = r.child('features');
  for (const name of Object.keys(fr.raw)) {
    const f = fr.child(name);
    const spec: FeatureConstraintSpec = {};
    if (f.has('immutable')) spec.immutable = f.bool('immutable', false);
    if (f.has('min')) spec.min = f.num('min', 0);
    if (f.has('max')) spec.max = f.num('max', 0);
    if (f.has('integer')) spec.integer = f.bool('integer', false);
    if (f.has('direction')) spec.direction = f.oneOf('direction', ['any', 'increase', 'decrease'] as const, 'any');
    for (const k of Object.keys(f.raw)) {
      if (!['immutable', 'min', 'max', 'integer', 'direction'].includes(k)) {
        f.fail(k, `unknown key \`${k}\` for feature \`${name}\`; allowed: immutable, min, max, integer, direction`);
      }
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      f.fail('min', `feature \`${name}\`: min ${spec.min} is above max ${spec.max}`);
    }
    features[name] = spec;
  }

  const oneHotGroups: Record<string, string | string[]> = {};
  const gr = r.child('one_hot_groups');
  for (const name of Object.keys(gr.raw)) {
    const v = gr.raw[name];
    if (typeof v === 'string' && v.length > 0) oneHotGroups[name] = v;
    else if (Array.isArray(v) && v.length >= 2 && v.every((s) => typeof s === 'string')) oneHotGroups[name] = [...(v as string[])];
    else gr.fail(name, `one-hot group \`${name}\` must be a prefix (e.g. 'workclass=') or a list of at least two feature names`);
  }

  // noise
  const nr = r.child('noise');
  const noiseGateKeys = ['accuracy_drop', 'accuracy_under_attack', 'flip_rate', 'ks'] as const;
  const noise: NoiseSettings = {
    enabled: nr.bool('enabled', D.noise.enabled),
    strengths: nr.budgets('strengths', D.noise.strengths),
    repeats: nr.num('repeats', D.noise.repeats, { min: 1, max: 100, integer: true }),
    max_queries: nr.num('max_queries', D.noise.max_queries, { min: 1, integer: true }),
  };
  for (const g of noiseGateKeys) {
    const t = readThreshold(nr, g, ['strength']);
    if (t) noise[g] = t as BudgetGate;
  }
  const nd = readThreshold(nr, 'flip_rate_disparity', ['strength', 'groupings']);
  if (nd) noise.flip_rate_disparity = nd as DisparityGate;
  noise.strengths = addGateBudgets(
    noise.strengths,
    [noise.accuracy_drop, noise.accuracy_under_attack, noise.flip_rate, noise.ks, noise.flip_rate_disparity],
    'strength',
  );

  // score attack
  const sr = r.child('score_attack');
  const epsR = sr.child('epsilons');
  const epsilons: Partial<Record<AttackNorm, number[]>> = {};
  const defaultEps = DEFAULT_EPSILONS[units];
  const explicitNorms = Object.keys(epsR.raw);
  for (const k of explicitNorms) if (!NORMS.includes(k as AttackNorm)) epsR.fail(k, `unknown norm \`${k}\`; use linf or l2`);
  for (const norm of NORMS) {
    if (explicitNorms.length > 0 && !explicitNorms.includes(norm)) continue;
    const list = epsR.raw[norm] === null ? [] : epsR.budgets(norm, defaultEps[norm]);
    if (list.length > 0) epsilons[norm] = list;
  }
  const scoreGates = readAttackGates(sr, ['norm', 'epsilon']);
  for (const norm of NORMS) {
    if (epsilons[norm]) epsilons[norm] = addGateBudgets(epsilons[norm] as number[], gatesOf(scoreGates), 'epsilon', norm);
  }
  for (const [key, g] of Object.entries(scoreGates) as Array<[string, BudgetGate]>) {
    if (g.norm !== undefined && !epsilons[g.norm]) sr.child(key).fail('norm', `the gate names norm ${g.norm}, which the score attack does not run (no epsilons.${g.norm})`);
  }
  const steps = sr.num('steps', D.score_attack.steps, { min: 1, max: 1000, integer: true });
  const score: ScoreAttackSettings = {
    enabled: sr.bool('enabled', D.score_attack.enabled),
    epsilons,
    steps,
    gradient: sr.oneOf('gradient', ['auto', 'finite_differences', 'nes', 'spsa'] as const, D.score_attack.gradient),
    samples: sr.num('samples', D.score_attack.samples, { min: 1, max: 1000, integer: true }),
    smoothing: sr.num('smoothing', D.score_attack.smoothing, { min: 0, max: 10, exclusiveMin: true }),
    refine_steps: sr.num('refine_steps', D.score_attack.refine_steps, { min: 0, max: 60, integer: true }),
    max_queries: sr.num('max_queries', D.score_attack.max_queries, { min: 1, integer: true }),
    ...scoreGates,
  };
  if (sr.has('step_size')) score.step_size = sr.num('step_size', 0, { min: 0, max: 10, exclusiveMin: true });

  // decision attack
  const dr = r.child('decision_attack');
  const dnorm = dr.oneOf('norm', NORMS, D.decision_attack.norm);
  const decisionGates = readAttackGates(dr, ['epsilon']);
  const decision: DecisionAttackSettings = {
    enabled: dr.bool('enabled', D.decision_attack.enabled),
    norm: dnorm,
    epsilons: addGateBudgets(dr.budgets('epsilons', epsilons[dnorm] ?? defaultEps[dnorm]), gatesOf(decisionGates), 'epsilon'),
    iterations: dr.num('iterations', D.decision_attack.iterations, { min: 0, max: 1000, integer: true }),
    gradient_samples: dr.num('gradient_samples', D.decision_attack.gradient_samples, { min: 2, max: 100_000, integer: true }),
    max_gradient_samples: dr.num('max_gradient_samples', D.decision_attack.max_gradient_samples, { min: 2, max: 100_000, integer: true }),
    init_candidates: dr.num('init_candidates', D.decision_attack.init_candidates, { min: 1, max: 1000, integer: true }),
    tolerance: dr.num('tolerance', D.decision_attack.tolerance, { min: 0, max: 0.5, exclusiveMin: true }),
    max_queries: dr.num('max_queries', D.decision_attack.max_queries, { min: 1, integer: true }),
    ...decisionGates,
  };
  if (decision.max_gradient_samples < decision.gradient_samples) {
    dr.fail('max_gradient_samples', `max_gradient_samples (${decision.max_gradient_samples}) is below gradient_samples (${decision.gradient_samples})`);
  }

  // categorical attack
  const cr = r.child('categorical_attack');
  const categorical: CategoricalAttackSettings = {
    enabled: cr.bool('enabled', D.categorical_attack.enabled),
    max_changes: cr.num('max_changes', D.categorical_attack.max_changes, { min: 1, max: 50, integer: true }),
    beam_width: cr.num('beam_width', D.categorical_attack.beam_width, { min: 1, max: 1000, integer: true }),
    max_queries: cr.num('max_queries', D.categorical_attack.max_queries, { min: 1, integer: true }),
    ...readAttackGates(cr, []),
  };

  // counterfactual
  const qr = r.child('counterfactual');
  const rowsRaw = qr.raw.rows;
  let cfRows: number | 'all' = D.counterfactual.rows;
  if (rowsRaw === 'all') cfRows = 'all';
  else if (rowsRaw !== undefined && rowsRaw !== null) cfRows = qr.num('rows', 0, { min: 1, integer: true });
  const sensitiveNames = doc.policy.sensitive.map((s) => s.name);
  const attributes = qr.has('attributes') ? qr.strings('attributes', []) : null;
  if (attributes) {
    attributes.forEach((a, i) => {
      if (!sensitiveNames.includes(a)) qr.fail('attributes', `\`${a}\` is not a sensitive attribute of the policy (declared: ${sensitiveNames.join(', ') || 'none'})`, i);
    });
  }
  const counterfactual: CounterfactualSettings = {
    enabled: qr.bool('enabled', D.counterfactual.enabled),
    attributes,
    rows: cfRows,
    max_queries: qr.num('max_queries', D.counterfactual.max_queries, { min: 1, integer: true }),
  };
  const cfFlip = readThreshold(qr, 'flip_rate', ['attributes']);
  if (cfFlip) counterfactual.flip_rate = cfFlip as CounterfactualGate;
  const cfDelta = readThreshold(qr, 'mean_abs_score_change', ['attributes']);
  if (cfDelta) counterfactual.mean_abs_score_change = cfDelta as CounterfactualGate;

  // names in gate selectors must exist
  const groupingNames = [...sensitiveNames, ...doc.policy.intersections.map((parts) => parts.join('_x_'))];
  for (const [reader, key, list, known, what] of [
    [nr, 'flip_rate_disparity', noise.flip_rate_disparity?.groupings, groupingNames, 'sensitive attribute or intersection'],
    [sr, 'success_rate_disparity', score.success_rate_disparity?.groupings, groupingNames, 'sensitive attribute or intersection'],
    [dr, 'success_rate_disparity', decision.success_rate_disparity?.groupings, groupingNames, 'sensitive attribute or intersection'],
    [cr, 'success_rate_disparity', categorical.success_rate_disparity?.groupings, groupingNames, 'sensitive attribute or intersection'],
    [qr, 'flip_rate', counterfactual.flip_rate?.attributes, sensitiveNames, 'sensitive attribute'],
    [qr, 'mean_abs_score_change', counterfactual.mean_abs_score_change?.attributes, sensitiveNames, 'sensitive attribute'],
  ] as const) {
    (list ?? []).forEach((name, i) => {
      if (!known.includes(name)) {
        const field = key.endsWith('disparity') ? 'groupings' : 'attributes';
        reader.fail(key, `\`${name}\` is not a ${what} of the policy (declared: ${known.join(', ') || 'none'})`, field, i);
      }
    });
  }

  // a gate on an attack that is switched off could never be evaluated
  const gateKeys = ['success_rate', 'accuracy_under_attack', 'accuracy_drop', 'median_perturbation', 'ks', 'success_rate_disparity', 'flip_rate', 'flip_rate_disparity', 'mean_abs_score_change'];
  for (const [name, reader, enabled] of [
    ['noise', nr, noise.enabled],
    ['score_attack', sr, score.enabled],
    ['decision_attack', dr, decision.enabled],
    ['categorical_attack', cr, categorical.enabled],
    ['counterfactual', qr, counterfactual.enabled],
  ] as const) {
    if (enabled) continue;
    const g = gateKeys.find((k) => reader.has(k));
    if (g) reader.fail(g, `\`${name}\` has \`enabled: false\` but gates \`${g}\`; remove the gate or enable ${name}`);
  }

  // relations
  const rr = r.child('relations');
  const nameGroups = (key: string, min: number, max: number): string[][] => {
    const v = rr.raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) rr.fail(key, `\`${key}\` must be a list of lists of feature names`);
    return (v as unknown[]).map((g, i) => {
      if (!Array.isArray(g) || g.length < min || g.length > max || g.some((x) => typeof x !== 'string')) {
        rr.fail(key, `each entry of \`${key}\` must list ${min === max ? min : `${min} to ${max}`} feature names`, i);
      }
      return [...(g as string[])];
    });
  };
  const sumsRaw = rr.raw['sums'];
  const sums: RelationSettings['sums'] = [];
  if (sumsRaw !== undefined && sumsRaw !== null) {
    if (!Array.isArray(sumsRaw)) rr.fail('sums', '`sums` must be a list of { parts: [names], total: name }');
    (sumsRaw as unknown[]).forEach((e, i) => {
      const o = e as Raw;
      if (!isObject(e) || !Array.isArray(o.parts) || o.parts.length < 2 || o.parts.some((x) => typeof x !== 'string') || typeof o.total !== 'string') {
        rr.fail('sums', 'each entry of `sums` must be { parts: [at least two feature names], total: feature name }', i);
      }
      sums.push({ parts: [...(o.parts as string[])], total: o.total as string });
    });
  }
  for (const k of Object.keys(rr.raw)) {
    if (!['learn', 'min_count', 'functional', 'combinations', 'less_equal', 'sums'].includes(k)) {
      rr.fail(k, `unknown key \`${k}\` in relations; allowed: learn, min_count, functional, combinations, less_equal, sums`);
    }
  }
  const relations: RelationSettings = {
    learn: rr.bool('learn', D.relations.learn),
    min_count: rr.num('min_count', D.relations.min_count, { min: 1, integer: true }),
    functional: nameGroups('functional', 2, 2),
    combinations: nameGroups('combinations', 2, 8),
    less_equal: nameGroups('less_equal', 2, 2),
    sums,
  };
  const wr = r.child('worst_case');
  const worst: WorstCaseSettings = {};
  for (const g of ['success_rate', 'robust_accuracy'] as const) {
    const t = readThreshold(wr, g, ['norm', 'epsilon']);
    if (t) worst[g] = t as BudgetGate;
  }
  for (const k of Object.keys(wr.raw)) {
    if (k !== 'success_rate' && k !== 'robust_accuracy') wr.fail(k, `unknown key \`${k}\` in worst_case; allowed: success_rate, robust_accuracy`);
  }
  for (const [key, g] of Object.entries(worst) as Array<[string, BudgetGate]>) {
    const runs = (n: AttackNorm): boolean => (score.enabled && epsilons[n] !== undefined) || (decision.enabled && decision.norm === n);
    const norms = g.norm !== undefined ? [g.norm] : NORMS.filter(runs);
    if (norms.length === 0) wr.fail(key, 'the worst case needs a norm that an attack runs (score_attack epsilons or the decision attack)');
    if (g.norm !== undefined && !runs(g.norm)) {
      wr.child(key).fail('norm', `no attack runs norm ${g.norm}`);
    }
    if (g.epsilon !== undefined) {
      for (const n of norms) {
        if (epsilons[n] && !epsilons[n]!.includes(g.epsilon)) epsilons[n] = [...epsilons[n]!, g.epsilon].sort((a, b) => a - b);
        if (decision.norm === n && !decision.epsilons.includes(g.epsilon)) decision.epsilons = [...decision.epsilons, g.epsilon].sort((a, b) => a - b);
      }
    }
  }

  return {
    rows: r.num('rows', D.rows, { min: 1, max: 1_000_000, integer: true }),
    units,
    bounds: r.oneOf('bounds', ['data', 'none'] as const, D.bounds),
    integers: r.oneOf('integers', ['data', 'none'] as const, D.integers),
    one_hot: r.oneOf('one_hot', ['groups', 'none'] as const, D.one_hot),
    sensitive_immutable: r.bool('sensitive_immutable', D.sensitive_immutable),
    immutable: r.strings('immutable', D.immutable),
    mutable: r.has('mutable') ? r.strings('mutable', []) : null,
    features,
    one_hot_groups: oneHotGroups,
    max_queries: r.num('max_queries', D.max_queries, { min: 1, integer: true }),
    noise,
    score_attack: score,
    decision_attack: decision,
    categorical_attack: categorical,
    counterfactual,
    relations,
    worst_case: worst,
    certify: r.bool('certify', D.certify),
  };
}
