/**
 * The data checks as pure functions of typed columns (issue #13): drift per column, integrity, leakage, representation.
 * No policy file, no printing: the gate (index.ts) turns these results into CheckResults.
 */
import type { Column, Dataset, Grouping } from '../../data/types.js';
import { adjustPValues } from '../../stats/multipleTesting.js';
import { containsSorted, hasMixedTypes, missingCount, pairedPlans, rowKeys, sortedKeys, sortedValues, textCounts } from './columns.js';
import {
  binCounts,
  chiSquareHomogeneity,
  jensenShannon,
  ksTwoSample,
  populationStabilityIndex,
  quantileEdges,
  wassersteinDistance,
} from './stats.js';
import type {
  CategoricalDriftMethod,
  ColumnSummary,
  DistributionOverlay,
  DriftColumnResult,
  IntegrityColumnResult,
  NumericDriftMethod,
  RepresentationGroup,
} from './types.js';

/** Bins of a numeric overlay; categories shown in a categorical one (the rest pooled as 'other'). */
export const OVERLAY_BINS = 20;
export const OVERLAY_CATEGORIES = 10;
export const OTHER_CATEGORY = '(other)';

export interface DriftSettings {
  numeric: NumericDriftMethod;
  categorical: CategoricalDriftMethod;
  alpha: number;
  correction: 'holm' | 'benjamini-hochberg' | 'none';
  thresholds: { wasserstein: number; psi: number; jensen_shannon: number };
  bins: number;
}

function mean(sorted: Float64Array): number {
  let s = 0;
  for (let i = 0; i < sorted.length; i++) s += sorted[i];
  return s / sorted.length;
}

function std(sorted: Float64Array): number {
  const m = mean(sorted);
  let s = 0;
  for (let i = 0; i < sorted.length; i++) s += (sorted[i] - m) ** 2;
  return Math.sqrt(s / sorted.length);
}

function numericSummary(rows: number, sorted: Float64Array): ColumnSummary {
  const out: ColumnSummary = { rows, missing: rows - sorted.length };
  if (sorted.length > 0) {
    out.mean = mean(sorted);
    out.min = sorted[0];
    out.max = sorted[sorted.length - 1];
  }
  return out;
}

function categoricalSummary(rows: number, counts: Map<string, number>): ColumnSummary {
  let total = 0;
  let top: string | undefined;
  let topCount = -1;
  for (const [k, c] of counts) {
    total += c;
    if (c > topCount) {
      top = k;
      topCount = c;
    }
  }
  const out: ColumnSummary = { rows, missing: rows - total, distinct: counts.size };
  if (top !== undefined) {
    out.top = top;
    out.topShare = topCount / total;
  }
  return out;
}

function toShares(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
}

/** Equal-width bins over the range of both samples. */
export function numericOverlay(ref: Float64Array, cur: Float64Array, bins = OVERLAY_BINS): DistributionOverlay {
  const lo = Math.min(ref.length ? ref[0] : Infinity, cur.length ? cur[0] : Infinity);
  const hi = Math.max(ref.length ? ref[ref.length - 1] : -Infinity, cur.length ? cur[cur.length - 1] : -Infinity);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { kind: 'numeric', edges: [], reference: [], current: [] };
  const k = hi > lo ? bins : 1;
  const width = hi > lo ? (hi - lo) / k : 1;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? hi : lo + i * width));
  const count = (s: Float64Array): number[] => {
    const c = new Array<number>(k).fill(0);
    for (let i = 0; i < s.length; i++) c[Math.min(k - 1, Math.floor((s[i] - lo) / width))]++;
    return toShares(c);
  };
  return { kind: 'numeric', edges, reference: count(ref), current: count(cur) };
}

