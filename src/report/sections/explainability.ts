/**
 * The explainability section (issue #4), built once for every format: how the attributions were computed, the ranked
 * global importance (mean |SHAP|, share, mean SHAP, permutation importance, rank range) with sensitive attributes and
 * proxies flagged, and a legend; HTML adds the table of proxies and the importance charts. The terminal shows the
 * method line and the top rows.
 */
import type { AssociationEntry, ExplainabilityReport, ImportanceEntry } from '../../checks/explainability/types.js';
import { formatCount, formatPercent, formatSigned, formatValue, plural } from '../format.js';
import {
  associationMeasureName,
  explainabilityOf,
  importanceUncertaintyText,
  isPresent,
  lengthOf,
  list,
  MAX_IMPORTANCE_ROWS,
  numberOr,
  permutationChangeWord,
  permutationMetricName,
  permutationOf,
  proxiesOf,
  rankedImportance,
  rankRangeOf,
  shapMethodName,
  shapModelCallsText,
  shapSpaceName,
} from '../section-views.js';
import type { Report } from '../types.js';
import { aside, code, col, em, fig, flag, name, only, para, strong, text, type Block, type Inline, type Section } from '../doc/model.js';
import { guarded } from './guard.js';

/** Most rows built (the HTML report shows them all; the summary and comment fewer). */
const MAX_BUILT_ROWS = 50;

/** '⚠️ proxy of sex (Cramér’s V 0.46)': warn when the proxy ranks in the gates' top k, a note further down. */
function proxyFlag(e: ExplainabilityReport, entry: ImportanceEntry): Inline | undefined {
  const strong = proxiesOf(e, String(entry.feature));
  if (strong.length > 0) {
    const parts: Inline[] = ['proxy of '];
    strong.slice(0, 4).forEach((a, i) => {
      if (i > 0) parts.push(', ');
      parts.push(name(a.attribute), ` (${associationMeasureName(a.measure)} `, fig(formatValue(a.value, 2)), ')');
    });
    return flag(strong.some((a) => a.proxyInTopK === true) ? 'warn' : 'note', ...parts);
  }
  const names = list<string>(entry.proxyOf, 4);
  if (names.length === 0) return undefined;
  return flag('note', 'proxy of ', ...names.flatMap((n, i) => (i > 0 ? [', ', name(n)] : [name(n)])));
}

/** 'KernelSHAP (512 paired coalitions per row) on 60 explained rows against a background of 30 sampled rows, …'. */
function methodLine(e: ExplainabilityReport): Inline[] {
  const detail: Inline[][] = [];
  if (isPresent(e.kernel)) {
    const k = e.kernel;
    detail.push(
      k.exact === true
        ? [`all ${formatCount(k.coalitions)} coalitions enumerated: exact`]
        : [`${formatCount(k.coalitions)} ${k.paired === true ? 'paired ' : ''}coalitions per row${lengthOf(k.completeSizes) > 0 ? `, sizes ${list<number>(k.completeSizes, 10).map((x) => formatCount(x)).join(', ')} enumerated` : ''}`],
    );
  }
  if (isPresent(e.tree)) {
    const t = e.tree;
    detail.push([
      `exact, interventional; ${String(t.operator)}: ${plural(numberOr(t.trees) ?? 0, 'tree')}, ${formatCount(t.nodes)} nodes, ${formatCount(t.leaves)} leaves, depth ≤ ${formatCount(t.maxDepth)}, post-transform ${String(t.postTransform)}; trees reproduce the model's scores within `,
      fig(formatValue(t.maxScoreDifference, 2)),
    ]);
  }
  const bg = isPresent(e.background) ? e.background : undefined;
  const background = bg
    ? `a background of ${formatCount(bg.size)} ${bg.method === 'kmeans' ? 'k-means centres' : 'sampled rows'}${numberOr(bg.fromRows) !== null ? ` from ${formatCount(bg.fromRows)}` : ''}`
    : 'a background sample';
  const out: Inline[] = [strong(shapMethodName(e.method))];
  if (detail.length) out.push(' (', ...detail.flatMap((d, i) => (i > 0 ? ['; ', ...d] : d)), ')');
  out.push(` on ${plural(numberOr(e.explainedRows) ?? 0, 'explained row')} against ${background}, in ${shapSpaceName(e.space)} space.`);
  return out;
}

/** Additivity error, model calls, why this method. */
function factsLine(e: ExplainabilityReport): Inline[] {
  const facts: Inline[][] = [];
  if (isPresent(e.additivityError)) {
    const parts = Object.entries(e.additivityError)
      .slice(0, 3)
      .map(([space, v]): Inline[] => [fig(formatValue(numberOr(v), 2)), ` (${shapSpaceName(space)})`]);
    if (parts.length) facts.push(['Additivity error ', ...parts.flatMap((p, i) => (i > 0 ? [', ', ...p] : p))]);
  }
  facts.push([shapModelCallsText(e)]);
  if (e.methodReason) facts.push(['why this method: ', text(e.methodReason, 300)]);
  return [...facts.flatMap((f, i) => (i > 0 ? [' · ', ...f] : f)), '.'];
}

