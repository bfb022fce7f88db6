/**
 * The comparison with the base branch's model (issue #6), built once for every format: what was compared, then a
 * before → after table with the direction of each change (▲ ▼ ▬), better / worse in words only when the change is more
 * than resampling noise, its paired interval, and the regression gate (its outcome and limit: the only verdict mark in
 * a row). Unchanged and incompatible bases are said in words.
 */
import type { BaselineMetricChange } from '../../baseline/types.js';
import { formatBytes, formatCount, formatIntervalBounds, formatLevel, formatSigned, formatValue, plural, shortSha } from '../format.js';
import {
  baselineOf,
  checkOfChange,
  directionArrow,
  incompatibleReason,
  isPresent,
  list,
  markedEffect,
  MAX_BASELINE_ROWS,
  maxRegressionText,
  numberOr,
  significanceText,
} from '../section-views.js';
import type { Report } from '../types.js';
import { aside, code, col, em, fig, name, para, status, strong, text, type Block, type Inline, type Section } from '../doc/model.js';
import { guarded } from './guard.js';

export const BASELINE_TITLE = 'Compared with the base model';

/** 'sha256 `1a2b3c…`, 2.6 KiB' */
function modelRef(m: { sha256?: unknown; bytes?: unknown } | undefined): Inline[] {
  if (!isPresent(m)) return ['n/a'];
  return ['sha256 ', code(shortSha(String(m.sha256 ?? ''))), `, ${formatBytes(numberOr(m.bytes))}`];
}

/** Gated rows first when a cap cuts, then significant worsenings, other worsenings, the rest. */
function priority(m: BaselineMetricChange): number {
  return m.maxRegression !== undefined ? 0 : m.effect === 'worse' && m.significant === true ? 1 : m.effect === 'worse' ? 2 : 3;
}

/** '▼ -0.0129 worse': the direction of the number, and what it means for the metric when significant. */
function changeCell(m: BaselineMetricChange): Inline[] {
  const marked = markedEffect(m);
  const word: Inline[] =
    marked === 'better' || marked === 'worse' ? [' ', strong(marked)] : m.significant === false && m.delta !== null && m.delta !== 0 ? [' ', em('(noise)')] : [];
  return [{ k: 'nowrap', c: [fig(`${directionArrow(m.direction)} ${formatSigned(m.delta)}`), ...word] }];
}

function comparedTable(report: Report, metrics: BaselineMetricChange[], level: number | null): Block {
  return {
    k: 'table',
    columns: [
      col('Metric'),
      col('Base → PR', 'number'),
      col('Change', 'number'),
      col(level !== null ? `${formatLevel(level)} CI of change` : 'CI of change', 'label'),
      col('Significant', 'label', ['html']),
      col('Gate (limit)', 'label'),
    ],
    rows: metrics.map((m) => {
      const check = checkOfChange(report, m);
      const limit = maxRegressionText(m);
      return {
        ...(check ? { check } : {}),
        priority: priority(m),
        cells: [
          [name(String(m.title ?? m.id)), ...(typeof m.note === 'string' ? [' — ', em(text(m.note, 160))] : [])],
          // numbers never wrap inside: the metric's name and the gate wrap instead
          [{ k: 'nowrap', c: [fig(`${formatValue(m.before)} → ${formatValue(m.after)}`)] }],
          changeCell(m),
          [isPresent(m.deltaInterval) ? { k: 'nowrap', c: [fig(formatIntervalBounds(m.deltaInterval))] } : fig('—')],
          [significanceText(m)],
          check ? [status(check), ...(limit ? [' ', { k: 'nowrap', c: [`(${limit})`] } as Inline] : [])] : [fig('—')],
        ],
      };
    }),
    maxRows: MAX_BASELINE_ROWS,
    more: (n) => [em(`${plural(n, 'more metric')} not shown; see the JSON report.`)],
  };
}

export function baselineSection(report: Report): Section | undefined {
  const b = baselineOf(report);
  if (!b) return undefined;
  return guarded('baseline', BASELINE_TITLE, () => {
    const base = isPresent(b.base) ? b.base : undefined;
    const source: Inline = base ? text(String(base.source ?? ''), 300) : 'the base model';
    if (b.status === 'incompatible') {
      const reason = incompatibleReason(b);
      const blocks: Block[] = [
        para('⚠️ ', strong('Not compared:'), ' the base model (', source, '; ', ...modelRef(base), ') could not be scored on this data', ...(reason ? [' — ', text(reason, 400)] : []), '. Regression limits could not be checked.'),
      ];
      const gated = list<BaselineMetricChange>(b.metrics).filter((m) => isPresent(m) && m.maxRegression !== undefined);
      if (gated.length > 0) {
        blocks.push({
          k: 'table',
          columns: [col('Metric'), col('Max regression', 'label'), col('Gate', 'status')],
          rows: gated.map((m) => {
            const check = checkOfChange(report, m);
            return { cells: [[name(String(m.title ?? m.id))], [maxRegressionText(m)], [check ? status(check) : 'not gated']] };
          }),
          maxRows: MAX_BASELINE_ROWS,
          more: (n) => [em(`${plural(n, 'more limit')} not shown.`)],
        });
      }
      return blocks;
    }
    const blocks: Block[] = [];
    if (b.status === 'unchanged') {
      blocks.push(para('▬ ', strong('Unchanged:'), ' the model is byte-identical to the base model (', source, '; ', ...modelRef(base), '): not rescored, every change is 0.'));
    } else {
      const changed = numberOr(b.decisionsChanged);
      const iv = isPresent(b.interval) ? b.interval : null;
      const facts: Inline[][] = [
        ['Base: ', source, ' (', ...modelRef(base), ') → this pull request (', ...modelRef(b.current), ')'],
        [`both scored on the same ${plural(numberOr(b.rows) ?? 0, 'row')}`],
        ...(changed !== null ? [[`${plural(changed, 'decision')} changed`]] : []),
        ...(b.dataset ? [['dataset: ', text(b.dataset, 200)]] : []),
        [
          iv
            ? `${formatLevel(numberOr(iv.level) ?? NaN)} intervals of each change from a paired bootstrap (${formatCount(iv.resamples)} resamples, ${String(iv.method)}${numberOr(iv.seed) !== null ? `, seed ${String(iv.seed)}` : ''})`
            : 'no intervals (statistics.resamples is 0)',
        ],
      ];
      blocks.push(para(...facts.flatMap((f, i) => (i > 0 ? [' · ', ...f] : f)), '.'));
    }
    const metrics = list<BaselineMetricChange>(b.metrics).filter((m) => isPresent(m) && typeof m === 'object');
    if (metrics.length === 0) {
      blocks.push(aside('No metric to compare.'));
      return blocks;
    }
    blocks.push(comparedTable(report, metrics, isPresent(b.interval) ? numberOr(b.interval.level) : null));
    blocks.push({
      k: 'only',
      only: ['markdown', 'html'],
      blocks: [
        para(
          'Change: ▲ ▼ the direction of the number; ',
          strong('better'),
          ' / ',
          strong('worse'),
          ' what it means for that metric, said only when the interval of the change excludes 0; ',
          em('(noise)'),
          ' within resampling noise. Gate (limit): the outcome of the regression check, the only column with a verdict mark, and its limit; — not gated.',
        ),
      ],
    });
    return blocks;
  });
}
