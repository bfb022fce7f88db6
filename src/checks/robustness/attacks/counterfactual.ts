/**
 * Counterfactual test of one sensitive attribute: the same rows with only that attribute changed to each other value
 * it takes in the data (a categorical attribute: every other category; a numeric one such as age: the median value of
 * each other group of the policy's bins), everything else as it was — even though the attribute is immutable for the
 * attacks. Reports the share of rows whose decision changes for some other value, the share of (row, value) pairs
 * that change, the mean and max |Δscore|, per group of the original value, and per transition (from → to).
 * All (row, other value) pairs are scored in one model call.
 */
import type { Dataset, Grouping } from '../../../data/types.js';
import type { SensitiveSpec } from '../../../policy/types.js';
import type { Rng } from '../../../util/rng.js';
import { decide, type Oracle } from '../oracle.js';
import { allocCandidates, setOriginal, type Candidates } from '../project.js';
import { repairCounterfactual, type CounterfactualRepair, type Relations } from '../relations.js';
import { stratifiedSample } from '../sample.js';
import { NONE_LEVEL, type AttackSpace } from '../space.js';
import type { CounterfactualGroup, CounterfactualResult, CounterfactualTransition } from '../types.js';

export interface CounterfactualOptions {
  spec: SensitiveSpec;
  dataset: Dataset;
  groupings: Grouping[];
  yTrue: Uint8Array;
  yPred: Uint8Array;
  scores: Float32Array;
  rows: number | 'all';
  rng: Rng;
  /** Relations the counterfactual rows are kept consistent with (dependents of the attribute change with it). */
  relations?: Relations;
}

export interface CounterfactualOutcome {
  result: CounterfactualResult;
  /** The counterfactual rows that were scored (for tests: only the attribute differs from the original). */
  candidates: Candidates;
  scores: Float32Array;
  /** Which features were changed on purpose (numeric feature indices / categorical feature indices). */
  changedNumeric: number[];
  changedCategorical: number[];
  /** Per tested row (for confidence intervals): dataset row, decision changed for some value, Σ|Δscore|, pairs. */
  rows: Uint32Array;
  rowFlip: Uint8Array;
  rowAbsSum: Float64Array;
  rowPairs: Uint32Array;
}

interface Value {
  key: string;
  value: string | number;
  apply: (cands: Candidates, k: number) => void;
}

interface Carrier {
  feature: string;
  method: 'category' | 'bins';
  values: Value[];
  /** Index into values of a dataset row's own value (-1: missing / not comparable). */
  valueOf: (row: number) => number;
  numeric: number[];
  categorical: number[];
}

function medianOf(list: number[]): number {
  // a typed array sorts numerically without a comparator call per comparison (no NaN here)
  const values = Float64Array.from(list).sort();
  const n = values.length;
  return n % 2 === 1 ? (values[(n - 1) / 2] as number) : ((values[n / 2 - 1] as number) + (values[n / 2] as number)) / 2;
}

