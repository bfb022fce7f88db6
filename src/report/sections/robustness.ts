/**
 * The robustness section (issues #3 and #14), built once for every format: what was attacked; the battery as two
 * narrow tables (a PR comment is about 760 pixels wide): one row per attack and budget (accuracy, success rate, flip
 * rate, KS), then one row per attack (median minimal perturbation, disparity across groups at the largest budget, the
 * gate); the worst case per row next to what is certified; the features the attacks change and the relations kept;
 * per-group results (collapsed); the counterfactual test. HTML adds rows and score-change columns and the charts;
 * the terminal shows the facts and the main tables.
 */
import type {
  AttackResult,
  BudgetResult,
  CounterfactualResult,
  FeatureChange,
  GroupingRobustness,
  GroupRobustness,
  RelationInfo,
  RobustnessReport,
  WorstCaseBudget,
  WorstCaseResult,
} from '../../checks/robustness/types.js';
import { isBreached } from '../breaches.js';
import { formatCompact, formatCount, formatPercent, formatValue, plural } from '../format.js';
import { binOrder } from '../group-order.js';
import {
  budgetText,
  checksOnAttack,
  checksOnCounterfactual,
  counterfactualGroupsByFlipRate,
  counterfactualMethodText,
  disparityOf,
  immutableFeatures,
  isPresent,
  largestBudget,
  lengthOf,
  list,
  MAX_ATTACKS,
  MAX_BUDGETS,
  MAX_COUNTERFACTUALS,
  MAX_GROUPINGS,
  medianPerturbationText,
  mostVulnerableOf,
  numberOr,
  perturbationText,
  robustnessOf,
  ROBUSTNESS_TERMS,
} from '../section-views.js';
import type { CheckResult, Report } from '../types.js';
import { aside, code, col, em, fig, flag, name, para, strong, type Block, type Inline, type Level, type Row, type Section } from '../doc/model.js';
import { guarded } from './guard.js';

/** Rows of the attack tables in the job summary (the comment passes fewer). */
export const ROBUSTNESS_ROWS = 40;
/** Rows of the per-group table in the job summary; HTML shows up to GROUP_ROWS_HTML. */
const GROUP_ROWS = 150;
const GROUP_ROWS_HTML = 600;

const DITTO = '″';
const BR: Inline = { k: 'br' };

/** '❌ 1/2 breached', '✅ 2/2 passed' (a mark with its level); nothing without checks. */
export function gateFlag(checks: readonly CheckResult[]): Inline[] {
  if (checks.length === 0) return [];
  const breached = checks.filter(isBreached).length;
  const level: Level = breached === 0 ? 'pass' : checks.some((c) => c.outcome === 'fail') ? 'fail' : checks.some((c) => c.outcome === 'warn') ? 'warn' : 'pass';
  return [flag(level, breached > 0 ? `${breached}/${checks.length} breached` : `${checks.length}/${checks.length} passed`)];
}

function joined(parts: Inline[][], sep: Inline): Inline[] {
  return parts.flatMap((p, i) => (i > 0 ? [sep, ...p] : p));
}

/** The attack's title, with ⏱ stopped when the time budget cut it. */
function attackTitle(a: AttackResult): Inline[] {
  return [name(String(a.title ?? a.key)), ...(a.stopped ? [' ⏱ ', em(`stopped (${String(a.stopped).replace(/_/g, ' ')})`)] : [])];
}

/** 'sex 0.0259 (Male)', one grouping a line, at the largest budget. */
function disparityLines(a: AttackResult, maxGroupings = 4): Inline[] {
  const b = largestBudget(a);
  if (!b) return [fig('—')];
  const groupings = list<GroupingRobustness>(b.groups, MAX_GROUPINGS);
  if (groupings.length === 0) return [fig('—')];
  const lines = groupings.slice(0, maxGroupings).map((g): Inline[] => {
    const worst = mostVulnerableOf(g);
    const v = disparityOf(a, g);
    return [name(String(g.grouping)), ' ', fig(formatValue(v)), ...(v !== null && worst !== null ? [' (', name(worst), ')'] : [])];
  });
  const more = lengthOf(b.groups) - lines.length;
  if (more > 0) lines.push([`+${formatCount(more)} more`]);
  return joined(lines, BR);
}

