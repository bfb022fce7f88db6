/**
 * Explainability gates (policy.checks.explainability): rank and share of each sensitive attribute's column, proxies of
 * it in the top k, and the stability of the ranking. Pass/fail is decided by makeCheckResults.
 *
 * Uncertainty (issue #9 item 8): every gate gets the central range of its value over the bootstrap resamples of the
 * explained rows and the background draws (uncertainty.ts). A range that reaches both the passing and the failing side
 * of the limit makes the gate "insufficient" (the seed would decide it); a range wholly on one side leaves the point
 * value to decide, as before. Ranks and counts are integers, so their ranges are ranks some resample gave.
 *
 * Messages start with the title and value, as every check's do, then say what is wrong in the words of the gate (issue
 * #15 item 4): "Importance rank of age (1 = top) = 3 (95% range 3–4): age must not be among the 5 most important
 * features; it is ranked 3 of 14"; a proxy gate names the proxies with their rank and association.
 */
import type { PolicyDocument, SensitiveSpec } from '../../policy/types.js';
import type { CheckResult, Interval } from '../../report/types.js';
import { levelText } from '../../stats/verdict.js';
import { formatNumber, makeCheckResults } from '../result.js';
import type { ExplainabilityGate, ExplainabilitySettings } from './policy.js';
import type { AssociationEntry, ImportanceEntry, StabilityResult } from './types.js';
import { columnOf, continuousRange, integerRange, rangeCrosses, type ImportanceResamples, type Range } from './uncertainty.js';

/** The bootstrap behind the gates' ranges. */
export interface UncertaintyData {
  resamples: ImportanceResamples;
  level: number;
  /** Explained rows resampled. */
  rows: number;
  /** Model rows scored for re-drawn backgrounds. */
  modelRows: number;
  backgroundsReason?: string;
  /** KernelSHAP: the reported background's rows, resampled with the explained rows (values linear in their weights). */
  backgroundRowsResampled?: number;
}

export interface GateInput {
  doc: PolicyDocument;
  settings: ExplainabilitySettings;
  importance: ImportanceEntry[];
  associations: AssociationEntry[];
  stability: StabilityResult | null;
  /** Resampled ranks/shares; absent when statistics.resamples is 0 (the point values decide alone). */
  uncertainty?: UncertaintyData & { names: readonly string[] };
}

/** Name of a sensitive attribute as the policy's reports call it. */
export function attributeName(s: SensitiveSpec): string {
  return s.name ?? s.column;
}

function applies(gate: ExplainabilityGate, name: string): boolean {
  return gate.attributes === undefined || gate.attributes.includes(name);
}

const POINTER = ['checks', 'explainability'] as const;

/** Interval methods of the gates (report.json `interval.method`). */
export const RANGE_METHOD = 'shap-bootstrap-range';
export const PERCENTILE_METHOD = 'shap-bootstrap-percentile';

function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function measureName(m: AssociationEntry['measure']): string {
  return m === 'cramers_v' ? 'Cramér’s V' : 'correlation ratio';
}

/** "1,000 bootstrap resamples of the 100 explained rows over 5 background draws" */
export function resamplingText(u: UncertaintyData): string {
  const r = u.resamples;
  return (
    `${count(r.resamples)} bootstrap resamples of the ${count(u.rows)} explained rows` +
    (u.backgroundRowsResampled !== undefined ? ` and the ${count(u.backgroundRowsResampled)} background rows` : '') +
    (r.draws > 1 ? ` and ${count(r.draws)} background draws` : u.backgroundRowsResampled !== undefined ? '' : ', one background')
  );
}

/** Ranges of one gate's value, with what the message and the report need. */
class Ranges {
  constructor(private readonly g: GateInput) {}

  private get u(): (UncertaintyData & { names: readonly string[] }) | undefined {
    return this.g.uncertainty;
  }

  private index(feature: string): number {
    return this.u ? this.u.names.indexOf(feature) : -1;
  }

  rank(feature: string, point: number): Range | null {
    const u = this.u;
    const p = this.index(feature);
    if (!u || p < 0) return null;
    const r = u.resamples;
    return integerRange(columnOf(r.ranks, r.resamples, r.players, p), u.level, point);
  }

  share(feature: string, point: number): Range | null {
    const u = this.u;
    const p = this.index(feature);
    if (!u || p < 0) return null;
    const r = u.resamples;
    return continuousRange(columnOf(r.shares, r.resamples, r.players, p), u.level, point);
  }