/** The most frequent categories of the reference (then of the current data), the rest pooled. */
export function categoricalOverlay(ref: Map<string, number>, cur: Map<string, number>, shown = OVERLAY_CATEGORIES): DistributionOverlay {
  const keys = [...new Set([...ref.keys(), ...cur.keys()])];
  keys.sort((a, b) => (ref.get(b) ?? 0) - (ref.get(a) ?? 0) || (cur.get(b) ?? 0) - (cur.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const top = keys.slice(0, shown);
  const rest = keys.slice(shown);
  const r = top.map((k) => ref.get(k) ?? 0);
  const c = top.map((k) => cur.get(k) ?? 0);
  const categories = [...top];
  if (rest.length > 0) {
    categories.push(OTHER_CATEGORY);
    r.push(rest.reduce((s, k) => s + (ref.get(k) ?? 0), 0));
    c.push(rest.reduce((s, k) => s + (cur.get(k) ?? 0), 0));
  }
  return { kind: 'categorical', categories, reference: toShares(r), current: toShares(c) };
}

/** Drift of one numeric sample pair (both ascending, NaN-free, non-empty). */
export function numericDrift(
  column: string,
  ref: Float64Array,
  cur: Float64Array,
  rows: { reference: number; current: number },
  s: DriftSettings,
): DriftColumnResult {
  const base = {
    column,
    kind: 'numeric' as const,
    method: s.numeric,
    reference: numericSummary(rows.reference, ref),
    current: numericSummary(rows.current, cur),
    overlay: numericOverlay(ref, cur),
  };
  if (s.numeric === 'ks') {
    const r = ksTwoSample(ref, cur);
    return { ...base, statistic: r.statistic, pValue: r.pValue, pMethod: r.method, drifted: false };
  }
  if (s.numeric === 'wasserstein') {
    const distance = wassersteinDistance(ref, cur);
    const sd = std(ref);
    const statistic = sd > 0 ? distance / sd : distance;
    return { ...base, statistic, distance, threshold: s.thresholds.wasserstein, drifted: statistic > s.thresholds.wasserstein };
  }
  const edges = quantileEdges(ref, s.bins);
  const rc = binCounts(ref, edges);
  const cc = binCounts(cur, edges);
  const statistic = s.numeric === 'psi' ? populationStabilityIndex(rc, cc) : jensenShannon(rc, cc);
  const threshold = s.numeric === 'psi' ? s.thresholds.psi : s.thresholds.jensen_shannon;
  return { ...base, statistic, threshold, drifted: statistic > threshold };
}

/** Drift of one categorical pair of counts by text. */
export function categoricalDrift(
  column: string,
  ref: Map<string, number>,
  cur: Map<string, number>,
  rows: { reference: number; current: number },
  s: DriftSettings,
): DriftColumnResult {
  const keys = [...new Set([...ref.keys(), ...cur.keys()])];
  const rc = Float64Array.from(keys, (k) => ref.get(k) ?? 0);
  const cc = Float64Array.from(keys, (k) => cur.get(k) ?? 0);
  const base = {
    column,
    kind: 'categorical' as const,
    method: s.categorical,
    reference: categoricalSummary(rows.reference, ref),
    current: categoricalSummary(rows.current, cur),
    overlay: categoricalOverlay(ref, cur),
  };
  if (s.categorical === 'chi_square') {
    const r = chiSquareHomogeneity(rc, cc);
    return { ...base, statistic: r.statistic, pValue: r.pValue, pMethod: r.method, drifted: false };
  }
  const statistic = s.categorical === 'psi' ? populationStabilityIndex(rc, cc) : jensenShannon(rc, cc);
  const threshold = s.categorical === 'psi' ? s.thresholds.psi : s.thresholds.jensen_shannon;
  return { ...base, statistic, threshold, drifted: statistic > threshold };
}

/** Drift of one column of two datasets; null when a side has no non-missing value. */
export function columnDrift(
  name: string,
  ref: Column,
  cur: Column,
  missing: ReadonlySet<string>,
  s: DriftSettings,
): DriftColumnResult | null {
  const rows = { reference: ref.kind === 'numeric' ? ref.values.length : ref.codes.length, current: cur.kind === 'numeric' ? cur.values.length : cur.codes.length };
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const a = sortedValues(ref.values);
    const b = sortedValues(cur.values);
    if (a.length === 0 || b.length === 0) return null;
    return numericDrift(name, a, b, rows, s);
  }
  const a = textCounts(ref, missing);
  const b = textCounts(cur, missing);
  if (a.size === 0 || b.size === 0) return null;
  return categoricalDrift(name, a, b, rows, s);
}

/**
 * Marks drifted columns: tests (KS, χ²) by their p-values adjusted over all tested columns (policy correction) against
 * alpha; distance methods by their thresholds (already set). Sorts drifted first, then by p-value / statistic.
 */
export function decideDrift(results: DriftColumnResult[], s: Pick<DriftSettings, 'alpha' | 'correction'>): DriftColumnResult[] {
  const tested = results.filter((r) => r.pValue !== undefined);
  const adjusted = adjustPValues(tested.map((r) => r.pValue as number), s.correction);
  tested.forEach((r, i) => {
    r.adjustedPValue = adjusted[i];
    r.drifted = adjusted[i] < s.alpha;
  });
  return [...results].sort((a, b) => {
    if (a.drifted !== b.drifted) return a.drifted ? -1 : 1;
    const pa = a.adjustedPValue ?? Number.NaN;
    const pb = b.adjustedPValue ?? Number.NaN;
    if (Number.isFinite(pa) && Number.isFinite(pb) && pa !== pb) return pa - pb;
    if (a.statistic !== b.statistic) return b.statistic - a.statistic;
    return a.column < b.column ? -1 : a.column > b.column ? 1 : 0;
  });
}

// ------------------------------------------------------------------ integrity

export interface IntegrityResult {
  rows: number;
  duplicateRows: number;
  duplicateShare: number;
  constantColumns: string[];
  mixedTypeColumns: string[];
  columns: IntegrityColumnResult[];
}

/** Integrity of the current dataset's columns, against the reference where one is given. */
export function integrity(current: Dataset, reference: Dataset | undefined, columns: readonly string[], missing: ReadonlySet<string>): IntegrityResult {
  const out: IntegrityColumnResult[] = [];
  for (const name of columns) {
    const cur = current.byName.get(name);
    if (!cur) continue;
    const rows = current.rows;
    const miss = missingCount(cur, missing);
    const counts = textCountsOrNull(cur, missing);
    const distinct = cur.kind === 'numeric' ? distinctNumbers(cur.values) : (counts as Map<string, number>).size;
    const r: IntegrityColumnResult = {
      column: name,
      kind: cur.kind,
      missingShare: rows > 0 ? miss / rows : 0,
      constant: distinct <= 1,
      mixedTypes: hasMixedTypes(cur, missing),
    };
    const ref = reference?.byName.get(name);
    if (ref && reference) {
      r.referenceMissingShare = reference.rows > 0 ? missingCount(ref, missing) / reference.rows : 0;
      if (cur.kind === 'numeric' && ref.kind === 'numeric') {
        const rs = sortedValues(ref.values);
        if (rs.length > 0) {
          const lo = rs[0];
          const hi = rs[rs.length - 1];
          let outside = 0;
          let present = 0;
          for (let i = 0; i < cur.values.length; i++) {
            const v = cur.values[i];
            if (Number.isNaN(v)) continue;
            present++;
            if (v < lo || v > hi) outside++;
          }
          r.outOfRangeShare = present > 0 ? outside / present : 0;
        }
      } else {
        const seen = textCounts(ref, missing);
        const now = counts ?? textCounts(cur, missing);
        let unseen = 0;
        let present = 0;
        const names: string[] = [];
        for (const [k, c] of now) {
          present += c;
          if (!seen.has(k)) {
            unseen += c;
            names.push(k);
          }
        }
        r.unseenShare = present > 0 ? unseen / present : 0;
        if (names.length > 0) r.unseen = names.sort().slice(0, 10);
        if (ref.kind !== cur.kind) r.mixedTypes = true;
      }
    }
    out.push(r);
  }
  // duplicates: equal neighbours among the sorted row keys (a typed sort, no hash set of a million numbers)
  const keys = sortedKeys(rowKeys(current.rows, current.columns.map((column) => ({ column, asText: false }))));
  let duplicates = 0;
  for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) duplicates++;
  return {
    rows: current.rows,
    duplicateRows: duplicates,
    duplicateShare: current.rows > 0 ? duplicates / current.rows : 0,
    constantColumns: out.filter((c) => c.constant).map((c) => c.column),
    mixedTypeColumns: out.filter((c) => c.mixedTypes).map((c) => c.column),
    columns: out,
  };
}

