/**
 * Overall performance, built once for every format: every metric in the report (label metrics, then score metrics)
 * with its gate, the confusion matrix at the decision threshold, and where the KS statistic is reached. HTML adds each
 * metric's id and the performance charts.
 */
import { METRIC_TITLES } from '../../metrics/names.js';
import type { MetricName, MetricValues } from '../../metrics/types.js';
import { LABEL_METRICS, SCORE_METRICS } from '../../metrics/types.js';
import { formatCompact, formatCount, formatMetric, formatThreshold, formatValue } from '../format.js';
import type { Report } from '../types.js';
import { code, col, fig, only, para, status, strong, type Block, type Inline } from '../doc/model.js';

/** Metric rows in a fixed order (label metrics, then score metrics), only those present. */
function metricRows(metrics: MetricValues): Array<[MetricName, number | null]> {
  const out: Array<[MetricName, number | null]> = [];
  for (const m of [...LABEL_METRICS, ...SCORE_METRICS]) {
    if (m in metrics) out.push([m, metrics[m] ?? null]);
  }
  return out;
}

export function performanceBlocks(report: Report): Block[] {
  const perf = report.performance;
  const gated = new Map(report.checks.filter((c) => c.section === 'performance').map((c) => [c.metric, c]));
  const k = perf.confusion;
  const cell = (n: number, what: string): Inline[] => [fig(`${formatCount(n)} (${what})`)];
  return [
    {
      k: 'table',
      columns: [col('Metric'), col('Value', 'number'), col('Gate', 'label')],
      rows: metricRows(perf.metrics).map(([m, v]) => {
        const c = gated.get(m);
        return { cells: [[METRIC_TITLES[m], only(['html'], ' ', code(m))], [fig(formatMetric(m, v))], c ? [fig(formatThreshold(c.threshold)), ' ', status(c)] : []] };
      }),
    },
    para(`Confusion matrix at threshold ${formatCompact(report.threshold)}:`),
    {
      k: 'table',
      columns: [col(''), col('Predicted negative', 'number'), col('Predicted positive', 'number')],
      rows: [
        { cells: [[strong('Actual negative')], cell(k.tn, 'TN'), cell(k.fp, 'FP')] },
        { cells: [[strong('Actual positive')], cell(k.fn, 'FN'), cell(k.tp, 'TP')] },
      ],
    },
    ...(perf.ksAt !== null && perf.ksAt !== undefined ? [para('The KS statistic is reached at score ', fig(formatValue(perf.ksAt)), '.')] : []),
    { k: 'only', only: ['html'], blocks: [{ k: 'charts', names: ['roc', 'precision-recall', 'precision-threshold', 'ks'] }] },
  ];
}
