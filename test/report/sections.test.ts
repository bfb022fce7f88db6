/**
 * The robustness, explainability and baseline sections in every renderer (job summary, PR comment, HTML, terminal,
 * SARIF rule help), on real reports made by the gate (sections-fixture.ts): the numbers shown are the Report's, the
 * tables are well-formed and bounded, names from data are escaped, a malformed section never throws, and the comment
 * trims those sections in the right order.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { renderCharts } from '../../src/report/charts/index.js';
import { commentMarker, GITHUB_COMMENT_MAX_CHARS, renderComment } from '../../src/report/comment.js';
import { formatCompact, formatIntervalBounds, formatPercent, formatSigned, formatValue } from '../../src/report/format.js';
import { renderHtml } from '../../src/report/html.js';
import { renderBaseline, renderExplainability, renderRobustness, renderSummary } from '../../src/report/markdown.js';
import { ruleHelp } from '../../src/report/rule-help.js';
import { directionArrow } from '../../src/report/section-views.js';
import { renderText, renderTextBaseline, renderTextExplainability, renderTextRobustness } from '../../src/report/text.js';
import type { Report } from '../../src/report/types.js';
import { renamed, sectionReports, type SectionReports } from './sections-fixture.js';

let reports: SectionReports;
beforeAll(async () => {
  reports = await sectionReports();
}, 120_000);

/** Unescaped '|' in a markdown line. */
function cellSeparators(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '|') n++;
  }
  return n;
}

/** Every GFM table of the text; each row has as many cells as its header. */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (!current) out.push((current = []));
      current.push(line);
    } else current = undefined;
  }
  for (const t of out) {
    expect(t[1]).toMatch(/^\|( :?-+:? \|)+$/);
    for (const row of t) expect(cellSeparators(row), row).toBe(cellSeparators(t[0] as string));
  }
  return out;
}

/** The table whose header line starts with `header`. */
function tableAfter(md: string, header: string): string[] {
  const t = tables(md).find((x) => (x[0] as string).startsWith(header));
  expect(t, header).toBeDefined();
  return (t as string[]).slice(2);
}

const esc = (s: string) => s.replace(/_/g, '\\_').replace(/>/g, '&gt;').replace(/</g, '&lt;');