function textCountsOrNull(col: Column, missing: ReadonlySet<string>): Map<string, number> | null {
  return col.kind === 'categorical' ? textCounts(col, missing) : null;
}

function distinctNumbers(values: Float64Array): number {
  const s = sortedValues(values);
  let d = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) d++;
  return d;
}

// ------------------------------------------------------------------ leakage

export interface OverlapResult {
  /** Evaluation row indices whose compared columns all equal those of some training row (ascending). */
  rows: Uint32Array;
}

/** Evaluation rows that also occur in the training data: equal on every compared column (hashed, 53-bit keys). */
export function trainingOverlap(evaluation: Dataset, training: Dataset, columns: readonly string[]): OverlapResult {
  const [pe, pt] = pairedPlans(evaluation, training, columns);
  // both key sets sorted and merged: the keys they share (few, usually) — then one pass marks the evaluation rows
  const trainKeys = sortedKeys(rowKeys(training.rows, pt));
  const evalKeys = rowKeys(evaluation.rows, pe);
  const evalSorted = sortedKeys(evalKeys);
  const shared = new Set<number>();
  for (let i = 0, j = 0; i < evalSorted.length && j < trainKeys.length; ) {
    if (evalSorted[i] < trainKeys[j]) i++;
    else if (evalSorted[i] > trainKeys[j]) j++;
    else {
      shared.add(evalSorted[i]);
      i++;
    }
  }
  const hits: number[] = [];
  if (shared.size > 0) {
    // a large share of shared keys: binary search per row is cheaper than a huge Set
    if (shared.size > 1 << 16) {
      for (let i = 0; i < evalKeys.length; i++) if (containsSorted(trainKeys, evalKeys[i])) hits.push(i);
    } else for (let i = 0; i < evalKeys.length; i++) if (shared.has(evalKeys[i])) hits.push(i);
  }
  return { rows: Uint32Array.from(hits) };
}