function attackTables(report: Report, r: RobustnessReport): Block[] {
  const rows: Row[] = [];
  const perAttack: Row[] = [];
  for (const a of list<AttackResult>(r.attacks, MAX_ATTACKS)) {
    const budgets = list<BudgetResult>(a.budgets, MAX_BUDGETS);
    budgets.forEach((b, i) => {
      rows.push({
        cells: [
          i === 0 ? attackTitle(a) : [DITTO],
          [budgetText(a, b.budget)],
          [fig(formatCount(b.rows))],
          [{ k: 'nowrap', c: [fig(`${formatValue(b.accuracyOriginal)} → ${formatValue(b.accuracyUnderAttack)}`)] }],
          [fig(formatValue(b.successRate))],
          [fig(formatValue(b.flipRate))],
          [fig(formatValue(b.meanAbsScoreChange))],
          [fig(formatValue(isPresent(b.ks) ? b.ks.statistic : null))],
        ],
      });
    });
    if (budgets.length === 0) rows.push({ cells: [attackTitle(a), [fig('—')], [fig('n/a')], [fig('n/a')], [fig('n/a')], [fig('n/a')], [fig('n/a')], [fig('n/a')]] });
    perAttack.push({
      cells: [attackTitle(a), [fig(formatCount(numberOr(a.queries)))], [medianPerturbationText(a)], disparityLines(a), gateFlag(checksOnAttack(report, String(a.key)))],
    });
  }
  if (rows.length === 0) return [aside('No attack ran.')];
  return [
    {
      k: 'table',
      columns: [
        col('Attack'),
        col('Budget', 'label'),
        col('Rows', 'number', ['html']),
        col('Accuracy → under attack', 'number'),
        col('Success rate', 'number'),
        col('Flip rate', 'number'),
        col('Mean |Δscore|', 'number', ['html']),
        col('KS', 'number'),
      ],
      rows,
      total: rows.length + Math.max(0, lengthOf(r.attacks) - MAX_ATTACKS),
      maxRows: ROBUSTNESS_ROWS,
      more: (n) => [em(`${plural(n, 'more attack budget')} not shown; see the JSON report.`)],
    },
    // The terminal leaves this one out: the checks table has the gates, the JSON report the disparities.
    {
      k: 'only',
      only: ['markdown', 'html'],
      blocks: [
        {
          k: 'table',
          columns: [
            col('Attack'),
            col('Model queries', 'number', ['html']),
            col('Median min. perturbation', 'number'),
            col('Success-rate disparity, largest budget (most vulnerable group)'),
            col('Gate (attack)', 'status'),
          ],
          rows: perAttack,
          maxRows: ROBUSTNESS_ROWS,
        },
      ],
    },
  ];
}

/** Worst case per row over the attacks of each norm, next to the certified share; then features changed, relations. */
function worstCaseBlocks(r: RobustnessReport): Block[] {
  const blocks: Block[] = [];
  const rows: Row[] = [];
  const cert = isPresent(r.certification) ? r.certification : undefined;
  for (const w of list<WorstCaseResult>(r.worstCase, 4)) {
    for (const b of list<WorstCaseBudget>(w.budgets, 12)) {
      rows.push({
        cells: [
          [w.norm === 'linf' ? 'L∞' : 'L2'],
          [fig(formatCompact(b.epsilon))],
          [fig(formatPercent(b.successRate))],
          [fig(b.certifiedRate === null || b.certifiedRate === undefined ? '—' : formatPercent(b.certifiedRate))],
          [fig(b.unknown === null || b.unknown === undefined || !b.correct ? '—' : formatPercent(b.unknown / b.correct))],
          [fig(formatPercent(b.robustAccuracy))],
        ],
      });
    }
  }
  if (rows.length > 0) {
    const how =
      cert && cert.method === 'linear'
        ? 'certified: the exact minimal perturbation of the linear model'
        : cert && cert.method === 'tree_interval'
          ? 'certified: interval bounds over the trees (a lower bound)'
          : 'no certificate for this model';
    blocks.push(para(strong('Worst case per row'), ` — a row counts as attacked when any attack of the norm flips it within ε; ${how}:`));
    blocks.push({
      k: 'table',
      columns: [col('Norm'), col('ε', 'number'), col('Attacked', 'number'), col('Certified robust', 'number'), col('Unknown', 'number'), col('Robust accuracy', 'number')],
      rows,
    });
  }
  const changes = list<FeatureChange>(r.featureChanges, 8);
  if (changes.length > 0) {
    const shown = changes.map((f): Inline[] => [
      code(String(f.feature)),
      ' ',
      fig(formatPercent(f.share)),
      ...(f.meanAbsChange !== null && f.meanAbsChange !== undefined ? [' (mean ', fig(formatValue(f.meanAbsChange, 3)), ` ${r.units === 'raw' ? 'units' : 'std'})`] : []),
    ]);
    blocks.push({ k: 'only', only: ['markdown', 'html'], blocks: [para('Features the successful attacks change (share of examples): ', ...joined(shown, ', '), '.')] });
  }
  const rel = list<RelationInfo>(r.relations, 200);
  if (rel.length > 0) {
    const functional = rel
      .filter((x) => x.kind === 'functional')
      .slice(0, 6)
      .map((x) => joined(list<string>(x.features, 2).map((f) => [code(String(f))]), ' ↔ '));
    const combos = rel.filter((x) => x.kind === 'combination').length;
    const other = rel.filter((x) => x.kind === 'less_equal' || x.kind === 'sum').length;
    const parts: Inline[][] = [
      ...functional,
      ...(combos > 0 ? [[`${formatCount(combos)} groups of categorical features with impossible combinations ruled out`]] : []),
      ...(other > 0 ? [[`${formatCount(other)} numeric relations`]] : []),
    ];
    blocks.push({ k: 'only', only: ['markdown', 'html'], blocks: [para('Relations every candidate keeps: ', ...joined(parts, ', '), '.')] });
  }
  return blocks;
}