  /** Per resample, how many of `features` rank within the top k. */
  countInTopK(features: string[], k: number, point: number): Range | null {
    const u = this.u;
    if (!u) return null;
    const r = u.resamples;
    const idx = features.map((f) => this.index(f)).filter((p) => p >= 0);
    const counts = new Float64Array(r.resamples);
    for (let b = 0; b < r.resamples; b++) {
      let c = 0;
      for (const p of idx) if (r.ranks[b * r.players + p] <= k) c++;
      counts[b] = c;
    }
    return integerRange(counts, u.level, point);
  }

  stability(point: number | null): Range | null {
    const u = this.u;
    if (!u || !u.resamples.stability || point === null) return null;
    return continuousRange(u.resamples.stability, u.level, point);
  }

  interval(r: Range | null, integer: boolean): Interval | undefined {
    const u = this.u;
    if (!u || !r) return undefined;
    const out: Interval = { low: r.low, high: r.high, level: u.level, method: integer ? RANGE_METHOD : PERCENTILE_METHOD };
    if (integer) out.integer = true;
    return out;
  }

  /**
   * insufficientReason when the range reaches both sides of a limit. A threshold with both min and max is one
   * makeCheckResults call, so a range across either bound makes both of its results inconclusive.
   */
  crossing(gate: ExplainabilityGate, r: Range | null, what: string): string | undefined {
    const u = this.u;
    if (!u || !r) return undefined;
    const limits: Array<['min' | 'max', number]> = [];
    if (gate.min !== undefined) limits.push(['min', gate.min]);
    if (gate.max !== undefined) limits.push(['max', gate.max]);
    const crossed = limits.filter(([kind, limit]) => rangeCrosses(kind, limit, r));
    if (crossed.length === 0) return undefined;
    const lim = crossed.map(([kind, limit]) => `${kind} ${formatNumber(limit)}`).join(' and ');
    return `the ${levelText(u.level)} range of ${what} (${resamplingText(u)}) ${CROSSING} ${lim}, so another seed could decide either way`;
  }

  details(r: Range | null): Record<string, unknown> {
    const u = this.u;
    if (!u || !r) return {};
    return { range: { low: r.low, high: r.high, level: u.level, resamples: u.resamples.resamples, backgrounds: u.resamples.draws } };
  }

  /** " (95% range 3–4)" for integers, " (95% range 1.2–3.4%)" for shares; '' without a range. */
  text(r: Range | null, format: (v: number) => string = String): string {
    const u = this.u;
    if (!u || !r) return '';
    return ` (${levelText(u.level)} range ${format(r.low)}–${format(r.high)})`;
  }
}

/**
 * Decides the check for one threshold object, then words each result's message. A range across the limit is passed to
 * makeCheckResults as insufficientReason; its evidence is then marked 'inconclusive' (the data are not too few: the
 * explained sample could put the value on either side), not 'data'.
 */
function gateChecks(
  input: Parameters<typeof makeCheckResults>[0],
  word: (c: CheckResult) => string | undefined = () => undefined,
): CheckResult[] {
  return makeCheckResults(input).map((c) => {
    const m = word(c);
    const out = m === undefined ? c : { ...c, message: m };
    if (out.status === 'insufficient' && input.insufficientReason?.includes(CROSSING) && out.evidence) {
      out.evidence = { ...out.evidence, insufficientKind: 'inconclusive' };
    }
    return out;
  });
}

const CROSSING = 'reaches both sides of the limit';

/** "the 5 most important features" / "the most important feature" */
function topText(k: number): string {
  return k === 1 ? 'the most important feature' : `the ${count(k)} most important features`;
}