/**
 * ROC AUC of a score against binary labels (Mann–Whitney U with average ranks for ties) = sklearn's roc_auc_score.
 * NaN scores rank lowest. null when a class is absent.
 */
export function rocAucOf(scores: Float64Array, yTrue: Uint8Array): number | null {
  const n = scores.length;
  let positives = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let integer = true;
  let nan = false;
  for (let i = 0; i < n; i++) {
    positives += yTrue[i];
    const v = scores[i];
    if (Number.isNaN(v)) nan = true;
    else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (integer && !Number.isInteger(v)) integer = false;
    }
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  if (integer && Number.isFinite(lo) && hi - lo < 4 * n + 16) {
    // counts of positives and negatives per integer score (NaN first, lowest): U from the two histograms
    const size = hi - lo + 2;
    const pos = new Float64Array(size);
    const neg = new Float64Array(size);
    for (let i = 0; i < n; i++) {
      const b = Number.isNaN(scores[i]) ? 0 : scores[i] - lo + 1;
      if (yTrue[i]) pos[b]++;
      else neg[b]++;
    }
    return aucFromHistograms(pos, neg, positives, negatives);
  }
  void nan;
  // the positives' and the negatives' scores, each sorted (typed sorts), merged: U = Σ_pos (#neg below + ½ #neg equal)
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const v = Number.isNaN(scores[i]) ? -Infinity : scores[i];
    if (yTrue[i]) pos[p++] = v;
    else neg[q++] = v;
  }
  pos.sort();
  neg.sort();
  let u = 0;
  let below = 0;
  for (let i = 0; i < positives; ) {
    const v = pos[i];
    let j = i;
    while (j < positives && pos[j] === v) j++;
    while (below < negatives && neg[below] < v) below++;
    let equal = 0;
    while (below + equal < negatives && neg[below + equal] === v) equal++;
    u += (j - i) * (below + equal / 2);
    i = j;
  }
  return u / (positives * negatives);
}

/** U / (P N) from counts of positives and negatives per ascending score bin (ties within a bin count one half). */
export function aucFromHistograms(pos: ArrayLike<number>, neg: ArrayLike<number>, positives: number, negatives: number): number {
  let below = 0;
  let u = 0;
  for (let b = 0; b < pos.length; b++) {
    if (pos[b] > 0) u += pos[b] * (below + neg[b] / 2);
    below += neg[b];
  }
  return u / (positives * negatives);
}