function findCarrier(space: AttackSpace, opts: CounterfactualOptions): Carrier | null {
  const { spec } = opts;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const names = [spec.column, spec.name];
  const cj = space.categorical.findIndex((f) => names.includes(f.name) || (f.column !== null && names.includes(f.column)));
  if (cj >= 0) {
    const f = space.categorical[cj]!;
    return {
      feature: f.name,
      method: 'category',
      values: f.levels.map((key, v) => ({ key, value: key, apply: (c, k) => void (c.c[k * nc + cj] = v) })),
      valueOf: (row) => space.c0[row * nc + cj] as number,
      numeric: [],
      categorical: [cj],
    };
  }
  const group = names.map((n) => space.indicatorGroups[n]).find((g) => g !== undefined);
  if (group && group.length >= 2) {
    // one-hot indicators kept as numbers (one_hot: none): a value = which indicator is set
    const levelOf = (row: number): number => {
      let level = -1;
      for (let q = 0; q < group.length; q++) {
        const v = space.x0[row * nn + (group[q] as number)] as number;
        if (v === 1) {
          if (level >= 0) return -2;
          level = q;
        } else if (v !== 0) return -2;
      }
      return level < 0 ? group.length : level;
    };
    // level of every row once (-2: not one-hot), the levels seen in ascending order
    const rowLevel = new Int32Array(space.rows);
    const present = new Uint8Array(group.length + 1);
    for (let r = 0; r < space.rows; r++) {
      const l = levelOf(r);
      rowLevel[r] = l;
      if (l >= 0) present[l] = 1;
    }
    const levels: number[] = [];
    for (let l = 0; l <= group.length; l++) if (present[l]) levels.push(l);
    const indexOfLevel = new Int32Array(group.length + 1).fill(-1);
    levels.forEach((l, i) => (indexOfLevel[l] = i));
    return {
      feature: names.find((n) => space.indicatorGroups[n] !== undefined) as string,
      method: 'category',
      values: levels.map((l) => {
        const name = l === group.length ? NONE_LEVEL : space.numeric[group[l] as number]!.name;
        const key = name.includes('=') ? name.slice(name.indexOf('=') + 1) : name;
        return {
          key,
          value: key,
          apply: (c: Candidates, k: number) => {
            for (let q = 0; q < group.length; q++) c.x[k * nn + (group[q] as number)] = q === l ? 1 : 0;
          },
        };
      }),
      valueOf: (row) => {
        const l = rowLevel[row] as number;
        return l >= 0 ? (indexOfLevel[l] as number) : -1;
      },
      numeric: group,
      categorical: [],
    };
  }
  const j = space.numeric.findIndex((f) => names.includes(f.name) || (f.column !== null && names.includes(f.column)));
  if (j < 0) return null;
  const g = opts.groupings.find((x) => x.attributes.length === 1 && x.name === spec.name);
  if (!g) return null;
  const f = space.numeric[j]!;
  const byGroup: number[][] = g.keys.map(() => []);
  for (let r = 0; r < space.rows; r++) {
    const code = g.codes[r] as number;
    const v = space.x0[r * nn + j] as number;
    if (code >= 0 && v === v) (byGroup[code] as number[]).push(v);
  }
  const values: Value[] = [];
  const valueIndexOfCode = new Int32Array(g.keys.length).fill(-1);
  g.keys.forEach((key, code) => {
    const members = byGroup[code] as number[];
    if (members.length === 0) return;
    let v = medianOf(members);
    if (f.integer) v = Math.round(v);
    if (f.float32) v = Math.fround(v);
    valueIndexOfCode[code] = values.length;
    values.push({ key, value: v, apply: (c, k) => void (c.x[k * nn + j] = v) });
  });
  return {
    feature: f.name,
    method: 'bins',
    values,
    valueOf: (row) => {
      const code = g.codes[row] as number;
      return code >= 0 && code < g.keys.length ? (valueIndexOfCode[code] as number) : -1;
    },
    numeric: [j],
    categorical: [],
  };
}

/** Counterfactual pair k: row rows[i] with the attribute set to each other value v (repaired under the relations). */
function writePairs(
  space: AttackSpace,
  carrier: Carrier,
  rows: Uint32Array,
  valueOfRow: Int32Array,
  cands: Candidates,
  pairRow: Int32Array,
  pairFrom: Int32Array,
  pairTo: Int32Array,
  repair: CounterfactualRepair | null,
  relations: Relations | undefined,
): void {
  const V = carrier.values.length;
  const applies = carrier.values.map((v) => v.apply);
  const attribute = carrier.categorical[0] as number;
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    const own = valueOfRow[r] as number;
    for (let v = 0; v < V; v++) {
      if (v === own) continue;
      setOriginal(space, cands, k, r);
      applies[v]!(cands, k);
      if (repair) repairCounterfactual(space, relations!, cands, k, attribute, repair);
      pairRow[k] = i;
      pairFrom[k] = own;
      pairTo[k] = v;
      k++;
    }
  }
}

/** Per pair: flips and score changes summed per row, per original value and per transition (from -> to). */
function aggregatePairs(
  p: {
    rows: Uint32Array;
    pairRow: Int32Array;
    pairFrom: Int32Array;
    pairTo: Int32Array;
    scores: Float32Array;
    scores0: Float32Array;
    yPred: Uint8Array;
    threshold: number;
    V: number;
  },
  a: {
    rowFlip: Uint8Array;
    rowAbsSum: Float64Array;
    rowPairs: Uint32Array;
    gAbs: Float64Array;
    gSigned: Float64Array;
    gPairs: Float64Array;
    tPairs: Float64Array;
    tFlip: Float64Array;
    tSigned: Float64Array;
  },
): { flippedPairs: number; sumAbs: number; maxAbs: number } {
  const { rows, pairRow, pairFrom, pairTo, scores, V } = p;
  const { rowFlip, rowAbsSum, rowPairs, gAbs, gSigned, gPairs, tPairs, tFlip, tSigned } = a;
  const pairs = pairRow.length;
  let flippedPairs = 0;
  let sumAbs = 0;
  let maxAbs = 0;
  for (let q = 0; q < pairs; q++) {
    const r = rows[pairRow[q] as number] as number;
    const s0 = p.scores0[r] as number;
    const s = scores[q] as number;
    const d = s - s0;
    const flip = decide(s, p.threshold) !== p.yPred[r];
    const from = pairFrom[q] as number;
    const to = pairTo[q] as number;
    if (flip) {
      flippedPairs++;
      rowFlip[pairRow[q] as number] = 1;
      tFlip[from * V + to]++;
    }
    sumAbs += Math.abs(d);
    rowAbsSum[pairRow[q] as number] += Math.abs(d);
    rowPairs[pairRow[q] as number]++;
    if (Math.abs(d) > maxAbs) maxAbs = Math.abs(d);
    gAbs[from] += Math.abs(d);
    gSigned[from] += d;
    gPairs[from]++;
    tPairs[from * V + to]++;
    tSigned[from * V + to] += d;
  }
  return { flippedPairs, sumAbs, maxAbs };
}