/** Per group of each grouping, at the largest budget of each attack (collapsed; bins in their declared order). */
function groupBlocks(r: RobustnessReport): Block[] {
  const rows: Row[] = [];
  for (const a of list<AttackResult>(r.attacks, MAX_ATTACKS)) {
    const b = largestBudget(a);
    if (!b) continue;
    let first = true;
    for (const g of list<GroupingRobustness>(b.groups, MAX_GROUPINGS)) {
      const groups = list<GroupRobustness>(g.groups);
      const order = binOrder(groups.map((x) => String(x.key))); // bins as declared ('<25', '25-45', '>45')
      if (order) groups.sort((x, y) => order.indexOf(String(x.key)) - order.indexOf(String(y.key)));
      for (const grp of groups) {
        if (rows.length >= GROUP_ROWS_HTML) break;
        rows.push({
          ...(grp.sufficient === false ? { muted: true } : {}),
          cells: [
            first ? [name(String(a.title ?? a.key))] : [DITTO],
            first ? [budgetText(a, b.budget)] : [DITTO],
            [name(String(g.grouping))],
            [name(String(grp.key)), ...(grp.sufficient === false ? [' ', em('(insufficient)')] : [])],
            [fig(formatCount(grp.rows))],
            [fig(formatCount(grp.correct))],
            [fig(formatValue(grp.successRate))],
            [fig(formatValue(grp.flipRate))],
            [fig(formatValue(grp.accuracyUnderAttack))],
            [fig(perturbationText(a, grp.medianPerturbation))],
            [fig(formatValue(grp.ks))],
            [grp.sufficient === false ? `no (${grp.insufficientReason ?? 'too few correct rows'})` : 'yes'],
          ],
        });
        first = false;
      }
    }
  }
  if (rows.length === 0) return [];
  const omitted = rows.length - GROUP_ROWS;
  return [
    {
      k: 'details',
      summary: ['Robustness by group (largest budget of each attack)'],
      open: false,
      blocks: [
        {
          k: 'table',
          columns: [
            col('Attack'),
            col('Budget', 'label'),
            col('Grouping', 'name'),
            col('Group', 'name'),
            col('Rows', 'number'),
            col('Correct', 'number'),
            col('Success rate', 'number'),
            col('Flip rate', 'number'),
            col('Accuracy under attack', 'number'),
            col('Median perturbation of flipped rows', 'number'),
            col('KS original vs adversarial', 'number'),
            col('Used in disparity', 'label', ['html']),
          ],
          rows,
          maxRows: GROUP_ROWS,
          fixedRows: true,
        },
        aside(ROBUSTNESS_TERMS.groups),
        ...(omitted > 0 ? [{ k: 'only', only: ['markdown', 'text'], blocks: [aside(`${plural(omitted, 'more group row')} not shown; see the JSON report.`)] } as Block] : []),
      ],
    },
  ];
}