/**
 * How well one column alone predicts the label, as a symmetrized ROC AUC max(AUC, 1 − AUC) on the evaluation rows:
 * a numeric column is its own score; a text column scores each row with its category's positive rate, learned on the
 * training rows when they have labels (unseen categories get the overall rate), else on the evaluation rows.
 */
export function singleColumnAuc(
  column: Column,
  yTrue: Uint8Array,
  training?: { column: Column; yTrue: Uint8Array },
): { auc: number; fittedOn: 'training' | 'evaluation' } | null {
  let scores: Float64Array;
  let fittedOn: 'training' | 'evaluation' = 'evaluation';
  if (column.kind === 'numeric') scores = column.values;
  else {
    const source = training && training.column.kind === 'categorical' ? training : { column, yTrue };
    fittedOn = source === training ? 'training' : 'evaluation';
    const col = source.column as Column & { kind: 'categorical' };
    const fitPos = new Float64Array(col.levels.length);
    const cnt = new Float64Array(col.levels.length);
    let allPos = 0;
    for (let i = 0; i < col.codes.length; i++) {
      fitPos[col.codes[i]] += source.yTrue[i];
      cnt[col.codes[i]]++;
      allPos += source.yTrue[i];
    }
    const overall = col.codes.length > 0 ? allPos / col.codes.length : 0;
    const rate = new Map<string, number>();
    col.levels.forEach((l, i) => rate.set(l, cnt[i] > 0 ? fitPos[i] / cnt[i] : overall));
    const perLevel = Float64Array.from(column.levels, (l) => rate.get(l) ?? overall);
    // the score takes one value per level: AUC from per-level counts, levels in ascending score order
    const pos = new Float64Array(column.levels.length);
    const neg = new Float64Array(column.levels.length);
    let positives = 0;
    for (let i = 0; i < column.codes.length; i++) {
      if (yTrue[i]) {
        pos[column.codes[i]]++;
        positives++;
      } else neg[column.codes[i]]++;
    }
    const negatives = column.codes.length - positives;
    if (positives === 0 || negatives === 0) return null;
    const order = Array.from(column.levels, (_, k) => k).sort((a, b) => perLevel[a] - perLevel[b]);
    const gp: number[] = [];
    const gn: number[] = [];
    for (let k = 0; k < order.length; k++) {
      const lv = order[k];
      if (k > 0 && perLevel[lv] === perLevel[order[k - 1]]) {
        gp[gp.length - 1] += pos[lv];
        gn[gn.length - 1] += neg[lv];
      } else {
        gp.push(pos[lv]);
        gn.push(neg[lv]);
      }
    }
    const auc = aucFromHistograms(gp, gn, positives, negatives);
    return { auc: Math.max(auc, 1 - auc), fittedOn };
  }
  const auc = rocAucOf(scores, yTrue);
  if (auc === null) return null;
  return { auc: Math.max(auc, 1 - auc), fittedOn };
}

// ------------------------------------------------------------------ representation

/** Count and share of every group of a grouping, with the reference's where given (groups aligned by key). */
export function representation(current: Grouping, reference: Grouping | undefined, minCount: number): RepresentationGroup[] {
  const count = (g: Grouping): Map<string, number> => {
    const c = new Float64Array(g.keys.length);
    for (let i = 0; i < g.codes.length; i++) c[g.codes[i]]++;
    return new Map(g.keys.map((k, i) => [k, c[i]]));
  };
  const cur = count(current);
  const ref = reference ? count(reference) : undefined;
  const total = current.codes.length;
  const refTotal = reference ? reference.codes.length : 0;
  const keys = [...current.keys];
  if (ref) for (const k of ref.keys()) if (!cur.has(k)) keys.push(k);
  return keys.map((key) => {
    const n = cur.get(key) ?? 0;
    const g: RepresentationGroup = { key, count: n, share: total > 0 ? n / total : 0, belowMin: n < minCount };
    if (ref) {
      g.referenceCount = ref.get(key) ?? 0;
      g.referenceShare = refTotal > 0 ? g.referenceCount / refTotal : 0;
    }
    return g;
  });
}