describe('job summary sections', () => {
  test('baseline: before → after with arrow, effect, paired CI, significance, limit and gate, from the report', () => {
    const r = reports.compared;
    const md = renderBaseline(r);
    expect(md.startsWith('### Compared with the base model\n\nBase: file ')).toBe(true);
    expect(md).toContain(`both scored on the same 2,000 rows · ${r.baseline!.decisionsChanged} decisions changed · 95% intervals of each change from a paired bootstrap (200 resamples`);
    // five columns; one meaning per mark: ▲ ▼ the direction, better / worse in words (significant changes only),
    // ✅ ❌ ⚠️ only in the Gate column (the check's outcome)
    const rows = tableAfter(md, '| Metric | Base → PR | Change | 95% CI of change | Gate (limit) |');
    expect(rows).toHaveLength(r.baseline!.metrics.length);
    const arrows = { up: '▲', down: '▼', flat: '▬', unknown: '·' } as const;
    r.baseline!.metrics.forEach((m, i) => {
      const check = r.checks.find((c) => c.id === m.checkId);
      const gate = !check ? '—' : `${check.status === 'insufficient' ? '⚠️ insufficient' : check.outcome === 'fail' ? '❌ fail' : '✅ pass'} (drop&nbsp;≤&nbsp;${formatCompact(m.maxRegression!)})`;
      const word = m.significant && (m.effect === 'better' || m.effect === 'worse') ? `&nbsp;**${m.effect}**` : m.significant === false && m.delta !== 0 ? '&nbsp;_(noise)_' : '';
      expect(rows[i]).toBe(
        `| ${esc(m.title)} | ${formatValue(m.before)}&nbsp;→&nbsp;${formatValue(m.after)} | ${arrows[m.direction]}&nbsp;${formatSigned(m.delta)}${word} | ` +
          `${formatIntervalBounds(m.deltaInterval!).replace(', ', ',&nbsp;')} | ${gate} |`,
      );
      // the arrow and the word agree with the metric's direction: a drop of a higher-is-better metric is never "better"
      if (m.significant && m.higherIsBetter === true) expect(m.effect).toBe(m.direction === 'up' ? 'better' : 'worse');
      expect(rows[i]!.split(' | ').slice(0, 4).join(' | ')).not.toMatch(/[✅❌]/);
    });
    // The PR's logistic regression ranks worse than the base tree ensemble: a significant, gated drop.
    const auc = r.baseline!.metrics.find((m) => m.id === 'roc_auc')!;
    expect(auc.direction).toBe('down');
    expect(auc.effect).toBe('worse');
    expect(rows[0]).toMatch(/^\| ROC AUC \| 0\.9\d{3}&nbsp;→&nbsp;0\.8\d{3} \| ▼&nbsp;-0\.0\d{3}&nbsp;\*\*worse\*\* \| \[-0\.\d{4},&nbsp;-0\.\d{4}\] \| ❌ fail \(drop&nbsp;≤&nbsp;0\.01\) \|$/);
  });

  test('baseline: an unchanged model and an incompatible base are said in words', () => {
    const unchanged = renderBaseline(reports.unchanged);
    expect(unchanged).toContain('▬ **Unchanged:** the model is byte-identical to the base model');
    expect(unchanged).toContain('| ROC AUC | ');
    expect(tableAfter(unchanged, '| Metric | Base → PR |').every((row) => row.includes('| ▬&nbsp;0.0000 |'))).toBe(true);
    const incompatible = renderBaseline(reports.incompatible);
    expect(incompatible).toContain("⚠️ **Not compared:** the base model (file ");
    expect(incompatible).toContain("could not be scored on this data — the base model's inputs cannot be built from the dataset");
    expect(tableAfter(incompatible, '| Metric | Max regression | Gate |')).toEqual([
      '| ROC AUC | drop ≤ 0.01 | ⚠️ insufficient |',
      '| Accuracy | drop ≤ 0.01 | ⚠️ insufficient |',
      '| Demographic parity ratio (sex) | drop ≤ 0.02 | ⚠️ insufficient |',
      '| Demographic parity ratio (race) | drop ≤ 0.02 | ⚠️ insufficient |',
      '| Demographic parity ratio (age\\_bin) | drop ≤ 0.02 | ⚠️ insufficient |',
    ]);
  });

  test('robustness: one row per attack and budget with accuracy, success rate, flip rate, median perturbation, KS, disparity', () => {
    const r = reports.compared;
    const rob = r.robustness!;
    const md = renderRobustness(r);
    expect(md).toContain(`${rob.sample.rows} rows attacked (stratified by label: ${rob.sample.positives} positive, ${rob.sample.negatives} negative; ${rob.sample.correct} classified correctly) out of 2,000`);
    // Two narrow tables (a PR comment is ~760 px wide): per attack and budget, then per attack.
    const rows = tableAfter(md, '| Attack | Budget | Accuracy → under attack | Success rate | Flip rate | KS |');
    expect(rows).toHaveLength(rob.attacks.reduce((n, a) => n + a.budgets.length, 0));
    const noise = rob.attacks[0]!;
    const b = noise.budgets[1]!;
    expect(rows[1]).toBe(
      `| ″ | strength ${formatCompact(b.budget)} std | ${formatValue(b.accuracyOriginal)}&nbsp;→&nbsp;${formatValue(b.accuracyUnderAttack)} | ${formatValue(b.successRate)} | ` +
        `${formatValue(b.flipRate)} | ${formatValue(b.ks.statistic)} |`,
    );
    const perAttack = tableAfter(md, '| Attack | Median min. perturbation | Success-rate disparity, largest budget (most vulnerable group) | Gate (attack) |');
    expect(perAttack).toHaveLength(rob.attacks.length);
    const last = noise.budgets[noise.budgets.length - 1]!;
    const sex = last.groups.find((g) => g.grouping === 'sex')!;
    expect(perAttack[0]).toMatch(/^\| Random noise \(Gaussian, per-feature scale\) \| &gt; 0\.25 \| .* \| ❌ 1\/1 breached \|$/);
    // one grouping per line in the disparity cell
    expect(perAttack[0]).toContain(`| sex ${formatValue(sex.flipRateDisparity)} (${sex.mostVulnerable})<br>race `);
    const decision = rob.attacks.find((a) => a.key === 'decision_attack/l2')!;
    const decisionRow = perAttack.find((row) => row.startsWith('| Decision-based attack'))!;
    expect(decisionRow).toContain(`| ${formatValue(decision.medianPerturbation!.value)} |`);
    expect(decisionRow).toMatch(/✅ 1\/1 passed \|$/);
    // Counterfactual flip rates per sensitive attribute, then per original group (highest first) below the table.
    const cf = tableAfter(md, '| Attribute | Rows | Flip rate | Pair flip rate |');
    expect(cf).toHaveLength(3);
    const sexCf = rob.counterfactual.find((c) => c.attribute === 'sex')!;
    const [hi, lo] = [...sexCf.groups].sort((x, y) => (y.flipRate ?? 0) - (x.flipRate ?? 0));
    expect(cf[0]).toBe(
      `| sex | ${sexCf.rows} | ${formatValue(sexCf.flipRate)} | ${formatValue(sexCf.pairFlipRate)} | ` +
        `${formatValue(sexCf.meanAbsScoreChange)} | ${formatValue(sexCf.maxAbsScoreChange)} | ❌ 1/1 breached |`,
    );
    expect(md).toContain(`- **sex**: \`sex\`: each other category (2 values); flip rate by original group: ${hi!.key} ${formatValue(hi!.flipRate)} · ${lo!.key} ${formatValue(lo!.flipRate)}`);
    // A numeric attribute is moved to each other bin's median: the values the report used are named.
    const ageCf = rob.counterfactual.find((c) => c.attribute === 'age_bin')!;
    const medians = ageCf.values.map((v) => `${esc(v.key)}: ${formatCompact(v.value as number)}`).join(', ');
    expect(md).toContain(`- **age\\_bin**: \`age\`: moved to each other bin (3 bins), set to the bin's median (${medians});`);
    expect(md).toContain('_Flip rate: share of rows whose decision changes for at least one other value of the attribute. Pair flip rate:');
    // The per-group median only counts flipped rows: its column and note say so.
    expect(md).toContain('| Median perturbation of flipped rows |');
    expect(md).toContain('so it can be below the attack’s median min. perturbation');
    expect(md).toContain('Features the attacks may not change: `age` (sensitive), `race` (sensitive), `sex` (sensitive).');
    // Per-group table, collapsed.
    expect(md).toContain('<details>\n<summary>Robustness by group (largest budget of each attack)</summary>');
    expect(md).toContain('| Amer-Indian-Eskimo _(insufficient)_ |');
    // bins in their declared order there too
    const byGroup = tableAfter(md, '| Attack | Budget | Grouping | Group |');
    const ageRows = byGroup.slice(0, 40).filter((row) => row.includes('| age\\_bin |')).map((row) => row.split(' | ')[3]);
    expect(ageRows.slice(0, 3)).toEqual(['&lt;25', '25-45', '&gt;45']);
  });

  test('explainability: ranked raw-column importance with share, permutation ± std, sensitive attributes and proxies', () => {
    const r = reports.compared;
    const ex = r.explainability!;
    const md = renderExplainability(r);
    expect(md).toContain(`**KernelSHAP** (${ex.kernel!.coalitions} paired coalitions per row`);
    expect(md).toContain(`on ${ex.explainedRows} explained rows against a background of ${ex.background.size} sampled rows from ${ex.background.fromRows.toLocaleString('en-US')}, in probability space.`);
    expect(md).toContain(`Additivity error ${formatValue(ex.additivityError.probability, 2)} (probability)`);
    expect(md).toContain(`${ex.modelCalls} model calls (`);
    const rows = tableAfter(md, '| # | Feature | Mean \\|SHAP\\| | Share | Mean SHAP | Permutation (ROC AUC drop) ± std | Rank range |');
    expect(rows).toHaveLength(ex.importance.length);
    ex.importance.forEach((f, i) => {
      const p = ex.permutation!.features.find((x) => x.feature === f.feature)!;
      const name = f.sensitive ? `**${esc(f.feature)}**` : esc(f.feature);
      const range = ex.uncertainty!.features.find((x) => x.feature === f.feature)!;
      expect(rows[i]!.startsWith(`| ${f.rank} | ${name} | ${formatValue(f.meanAbsShap)} | ${formatPercent(f.share)} | ${formatSigned(f.meanShap)} | ${formatValue(p.mean)} ± ${formatValue(p.std)} | ${range.rankLow}–${range.rankHigh} | `)).toBe(true);
      if (f.sensitive) expect(rows[i]).toContain('⚠️ sensitive attribute');
    });
    // Proxies carry the association measured; one in the top k is a warning, one further down a link.
    const proxy = ex.associations.filter((a) => a.strong && a.proxyInTopK).sort((a, b) => b.value - a.value)[0]!;
    const row = rows.find((x) => x.startsWith(`| ${proxy.rank} |`))!;
    expect(row).toContain(`⚠️ proxy of `);
    expect(row).toContain(`${esc(proxy.attribute)} (Cramér’s V ${formatValue(proxy.value, 2)})`);
    const unchanged = renderExplainability(reports.unchanged);
    expect(unchanged).toMatch(/\*\*TreeSHAP\*\* \(exact, interventional; TreeEnsembleClassifier: 100 trees, [\d,]+ nodes, [\d,]+ leaves, depth ≤ \d+, post-transform LOGISTIC;/);
    // Exact TreeSHAP reads the trees from the graph and never runs the model: said in words, not '0 model calls'.
    expect(reports.unchanged.explainability!.modelCalls).toBe(0);
    expect(unchanged).toContain('no model calls for SHAP (TreeSHAP reads the trees from the graph)');
    expect(md).toContain('⚠️ marks a sensitive attribute, or a proxy of one ranked in the top');
  });

  test('the summary places them: baseline after the breaches, robustness and explainability before performance; capped sizes', () => {
    const md = renderSummary(reports.compared);
    tables(md);
    const at = (s: string) => md.indexOf(s);
    expect(at('### Breached')).toBeLessThan(at('### Compared with the base model'));
    expect(at('### Compared with the base model')).toBeLessThan(at('<summary><b>All '));
    expect(at('### Fairness')).toBeLessThan(at('### Robustness'));
    expect(at('### Robustness')).toBeLessThan(at('### Explainability'));
    expect(at('### Explainability')).toBeLessThan(at('<summary><b>Performance on'));
    expect((md.match(/<details/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    // Under a smaller byte budget the sections shrink (fewer rows, no per-group details) before anything is cut.
    const budget = Buffer.byteLength(md) - 1;
    const small = renderSummary(reports.compared, { maxBytes: budget });
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(budget);
    expect(md).toContain('Robustness by group');
    expect(small).not.toContain('Robustness by group');
    expect(small).toContain('### Robustness');
    expect(small).toContain('### Explainability');
    expect(small).toContain('| ROC AUC | ');
    expect(small).not.toContain('The summary was cut');
  });
});

describe('PR comment', () => {
  const marker = commentMarker('.github/model-policy.yml');
  const links = { runUrl: 'https://github.com/o/r/actions/runs/1', artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/2' };

  test('the before/after table follows the breached table, before the charts; robustness and explainability have their blocks', () => {
    const body = renderComment(reports.compared, { marker, ...links });
    tables(body);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    const at = (s: string) => body.indexOf(s);
    expect(at('### Breached')).toBeGreaterThan(0);
    expect(at('### Breached')).toBeLessThan(at('### Compared with the base model'));
    expect(at('### Compared with the base model')).toBeLessThan(at('📈'));
    expect(body).toContain('| ROC AUC | ');
    expect(body).toMatch(/<summary>❌ <b>Robustness<\/b> \(10 checks, \d+ breached\)<\/summary>/);
    expect(body).toContain('| Attack | Budget | Accuracy → under attack |');
    expect(body).toContain('**Counterfactual test**');
    expect(body).toMatch(/<summary>❌ <b>Explainability<\/b> \(10 checks, \d+ breached\)<\/summary>/);
    // The comment shows the top 10 features and says how many it left out.
    expect(tableAfter(body, '| # | Feature |')).toHaveLength(10);
    expect(body).toContain(`_${reports.compared.explainability!.importance.length - 10} more features not shown; see the JSON report._`);
    // The baseline checks are in the table's Gate column, not in a second block.
    expect(body).not.toContain('<b>Baseline comparison</b>');
  });

  test('trims explainability, then robustness, and only then the before/after table', () => {
    const full = renderComment(reports.compared, { marker, ...links });
    const order: string[] = [];
    for (let limit = full.length - 200; limit > 3000; limit -= 400) {
      const body = renderComment(reports.compared, { marker, ...links, maxChars: limit });
      expect(body.length).toBeLessThanOrEqual(limit);
      const cut = /left out: ([^.]*)\./.exec(body)?.[1]?.split(', ') ?? [];
      for (const c of cut) if (!order.includes(c)) order.push(c);
      if (body.includes('### Compared with the base model')) {
        expect(body).toContain('| ROC AUC | ');
      } else {
        expect(cut).toContain('robustness details');
        expect(cut).toContain('explainability details');
      }
    }
    const pos = (label: string) => order.indexOf(label);
    expect(pos('explainability details')).toBeGreaterThanOrEqual(0);
    expect(pos('explainability details')).toBeLessThan(pos('robustness details'));
    expect(pos('robustness details')).toBeLessThan(pos('before/after table of the base model'));
    expect(pos('run details')).toBeLessThan(pos('explainability details'));
  });
});

describe('HTML report', () => {
  test('the three sections with their tables', () => {
    const r = reports.compared;
    const html = renderHtml(r, renderCharts(r));
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));
    const rob = section('robustness');
    // The summary's tables, with HTML's extra columns (rows, mean |Δscore|, model queries, used in disparity).
    const noise = r.robustness!.attacks[0]!;
    expect(rob).toContain('<th>Attack</th><th>Budget</th><th class="num">Rows</th><th class="num">Accuracy → under attack</th>');
    expect(rob).toContain(`<tr><td>Random noise (Gaussian, per-feature scale)</td><td class="num">${noise.queries.toLocaleString('en-US')}</td>`);
    expect(rob).toContain('<p><strong>Counterfactual test</strong> — the same rows with only the sensitive attribute changed');
    expect(rob).toContain('<details><summary>Robustness by group (largest budget of each attack)</summary>');
    expect(rob).toContain('<th>Used in disparity</th>');
    expect(rob).toContain('data-chart="ks-adversarial-noise"');
    const ex = section('explainability');
    expect(ex).toContain(`<p><strong>KernelSHAP</strong> (${r.explainability!.kernel!.coalitions} paired coalitions per row`);
    const first = r.explainability!.importance[0]!;
    expect(ex).toContain(`<tr><td class="num">1</td><td>${first.feature}</td><td class="num">${formatValue(first.meanAbsShap)}</td><td class="num">${formatPercent(first.share)}</td>`);
    expect(ex).toMatch(new RegExp(`<td class="num">1</td><td>${first.feature}</td>.*?<td><span class="st warn">proxy of sex \\(Cramér’s V `));
    expect(ex).toContain('<h3>Proxies of sensitive attributes');
    const base = section('baseline');
    const auc = r.baseline!.metrics.find((m) => m.id === 'roc_auc')!;
    // The summary's table: base → PR, the change and what it means (only when significant), the gate with its limit.
    expect(base).toContain(
      `<tr class="fail"><td>ROC AUC</td><td class="num">${formatValue(auc.before)} → ${formatValue(auc.after)}</td><td class="num">▼ ${formatSigned(auc.delta)} <strong>worse</strong></td>`,
    );
    expect(base).toContain('<th>95% CI of change</th><th>Significant</th><th>Gate (limit)</th>');
    expect(base).toContain('<td><span class="st fail">✖ fail</span> (drop ≤ 0.01)</td>');
    const flat = r.baseline!.metrics.find((m) => m.significant === false && m.delta !== null && m.effect !== 'neutral')!;
    expect(base).toContain(`<td class="num">${directionArrow(flat.direction)} ${formatSigned(flat.delta)} <em>(noise)</em></td>`);
    expect(renderHtml(reports.unchanged, [])).toContain('▬ <strong>Unchanged:</strong> the model is byte-identical to the base model (');
    expect(renderHtml(reports.incompatible, [])).toMatch(/<p>⚠️ <strong>Not compared:<\/strong> the base model \(.*\) could not be scored on this data — the base model&#39;s inputs cannot be built from the dataset/);
  });
});

describe('terminal', () => {
  test('a baseline block, one line per attack and counterfactual, the top 5 features', () => {
    const r = reports.compared;
    const text = renderText(r);
    const base = renderTextBaseline(r).split('\n');
    // The summary's section, as terminal text: what was compared (wrapped), then one row per metric.
    expect(base[0]).toBe('Compared with the base model:');
    expect(base.slice(1, 4).join(' ')).toMatch(/^ {2}Base: file .*gbt_onehot\.onnx \(sha256 [0-9a-f]{12}, .*both scored on the same 2,000 rows · \d+ decisions changed ·/);
    const top0 = base.findIndex((l) => l.startsWith('  METRIC'));
    expect(base[top0]).toMatch(/^ {2}METRIC +BASE → PR +CHANGE {2}95% CI OF CHANGE +GATE \(LIMIT\)$/);
    const auc = r.baseline!.metrics[0]!;
    expect(base[top0 + 1]).toMatch(new RegExp(`^  ROC AUC +${formatValue(auc.before)} → ${formatValue(auc.after)} +▼ ${formatSigned(auc.delta)} worse  \\[-0\\.\\d{4}, -0\\.\\d{4}\\] +FAIL \\(drop ≤ 0\\.01\\)$`));
    const rows = base.slice(top0 + 1).filter((l) => /\d → \d/.test(l));
    expect(rows).toHaveLength(r.baseline!.metrics.length);
    // better / worse only for significant changes (the summary's rule); a change within noise says so.
    const noise = r.baseline!.metrics.findIndex((m) => m.significant === false && m.delta !== null && m.effect !== 'neutral');
    expect(noise).toBeGreaterThanOrEqual(0);
    expect(rows[noise]).toMatch(/\d \(noise\) +\[/);
    expect(rows[noise]).not.toMatch(/ (better|worse)( |$)/);
    const rob = renderTextRobustness(r).split('\n');
    // The summary's section as terminal text: facts, one row per attack and budget, worst case, counterfactuals.
    expect(rob[0]).toBe('Robustness:');
    const attacksHead = rob.findIndex((l) => l.startsWith('  ATTACK '));
    expect(rob[attacksHead]).toMatch(/^ {2}ATTACK +BUDGET +ACCURACY → UNDER ATTACK {2}SUCCESS RATE {2}FLIP RATE +KS$/);
    const cat = r.robustness!.attacks.find((a) => a.key === 'categorical_attack')!;
    const b0 = cat.budgets[0]!;
    expect(rob.some((l) => new RegExp(`^  Categorical attack +≤ 1 feature +${formatValue(b0.accuracyOriginal)} → ${formatValue(b0.accuracyUnderAttack)} +${formatValue(b0.successRate)} +${formatValue(b0.flipRate)} +${formatValue(b0.ks.statistic)}$`).test(l))).toBe(true);
    const cfHead = rob.findIndex((l) => l.startsWith('  ATTRIBUTE '));
    expect(rob.slice(cfHead + 1, cfHead + 1 + r.robustness!.counterfactual.length).map((l) => l.trim().split(/ +/)[0])).toEqual(r.robustness!.counterfactual.map((c) => c.attribute));
    const ex = renderTextExplainability(r).split('\n');
    // The same section as the summary's, terser: the method line, the top 5 rows, how many more.
    expect(ex[0]).toBe('Explainability:');
    expect(ex[1]).toMatch(/^  KernelSHAP \(\d+ paired coalitions per row/);
    const head = ex.findIndex((l) => l.startsWith('  #  FEATURE'));
    expect(ex[head]).toMatch(/^  # {2}FEATURE +MEAN \|SHAP\| {2}SHARE {2}RANK RANGE {2}SENSITIVE \/ PROXY$/);
    const top = r.explainability!.importance[0]!;
    expect(ex[head + 1]).toMatch(new RegExp(`^  1  ${top.feature} +${formatValue(top.meanAbsShap)} +${formatPercent(top.share).replace('.', '\\.')} +\\d+–\\d+  proxy of sex \\(Cramér’s V`));
    expect(ex.slice(head + 1, -1).filter((l) => /^  \d /.test(l))).toHaveLength(5);
    expect(ex.at(-1)).toBe(`  ${r.explainability!.importance.length - 5} more features not shown; see the JSON report.`);
    expect(text.indexOf('Compared with the base model:')).toBeLessThan(text.indexOf('Robustness:'));
    expect(text.indexOf('Robustness:')).toBeLessThan(text.indexOf('Explainability:'));
    expect(renderTextBaseline(reports.unchanged).split('\n').slice(1, 3).join(' ')).toMatch(/^ {2}▬ Unchanged: the model is byte-identical to the base model \(file .*\): +not rescored, every change is 0\.$/);
  });
});

describe('untrusted names and malformed sections', () => {
  const hostile = '<img src=x onerror=alert(1)>|**x**|</details>@everyone';

  test('names from the data are escaped everywhere', () => {
    const r = renamed(reports.compared, { marital_status: hostile, Female: '<script>alert(1)</script>', White: '```\n</details>' });
    expect(r.explainability!.importance.some((f) => f.feature === hostile)).toBe(true);
    const md = renderSummary(r);
    const comment = renderComment(r, { marker: commentMarker('p.yml') });
    for (const out of [md, comment]) {
      tables(out);
      expect(out).not.toMatch(/<img|<script/);
      expect(out.replace(/```mermaid[\s\S]*?```/g, '')).not.toContain('@everyone');
      expect((out.match(/<details/g) ?? []).length).toBe((out.match(/<\/details>/g) ?? []).length);
    }
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\*\\*x\\*\\*\\|&lt;/details&gt;@&#8203;everyone');
    const html = renderHtml(r, renderCharts(r));
    expect(html).not.toMatch(/<img|<script|<\/details>@/);
    expect(renderText(r)).not.toContain('\n</details>');
  });

  test('a malformed section (an untrusted report.json) never throws, and says it is malformed', () => {
    const r = JSON.parse(JSON.stringify(reports.compared)) as Report & Record<string, unknown>;
    (r as unknown as Record<string, unknown>).robustness = { attacks: 'x', counterfactual: [{ groups: 5, values: null }], sample: null };
    (r as unknown as Record<string, unknown>).explainability = { importance: [{ feature: {}, rank: 'a' }, null], permutation: 7, associations: {} };
    (r as unknown as Record<string, unknown>).baseline = { status: 'compared', metrics: [null, { title: 5, deltaInterval: 3, direction: 'sideways' }], base: 'x' };
    const md = renderSummary(r);
    expect(md).toContain('### Robustness');
    expect(md).toContain('### Compared with the base model');
    expect(() => renderComment(r, { marker: 'm' })).not.toThrow();
    expect(() => renderHtml(r, renderCharts(r))).not.toThrow();
    expect(() => renderText(r)).not.toThrow();
    const broken = JSON.parse(JSON.stringify(reports.compared)) as Report;
    (broken.robustness as unknown as Record<string, unknown>).attacks = [{ key: 'noise', budgets: [{ groups: 'zzz', ks: 1 }], medianPerturbation: 7 }];
    Object.defineProperty(broken.robustness!, 'counterfactual', { get: () => { throw new Error('boom'); } });
    expect(renderRobustness(broken)).toBe('### Robustness\n\n_This part of the report is malformed and is not shown; see report.json._');
  });
});

describe('SARIF rule help', () => {
  const ROBUSTNESS = [
    'attack_success_rate',
    'accuracy_under_attack',
    'accuracy_drop',
    'median_perturbation',
    'ks_adversarial',
    'robustness_disparity',
    'noise_flip_rate',
    'noise_flip_rate_disparity',
    'counterfactual_flip_rate',
    'counterfactual_mean_abs_score_change',
  ];
  const EXPLAINABILITY = ['sensitive_rank', 'sensitive_share', 'proxies_in_top_k', 'stability'];
  const generic = /check of model-risk-gate/;

  test('every robustness and explainability metric the engines emit has its own help', () => {
    const emitted = new Set([...reports.compared.checks, ...reports.unchanged.checks].filter((c) => c.section === 'robustness' || c.section === 'explainability').map((c) => c.ruleId));
    for (const id of emitted) expect([...ROBUSTNESS.map((m) => `robustness/${m}`), ...EXPLAINABILITY.map((m) => `explainability/${m}`)]).toContain(id);
    for (const m of ROBUSTNESS) {
      const h = ruleHelp(`robustness/${m}`);
      expect(h.full, m).not.toMatch(generic);
      expect(h.tags).toEqual(['model-risk', 'robustness']);
      expect(h.why.length).toBeGreaterThan(40);
      expect(h.fix.length).toBeGreaterThan(40);
    }
    for (const m of EXPLAINABILITY) {
      const h = ruleHelp(`explainability/${m}`);
      expect(h.full, m).not.toMatch(generic);
      expect(h.tags).toEqual(['model-risk', 'explainability']);
    }
    expect(ruleHelp('robustness/counterfactual_flip_rate').full).toContain('only the sensitive attribute is changed');
    expect(ruleHelp('explainability/proxies_in_top_k').full).toContain('Cramér’s V');
  });

  test('baseline rules say which way is a regression for the metric', () => {
    for (const c of reports.compared.checks.filter((x) => x.section === 'baseline')) expect(ruleHelp(c.ruleId).full).not.toMatch(generic);
    expect(ruleHelp('baseline/roc_auc').short).toBe('The drop of ROC AUC against the base branch’s model is larger than the policy allows.');
    expect(ruleHelp('baseline/brier').short).toBe('The rise of Brier score against the base branch’s model is larger than the policy allows.');
    expect(ruleHelp('baseline/demographic_parity_ratio').short).toContain('The drop of demographic parity ratio');
    expect(ruleHelp('baseline/equalized_odds_difference').short).toContain('The rise of equalized odds difference');
    expect(ruleHelp('baseline/accuracy_group_min').short).toContain('The drop of accuracy, lowest group');
    expect(ruleHelp('baseline/roc_auc').tags).toEqual(['model-risk', 'baseline']);
    expect(ruleHelp('baseline/roc_auc').full).toContain('Area under the ROC curve');
  });
});
