/**
 * Charts of the overall performance: ROC curve, precision-recall curve, precision against the decision threshold,
 * and the KS chart (score CDFs of actual positives and negatives). Every value drawn comes from the Report; the
 * operating point is the Report's own TPR/FPR/precision/recall at the decision threshold.
 */
import type { CurvePoint } from '../../metrics/types.js';
import { formatCompact, formatCount, formatValue } from '../format.js';
import type { CheckResult, Report } from '../types.js';
import { lineChart, type Marker } from './line-chart.js';

export interface Chart {
  /** File-name-safe id: 'roc', 'selection-rate-sex'. */
  name: string;
  /** Human title. */
  title: string;
  svg: string;
}

const UNIT = { min: 0, max: 1 };

/** Horizontal or vertical markers for the policy's thresholds on metrics that are one of the chart's axes. */
function policyMarkers(report: Report, axes: { x?: string[]; y?: string[] }): Marker[] {
  const out: Marker[] = [];
  const seen = new Set<string>();
  for (const c of report.checks) {
    if (c.section !== 'performance' || c.scope !== undefined) continue;
    const onX = axes.x?.includes(c.metric);
    const onY = axes.y?.includes(c.metric);
    if (!onX && !onY) continue;
    const key = `${c.metric}/${c.threshold.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const label = `${c.title} ${c.threshold.kind === 'min' ? '≥' : '≤'} ${formatCompact(c.threshold.value)} (policy)`;
    const cls = c.outcome === 'fail' ? 'thr' : c.outcome === 'warn' ? 'warn' : 'muted';
    out.push(onX ? { kind: 'vertical', x: c.threshold.value, label, cls } : { kind: 'horizontal', y: c.threshold.value, label, cls });
  }
  return out;
}

function operatingPointLabel(report: Report): string {
  return `threshold ${formatCompact(report.threshold)}`;
}

export function rocChart(report: Report): Chart | undefined {
  const curves = report.performance.curves;
  if (!curves || curves.roc.length < 2) return undefined;
  const m = report.performance.metrics;
  const markers: Marker[] = [];
  const tpr = m.true_positive_rate;
  const fpr = m.false_positive_rate;
  if (typeof tpr === 'number' && typeof fpr === 'number')
    markers.push({
      kind: 'point',
      x: fpr,
      y: tpr,
      label: `${operatingPointLabel(report)}: TPR ${formatValue(tpr, 3)}, FPR ${formatValue(fpr, 3)}`,
      legend: `operating point (${operatingPointLabel(report)})`,
      cls: 's3',
    });
  markers.push(...policyMarkers(report, { x: ['false_positive_rate'], y: ['recall', 'true_positive_rate'] }));
  const title = 'ROC curve';
  return {
    name: 'roc',
    title,
    svg: lineChart({
      id: 'roc',
      title,
      subtitle: `ROC AUC ${formatValue(m.roc_auc)} on ${formatCount(report.dataset.rows)} rows`,
      description: `True positive rate against false positive rate over all score thresholds; ROC AUC ${formatValue(m.roc_auc)}.`,
      x: { label: 'False positive rate', domain: UNIT },
      y: { label: 'True positive rate (recall)', domain: UNIT },
      series: [
        { name: `model (AUC ${formatValue(m.roc_auc)})`, points: curves.roc, cls: 's0' },
        { name: 'chance', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }], cls: 'muted', dashed: true, width: 1.5 },
      ],
      markers,
    }),
  };
}

export function precisionRecallChart(report: Report): Chart | undefined {
  const curves = report.performance.curves;
  if (!curves || curves.pr.length < 2) return undefined;
  const m = report.performance.metrics;
  const markers: Marker[] = [];
  const base = m.base_rate;
  if (typeof base === 'number')
    markers.push({ kind: 'horizontal', y: base, label: `no skill (base rate ${formatValue(base, 3)})`, legend: '', cls: 'muted' });
  if (typeof m.recall === 'number' && typeof m.precision === 'number')
    markers.push({
      kind: 'point',
      x: m.recall,
      y: m.precision,
      label: `${operatingPointLabel(report)}: P ${formatValue(m.precision, 3)}, R ${formatValue(m.recall, 3)}`,
      legend: `operating point (${operatingPointLabel(report)})`,
      cls: 's3',
    });
  markers.push(...policyMarkers(report, { x: ['recall', 'true_positive_rate'], y: ['precision'] }));
  const title = 'Precision-recall curve';
  return {
    name: 'precision-recall',
    title,
    svg: lineChart({
      id: 'precision-recall',
      title,
      subtitle: `average precision ${formatValue(m.average_precision)}; base rate ${formatValue(base)}`,
      description: `Precision against recall over all score thresholds; average precision ${formatValue(m.average_precision)}.`,
      x: { label: 'Recall (true positive rate)', domain: UNIT },
      y: { label: 'Precision', domain: UNIT },
      series: [{ name: `model (AP ${formatValue(m.average_precision)})`, points: curves.pr, cls: 's0' }],
      markers,
    }),
  };
}

export function precisionThresholdChart(report: Report): Chart | undefined {
  const curves = report.performance.curves;
  if (!curves || curves.precisionByThreshold.length < 2) return undefined;
  const m = report.performance.metrics;
  const markers: Marker[] = [
    { kind: 'vertical', x: report.threshold, label: `decision threshold ${formatCompact(report.threshold)}`, cls: 's3' },
  ];
  if (typeof m.precision === 'number')
    markers.push({ kind: 'point', x: report.threshold, y: m.precision, label: `precision ${formatValue(m.precision, 3)}`, legend: '', cls: 's3' });
  markers.push(...policyMarkers(report, { y: ['precision'] }));
  const xs = curves.precisionByThreshold.map((p) => p.x);
  const inUnit = xs.every((x) => x >= 0 && x <= 1);
  const title = 'Precision against threshold';
  return {
    name: 'precision-threshold',
    title,
    svg: lineChart({
      id: 'precision-threshold',
      title,
      subtitle: `precision ${formatValue(m.precision)} at the decision threshold ${formatCompact(report.threshold)}`,
      description: 'Precision of the positive predictions when the decision threshold is moved over the score range.',
      x: inUnit ? { label: 'Decision threshold on the score', domain: UNIT } : { label: 'Decision threshold on the score' },
      y: { label: 'Precision', domain: UNIT },
      series: [{ name: 'precision', points: curves.precisionByThreshold, cls: 's0' }],
      markers,
    }),
  };
}

/** Value of an empirical CDF (step function through the points) at x. */
export function cdfAt(points: ReadonlyArray<CurvePoint>, x: number): number | undefined {
  let y: number | undefined;
  for (const p of points) {
    if (p.x <= x) y = p.y;
    else break;
  }
  return y ?? (points.length ? 0 : undefined);
}

export interface KsChartInput {
  id: string;
  title: string;
  subtitle: string;
  description: string;
  a: { name: string; points: CurvePoint[] };
  b: { name: string; points: CurvePoint[] };
  statistic?: number | null;
  at?: number | null;
  threshold: number;
}

export function ksChart(input: KsChartInput): string {
  const markers: Marker[] = [];
  if (input.at !== undefined && input.at !== null && Number.isFinite(input.at)) {
    const ya = cdfAt(input.a.points, input.at);
    const yb = cdfAt(input.b.points, input.at);
    if (ya !== undefined && yb !== undefined)
      markers.push({
        kind: 'segment',
        x: input.at,
        y: Math.min(ya, yb),
        x2: input.at,
        y2: Math.max(ya, yb),
        label: `KS ${formatValue(input.statistic ?? Math.abs(ya - yb), 3)}`,
        legend: `largest gap (KS) at score ${formatValue(input.at, 3)}`,
        cls: 'fg',
        dashed: false,
      });
  }
  markers.push({ kind: 'vertical', x: input.threshold, label: `decision threshold ${formatCompact(input.threshold)}`, cls: 's3' });
  const all = [...input.a.points, ...input.b.points].map((p) => p.x);
  const inUnit = all.every((x) => x >= 0 && x <= 1);
  return lineChart({
    id: input.id,
    title: input.title,
    subtitle: input.subtitle,
    description: input.description,
    x: inUnit ? { label: 'Score (predicted probability of the positive class)', domain: UNIT } : { label: 'Score' },
    y: { label: 'Cumulative share of rows', domain: UNIT },
    series: [
      { name: input.a.name, points: input.a.points, cls: 's0', step: true },
      { name: input.b.name, points: input.b.points, cls: 's1', step: true },
    ],
    markers,
  });
}

export function ksOriginalChart(report: Report): Chart | undefined {
  const curves = report.performance.curves;
  if (!curves || curves.ksPositives.length < 2 || curves.ksNegatives.length < 2) return undefined;
  const ks = report.performance.metrics.ks;
  const title = 'KS curves: positives vs negatives';
  const positives = report.dataset.positives;
  const negatives = report.dataset.rows - positives;
  return {
    name: 'ks',
    title,
    svg: ksChart({
      id: 'ks',
      title,
      subtitle: `KS ${formatValue(ks)}${report.performance.ksAt !== null ? ` at score ${formatValue(report.performance.ksAt)}` : ''}`,
      description: `Empirical CDFs of the score for actual positives and actual negatives; the KS statistic ${formatValue(ks)} is their largest vertical gap.`,
      a: { name: `actual positives (${formatCount(positives)})`, points: curves.ksPositives },
      b: { name: `actual negatives (${formatCount(negatives)})`, points: curves.ksNegatives },
      statistic: ks ?? null,
      at: report.performance.ksAt,
      threshold: report.threshold,
    }),
  };
}

/** Checks of a section (used by subtitles to say what the policy asked). */
export function checksOf(report: Report, section: CheckResult['section']): CheckResult[] {
  return report.checks.filter((c) => c.section === section);
}