export async function counterfactualTest(space: AttackSpace, oracle: Oracle, opts: CounterfactualOptions): Promise<CounterfactualOutcome> {
  const { spec } = opts;
  const result: CounterfactualResult = {
    attribute: spec.name,
    column: spec.column,
    feature: null,
    method: 'none',
    values: [],
    rows: 0,
    pairs: 0,
    flipRate: null,
    pairFlipRate: null,
    meanAbsScoreChange: null,
    maxAbsScoreChange: null,
    groups: [],
    transitions: [],
    queries: 0,
    stopped: null,
    notes: [],
  };
  const empty: CounterfactualOutcome = {
    result,
    candidates: allocCandidates(space, 0),
    scores: new Float32Array(0),
    changedNumeric: [],
    changedCategorical: [],
    rows: new Uint32Array(0),
    rowFlip: new Uint8Array(0),
    rowAbsSum: new Float64Array(0),
    rowPairs: new Uint32Array(0),
  };
  const carrier = findCarrier(space, opts);
  if (!carrier) {
    result.flipRate = 0;
    result.pairFlipRate = 0;
    result.meanAbsScoreChange = 0;
    result.maxAbsScoreChange = 0;
    result.notes.push(`\`${spec.column}\` is not a model input: the model cannot use it directly (decisions cannot change with it; proxies are not tested here)`);
    return empty;
  }
  result.feature = carrier.feature;
  result.method = carrier.method;
  result.values = carrier.values.map((v) => ({ key: v.key, value: v.value }));
  const V = carrier.values.length;
  if (V < 2) {
    result.notes.push(`\`${spec.column}\` takes a single value in the data: nothing to change`);
    return empty;
  }

  // rows: all, or a stratified sample; fewer when the pairs would exceed the budget
  let rows: Uint32Array = opts.rows === 'all' ? new Uint32Array(space.rows) : stratifiedSample(opts.yTrue, opts.rows, opts.rng);
  if (opts.rows === 'all') for (let r = 0; r < space.rows; r++) rows[r] = r;
  // the attribute's value of every dataset row, once (-1: unknown)
  const valueOfRow = new Int32Array(space.rows);
  for (let r = 0; r < space.rows; r++) valueOfRow[r] = carrier.valueOf(r);
  {
    let kept = 0;
    for (let i = 0; i < rows.length; i++) if ((valueOfRow[rows[i] as number] as number) >= 0) rows[kept++] = rows[i] as number;
    rows = kept === rows.length ? rows : rows.slice(0, kept);
  }
  let pairs = rows.length * (V - 1);
  if (pairs > oracle.remaining()) {
    // shrink to what the budget allows (stratified by label within the rows kept)
    const labels = Uint8Array.from(rows, (r) => opts.yTrue[r] as number);
    const fit = Math.floor(oracle.remaining() / (V - 1));
    const pick = stratifiedSample(labels, fit, opts.rng);
    result.notes.push(`the query budget allows ${pick.length} of the ${rows.length} rows asked for`);
    rows = Uint32Array.from(pick, (i) => rows[i] as number);
    pairs = rows.length * (V - 1);
  }
  if (rows.length === 0 && oracle.stopped() === null) {
    result.notes.push(`no tested row has a known \`${spec.column}\``);
    return empty;
  }
  if (pairs === 0 || !oracle.canAfford(pairs)) {
    result.stopped = oracle.stopped() ?? 'query_budget';
    result.notes.push(result.stopped === 'deadline' ? 'not run: the time limit was reached' : 'not run: no query budget left');
    return empty;
  }

  const cands = allocCandidates(space, pairs);
  const repair: CounterfactualRepair | null =
    opts.relations && opts.relations.combinations.length + opts.relations.functional.length > 0
      ? { categorical: [], numeric: [], changed: new Map(), unresolved: new Map() }
      : null;
  const pairRow = new Int32Array(pairs);
  const pairFrom = new Int32Array(pairs);
  const pairTo = new Int32Array(pairs);
  writePairs(space, carrier, rows, valueOfRow, cands, pairRow, pairFrom, pairTo, repair !== null && carrier.categorical.length === 1 ? repair : null, opts.relations);
  const changedNumeric = [...new Set([...carrier.numeric, ...(repair?.numeric ?? [])])];
  const changedCategorical = [...new Set([...carrier.categorical, ...(repair?.categorical ?? [])])];
  if (repair) {
    const names = [...new Set([...repair.changed.keys(), ...repair.unresolved.keys()])].sort();
    result.dependents = names.map((feature) => ({ feature, changed: repair.changed.get(feature) ?? 0, unresolved: repair.unresolved.get(feature) ?? 0 }));
    for (const d of result.dependents) {
      if (d.changed > 0) result.notes.push(`${d.feature} changed with ${spec.name} on ${d.changed} of ${pairs} counterfactual rows, to keep combinations seen in the data`);
      if (d.unresolved > 0) result.notes.push(`${d.feature}: on ${d.unresolved} of ${pairs} counterfactual rows no combination seen in the data fits the new ${spec.name}; left as it was`);
    }
  }
  const scores = await oracle.score(cands, { numeric: changedNumeric, categorical: changedCategorical });
  result.queries = oracle.queries;

  // aggregates
  const rowFlip = new Uint8Array(rows.length);
  const rowAbsSum = new Float64Array(rows.length);
  const rowPairs = new Uint32Array(rows.length);
  const gRows = new Float64Array(V);
  const gFlip = new Float64Array(V);
  const gAbs = new Float64Array(V);
  const gSigned = new Float64Array(V);
  const gPairs = new Float64Array(V);
  const tPairs = new Float64Array(V * V);
  const tFlip = new Float64Array(V * V);
  const tSigned = new Float64Array(V * V);
  const { flippedPairs, sumAbs, maxAbs } = aggregatePairs(
    { rows, pairRow, pairFrom, pairTo, scores, scores0: opts.scores, yPred: opts.yPred, threshold: oracle.threshold, V },
    { rowFlip, rowAbsSum, rowPairs, gAbs, gSigned, gPairs, tPairs, tFlip, tSigned },
  );
  let flippedRows = 0;
  for (let i = 0; i < rows.length; i++) {
    const own = valueOfRow[rows[i] as number] as number;
    gRows[own]++;
    if (rowFlip[i]) {
      gFlip[own]++;
      flippedRows++;
    }
  }
  result.rows = rows.length;
  result.pairs = pairs;
  result.flipRate = rows.length > 0 ? flippedRows / rows.length : null;
  result.pairFlipRate = pairs > 0 ? flippedPairs / pairs : null;
  result.meanAbsScoreChange = pairs > 0 ? sumAbs / pairs : null;
  result.maxAbsScoreChange = pairs > 0 ? maxAbs : null;
  result.groups = carrier.values.map(
    (v, g): CounterfactualGroup => ({
      key: v.key,
      rows: gRows[g] as number,
      flipRate: (gRows[g] as number) > 0 ? (gFlip[g] as number) / (gRows[g] as number) : null,
      meanAbsScoreChange: (gPairs[g] as number) > 0 ? (gAbs[g] as number) / (gPairs[g] as number) : null,
      meanScoreChange: (gPairs[g] as number) > 0 ? (gSigned[g] as number) / (gPairs[g] as number) : null,
    }),
  );
  const transitions: CounterfactualTransition[] = [];
  for (let a = 0; a < V; a++) {
    for (let b = 0; b < V; b++) {
      const p = tPairs[a * V + b] as number;
      if (a === b || p === 0) continue;
      transitions.push({
        from: carrier.values[a]!.key,
        to: carrier.values[b]!.key,
        pairs: p,
        flipRate: (tFlip[a * V + b] as number) / p,
        meanScoreChange: (tSigned[a * V + b] as number) / p,
      });
    }
  }
  result.transitions = transitions;
  return { result, candidates: cands, scores, changedNumeric, changedCategorical, rows, rowFlip, rowAbsSum, rowPairs };
}