export function explainabilityChecks(g: GateInput): CheckResult[] {
  const { doc, settings, importance } = g;
  const out: CheckResult[] = [];
  const byFeature = new Map(importance.map((e) => [e.feature, e]));
  const players = importance.length;
  const sensitive = doc.policy.sensitive ?? [];
  const ranges = new Ranges(g);

  if (settings.sensitive_rank) {
    const gate = settings.sensitive_rank;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const e = byFeature.get(s.column);
      const value = e ? e.rank : players + 1;
      const r = e ? ranges.rank(s.column, e.rank) : null;
      const insufficientReason = ranges.crossing(gate, r, `${s.column}’s rank`);
      const ranked = `ranked ${count(value)} of ${count(players)}`;
      const interval = ranges.interval(r, true);
      out.push(
        ...gateChecks(
          {
            doc,
            section: 'explainability',
            metric: 'sensitive_rank',
            scope: name,
            title: e ? `Importance rank of ${s.column} (1 = top)` : `Importance rank of ${s.column} (not a model input)`,
            value,
            threshold: gate,
            pointer: [...POINTER, 'sensitive_rank'],
            ...(interval ? { interval } : {}),
            ...(insufficientReason ? { insufficientReason } : {}),
            details: { attribute: name, column: s.column, of: players, modelInput: Boolean(e), share: e?.share ?? 0, ...ranges.details(r) },
          },
          (c) => {
            const limit = c.threshold.value;
            // min L: ranks >= L pass, i.e. the column must stay out of the top ceil(L) - 1; max L: it must be in the top floor(L).
            const top = c.threshold.kind === 'min' ? Math.ceil(limit) - 1 : Math.floor(limit);
            if (top < 1 || top >= players + 1) return undefined;
            const rule = c.threshold.kind === 'min' ? `must not be among ${topText(top)}` : `must be among ${topText(top)}`;
            // "<title> = 4 (95% range 2–4): ..." — every message starts with the check's title and value.
            const shown = `${c.title} = ${count(value)}${ranges.text(r)}`;
            if (!e) {
              const where = `${s.column} is not a model input, so it ranks after all ${count(players)} inputs`;
              if (c.status === 'fail') return `${shown}: ${s.column} ${rule}; ${where}`;
              return c.status === 'pass' ? `${shown}: ${where}; it is not among ${topText(top)}, as required` : undefined;
            }
            if (c.status === 'fail') return `${shown}: ${s.column} ${rule}; it is ${ranked}`;
            if (c.status === 'pass') return `${shown}: ${s.column} ${c.threshold.kind === 'min' ? 'is not' : 'is'} among ${topText(top)}, as required`;
            if (insufficientReason) {
              return `${shown}: inconclusive whether ${s.column} is among ${topText(top)} (${insufficientReason}); it ${rule}`;
            }
            return undefined;
          },
        ),
      );
    }
  }

  if (settings.sensitive_share) {
    const gate = settings.sensitive_share;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const e = byFeature.get(s.column);
      const r = e ? ranges.share(s.column, e.share) : null;
      const insufficientReason = ranges.crossing(gate, r, `${s.column}’s share`);
      const interval = ranges.interval(r, false);
      const pct = (v: number): string => `${formatNumber(v * 100, 2)}%`;
      out.push(
        ...gateChecks({
          doc,
          section: 'explainability',
          metric: 'sensitive_share',
          scope: name,
          title: e ? `Share of importance of ${s.column}` : `Share of importance of ${s.column} (not a model input)`,
          value: e ? e.share : 0,
          threshold: gate,
          pointer: [...POINTER, 'sensitive_share'],
          ...(interval ? { interval } : {}),
          ...(insufficientReason ? { insufficientReason } : {}),
          details: { attribute: name, column: s.column, rank: e?.rank ?? null, modelInput: Boolean(e), ...ranges.details(r) },
        }, (c) => {
          if (!e) return undefined;
          const carries = `${c.title} = ${pct(e.share)} of the total importance${ranges.text(r, pct)}`;
          const allowed = c.threshold.kind === 'max' ? `at most ${pct(c.threshold.value)} allowed` : `at least ${pct(c.threshold.value)} required`;
          if (c.status === 'fail') return `${carries}; ${allowed}`;
          if (c.status === 'pass') return `${carries}, ${allowed}`;
          if (insufficientReason) return `${carries}: inconclusive (${insufficientReason}); ${allowed}`;
          return undefined;
        }),
      );
    }
  }

  if (settings.proxies_in_top_k) {
    const gate = settings.proxies_in_top_k;
    const k = settings.top_k;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const proxies = g.associations.filter((a) => a.attribute === name && a.proxyInTopK);
      const strong = g.associations.filter((a) => a.attribute === name && a.strong);
      const r = ranges.countInTopK(
        strong.map((a) => a.feature),
        k,
        proxies.length,
      );
      const insufficientReason = ranges.crossing(gate, r, `the number of ${name}’s proxies in the top ${count(k)}`);
      const interval = ranges.interval(r, true);
      const describe = (a: AssociationEntry): string => {
        const rr = a.rank === null ? null : ranges.rank(a.feature, a.rank);
        return `${a.feature} (rank ${a.rank === null ? 'n/a' : count(a.rank)}${rr ? `, ${levelText(g.uncertainty!.level)} range ${rr.low}–${rr.high}` : ''}; ${measureName(a.measure)} ${a.value.toFixed(2)})`;
      };
      // Strong associations ranked below the top k whose range reaches into it: they make the count uncertain.
      const near = strong.filter((a) => {
        if (a.proxyInTopK || a.rank === null) return false;
        const rr = ranges.rank(a.feature, a.rank);
        return rr !== null && rr.low <= k;
      });
      const shownNames = proxies.slice(0, 3).map((a) => a.feature);
      const title = `Proxies of ${name} in the top ${count(k)}${shownNames.length ? `: ${shownNames.join(', ')}${proxies.length > 3 ? ` +${proxies.length - 3} more` : ''}` : ''}`;
      out.push(
        ...gateChecks(
          {
            doc,
            section: 'explainability',
            metric: 'proxies_in_top_k',
            scope: name,
            title,
            value: proxies.length,
            threshold: gate,
            pointer: [...POINTER, 'proxies_in_top_k'],
            ...(interval ? { interval } : {}),
            ...(insufficientReason ? { insufficientReason } : {}),
            details: {
              attribute: name,
              topK: k,
              proxies: proxies.map((a) => ({ feature: a.feature, measure: a.measure, value: a.value, rank: a.rank, ...rankRange(ranges, a) })),
              associatedOutsideTopK: strong.filter((a) => !a.proxyInTopK).map((a) => ({ feature: a.feature, measure: a.measure, value: a.value, rank: a.rank, ...rankRange(ranges, a) })),
              ...ranges.details(r),
            },
          },
          (c) => {
            const n = proxies.length;
            const allowed = c.threshold.kind === 'max' ? `at most ${formatNumber(c.threshold.value)} allowed` : `at least ${formatNumber(c.threshold.value)} required`;
            const listed = proxies.map(describe);
            const names = listed.length <= 1 ? listed.join('') : `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`;
            const head =
              `${c.title} = ${count(n)}${ranges.text(r)}: ` +
              (n === 0 ? `no proxy of ${name} is among ${topText(k)}` : `${names} ${n === 1 ? 'is a proxy' : 'are proxies'} of ${name} among ${topText(k)}`);
            const nearText = near.length ? `; ranked lower but within reach of the top ${count(k)}: ${near.slice(0, 3).map(describe).join(', ')}` : '';
            if (c.status === 'insufficient') {
              if (!insufficientReason) return undefined;
              return `${head}${nearText}: inconclusive (${insufficientReason}); ${allowed}`;
            }
            return `${head}${nearText}; ${allowed}`;
          },
        ),
      );
    }
  }

  if (settings.stability) {
    const st = g.stability;
    const r = ranges.stability(st?.spearman ?? null);
    const insufficientReason =
      st === null
        ? 'too few explained rows to compare two rankings'
        : st.spearman === null
          ? 'the importances are constant, so their ranks do not correlate'
          : ranges.crossing(settings.stability, r, 'the rank correlation');
    const interval = ranges.interval(r, false);
    out.push(
      ...gateChecks({
        doc,
        section: 'explainability',
        metric: 'stability',
        title: `Rank correlation of importance (${st?.method ?? settings.stability.method ?? 'halves'})`,
        value: st?.spearman ?? null,
        threshold: settings.stability,
        pointer: [...POINTER, 'stability'],
        ...(interval ? { interval } : {}),
        ...(insufficientReason ? { insufficientReason } : {}),
        details: st ? { method: st.method, otherOrder: st.otherOrder, ...ranges.details(r) } : {},
      }, (c) => {
        if (c.status !== 'insufficient' || !insufficientReason?.includes(CROSSING) || !st || st.spearman === null) return undefined;
        const op = c.threshold.kind === 'min' ? '≥' : '≤';
        return `${c.title} = ${formatNumber(st.spearman)}${ranges.text(r, (v) => formatNumber(v))}: inconclusive (${insufficientReason}); required ${op} ${formatNumber(c.threshold.value)}`;
      }),
    );
  }
  return out;
}

function rankRange(ranges: Ranges, a: AssociationEntry): Record<string, unknown> {
  if (a.rank === null) return {};
  const r = ranges.rank(a.feature, a.rank);
  return r ? { rankLow: r.low, rankHigh: r.high } : {};
}