function importanceTable(e: ExplainabilityReport): Block {
  const perm = isPresent(e.permutation) ? e.permutation : null;
  const ranges = importanceUncertaintyText(e) !== '';
  const { shown, omitted } = rankedImportance(e, MAX_BUILT_ROWS);
  const rows = shown.map((f) => {
    const p = perm ? permutationOf(e, String(f.feature)) : undefined;
    const flags = [f.sensitive === true ? flag('warn', 'sensitive attribute') : undefined, proxyFlag(e, f)].filter((x): x is Inline => x !== undefined);
    const feature = name(f.feature);
    return {
      cells: [
        [fig(formatCount(f.rank))],
        [f.sensitive === true ? strong(feature) : feature],
        [fig(formatValue(f.meanAbsShap))],
        [fig(formatPercent(f.share))],
        [fig(formatSigned(f.meanShap))],
        ...(perm ? [[fig(p ? `${formatValue(p.mean)} ± ${formatValue(p.std)}` : 'n/a')]] : []),
        ...(ranges ? [[fig(rankRangeOf(e, String(f.feature)) ?? 'n/a')]] : []),
        flags.flatMap((x, i) => (i > 0 ? ['; ', x] : [x])),
      ],
    };
  });
  return {
    k: 'table',
    columns: [
      col([fig('#')], 'number'),
      col('Feature', 'name'),
      col('Mean |SHAP|', 'number'),
      col('Share', 'number'),
      col('Mean SHAP', 'number', ['markdown', 'html']),
      ...(perm ? [col(`Permutation (${permutationMetricName(perm.metric)} ${permutationChangeWord(perm.metric)}) ± std`, 'number', ['markdown', 'html'])] : []),
      ...(ranges ? [col('Rank range', 'number')] : []),
      col('Sensitive / proxy'),
    ],
    rows,
    total: shown.length + omitted,
    maxRows: MAX_IMPORTANCE_ROWS,
    more: (n) => [em(`${plural(n, 'more feature')} not shown; see the JSON report.`)],
  };
}

/** What the columns and marks mean, the permutation settings, the ranking's stability and what its ranges are. */
function legend(e: ExplainabilityReport): Inline[] {
  const space = shapSpaceName(e.space);
  const k = formatCount(e.topK);
  const out: Inline[] = [
    `Share: the feature's part of the total mean |SHAP|. Mean SHAP: the average signed effect on the ${space}. The rank and proxy gates look at the top ${k}: `,
    only(['markdown'], `⚠️ marks a sensitive attribute, or a proxy of one ranked in the top ${k}; 🔗 a proxy ranked lower.`),
    only(['html', 'text'], `orange marks a sensitive attribute, or a proxy of one ranked in the top ${k}; grey a proxy ranked lower.`),
    ' Proxy: a feature strongly associated with a sensitive attribute (Cramér’s V or correlation ratio at or above the policy’s ',
    code('proxy'),
    ' thresholds), through which a model can lean on the attribute without seeing it.',
  ];
  const perm = isPresent(e.permutation) ? e.permutation : null;
  if (perm) {
    const metric = permutationMetricName(perm.metric);
    out.push(
      ` Permutation importance: ${metric} ${permutationChangeWord(perm.metric)} when the column is shuffled, mean ± std over ${plural(numberOr(perm.repeats) ?? 0, 'repeat')} on ${plural(numberOr(perm.rows) ?? 0, 'row')} (unshuffled ${metric} `,
      fig(formatValue(perm.baseline)),
      ').',
    );
  }
  if (isPresent(e.stability)) {
    out.push(' Ranking stability: Spearman ', fig(formatValue(e.stability.spearman)), ` between ${e.stability.method === 'seeds' ? 'two background samples (seeds)' : 'the two halves of the explained rows'}.`);
  }
  const uncertainty = importanceUncertaintyText(e);
  if (uncertainty !== '') out.push(` Rank range: ${uncertainty}. A gate whose range reaches both sides of its limit is inconclusive rather than decided by the seed.`);
  return out;
}

/** The strong associations of features with sensitive attributes (HTML only: the table shows the flags). */
function proxiesTable(e: ExplainabilityReport): Block[] {
  const strongOnes = list<AssociationEntry>(e.associations).filter((a) => isPresent(a) && a.strong === true);
  if (strongOnes.length === 0) return [];
  return [
    { k: 'heading', c: ['Proxies of sensitive attributes (associations at or above the policy threshold)'] },
    {
      k: 'table',
      columns: [col('Feature', 'name'), col('Attribute', 'name'), col('Measure', 'label'), col('Association', 'number'), col('Normalised mutual information', 'number'), col('Importance rank', 'number'), col('')],
      rows: strongOnes.slice(0, 50).map((a) => ({
        cells: [
          [name(a.feature)],
          [name(a.attribute)],
          [associationMeasureName(a.measure)],
          [fig(formatValue(a.value))],
          [fig(formatValue(a.mutualInformation))],
          [fig(a.rank === null ? '—' : formatCount(a.rank))],
          a.proxyInTopK === true ? [flag('warn', `in the top ${formatCount(e.topK)}`)] : [],
        ],
      })),
    },
  ];
}

export function explainabilitySection(report: Report): Section | undefined {
  const e = explainabilityOf(report);
  if (!e) return undefined;
  return guarded('explainability', 'Explainability', () => {
    const blocks: Block[] = [para(...methodLine(e)), { k: 'only', only: ['markdown', 'html'], blocks: [para(...factsLine(e))] }];
    if (e.truncated === true) blocks.push({ k: 'alert', level: 'warning', c: ['The time budget cut the computation short: fewer rows were explained than the policy asked for.'] });
    if (lengthOf(e.importance) === 0) blocks.push(aside('No importance was computed.'));
    else blocks.push(importanceTable(e));
    blocks.push({ k: 'only', only: ['markdown', 'html'], blocks: [aside(...legend(e))] });
    blocks.push({ k: 'only', only: ['html'], blocks: [...proxiesTable(e), { k: 'charts', names: ['feature-importance', 'permutation-importance'] }] });
    return blocks;
  });
}