/** One row per sensitive attribute changed alone, then a line each: what it was changed to, flip rate by group. */
function counterfactualBlocks(report: Report, r: RobustnessReport): Block[] {
  const tests = list<CounterfactualResult>(r.counterfactual, MAX_COUNTERFACTUALS);
  if (tests.length === 0) return [];
  const rows: Row[] = [];
  const lines: Inline[][] = [];
  for (const c of tests) {
    const { shown, omitted } = counterfactualGroupsByFlipRate(c, 6);
    const byGroup = joined(
      shown.map((g): Inline[] => [name(String(g.key)), ' ', fig(formatValue(g.flipRate))]),
      ' · ',
    );
    if (omitted > 0) byGroup.push(` · +${formatCount(omitted)} more`);
    const feature: Inline[] = c.feature === null || c.feature === undefined ? [em('not a model input')] : [code(String(c.feature)), `: ${counterfactualMethodText(c)}`];
    const title: Inline[] = [name(String(c.attribute)), ...(c.stopped ? [' ⏱'] : [])];
    rows.push({
      cells: [
        title,
        [fig(formatCount(c.rows))],
        [fig(formatValue(c.flipRate))],
        [fig(formatValue(c.pairFlipRate))],
        [fig(formatValue(c.meanAbsScoreChange))],
        [fig(formatValue(c.maxAbsScoreChange))],
        gateFlag(checksOnCounterfactual(report, String(c.attribute))),
      ],
    });
    lines.push([strong(...title), ': ', ...feature, '; flip rate by original group: ', ...(byGroup.length ? byGroup : [fig('—')])]);
  }
  const more = lengthOf(r.counterfactual) - tests.length;
  return [
    para(strong('Counterfactual test'), ' — the same rows with only the sensitive attribute changed; a flip is a changed decision:'),
    {
      k: 'table',
      columns: [
        col('Attribute', 'name'),
        col('Rows', 'number'),
        col('Flip rate', 'number'),
        col('Pair flip rate', 'number'),
        col('Mean |Δscore|', 'number'),
        col('Max |Δscore|', 'number'),
        col('Gate', 'status'),
      ],
      rows,
    },
    {
      k: 'only',
      only: ['markdown', 'html'],
      blocks: [{ k: 'list', items: lines }, ...(more > 0 ? [aside(`${plural(more, 'more attribute')} not shown.`)] : []), aside(ROBUSTNESS_TERMS.counterfactual)],
    },
  ];
}

export interface RobustnessSectionOptions {
  /** Include the collapsible per-group table (default true; the comment leaves it out). */
  details?: boolean;
}

export function robustnessSection(report: Report, opts: RobustnessSectionOptions = {}): Section | undefined {
  const r = robustnessOf(report);
  if (!r) return undefined;
  return guarded('robustness', 'Robustness', () => {
    const s = isPresent(r.sample) ? r.sample : undefined;
    const sample = s
      ? `${plural(numberOr(s.rows) ?? 0, 'row')} attacked (${String(s.method ?? 'sample')}: ${formatCount(s.positives)} positive, ` +
        `${formatCount(s.negatives)} negative; ${formatCount(s.correct)} classified correctly) out of ${formatCount(s.datasetRows)}`
      : 'rows attacked: n/a';
    const facts = [
      sample,
      r.units === 'raw' ? 'perturbations in raw feature units' : 'perturbations in standard deviations of each feature',
      r.bounds === 'none' ? 'no numeric bounds' : 'numeric bounds from the data',
      `${formatCount(r.queries)} model queries`,
      `seed ${String(r.seed)}`,
    ];
    const blocks: Block[] = [para(`${facts.join(' · ')}.`)];
    if (r.stopped) blocks.push({ k: 'alert', level: 'warning', c: [`The battery stopped early (${String(r.stopped).replace(/_/g, ' ')}): the results are partial.`] });
    blocks.push(...attackTables(report, r));
    blocks.push({ k: 'only', only: ['markdown', 'html'], blocks: [aside(ROBUSTNESS_TERMS.attacks)] });
    blocks.push(...worstCaseBlocks(r));
    if (opts.details !== false) blocks.push({ k: 'only', only: ['markdown', 'html'], blocks: groupBlocks(r) });
    blocks.push(...counterfactualBlocks(report, r));
    const fixed = immutableFeatures(r);
    if (fixed.length > 0) {
      const shown = fixed.slice(0, 20).map((f): Inline[] => [code(f.feature), ...(f.reason ? [` (${f.reason})`] : [])]);
      blocks.push(para('Features the attacks may not change: ', ...joined(shown, ', '), fixed.length > shown.length ? `, +${formatCount(fixed.length - shown.length)} more` : '', '.'));
    }
    blocks.push({ k: 'only', only: ['html'], blocks: [{ k: 'charts', prefix: 'ks-adversarial' }, { k: 'charts', prefix: 'robustness-feature-changes' }] });
    return blocks;
  });
}
