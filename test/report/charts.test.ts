/** The SVG charts: which charts a report yields, their content (axes, legends, markers), escaping, determinism. */
import { describe, expect, it } from 'vitest';
import { renderCharts } from '../../src/report/charts/index.js';
import { fixedTicks, linearScale, niceDomain, tickLabel } from '../../src/report/charts/scale.js';
import { adversarialKsCurves, featureImportance } from '../../src/report/charts/sections.js';
import { cdfAt } from '../../src/report/charts/performance-charts.js';
import { px } from '../../src/report/charts/svg.js';
import { publishingSampleReport } from './fixtures-publishing.js';

/** Minimal well-formedness: every opened element is closed in order, attributes are quoted, no stray '<' or '&'. */
function wellFormed(svg: string): string | undefined {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(svg))) {
    const between = svg.slice(last, m.index);
    if (/[<>]/.test(between)) return `stray bracket before ${m[0].slice(0, 40)}`;
    if (/&(?!(amp|lt|gt|quot|#39|#\d+);)/.test(between)) return `bare & in ${between.slice(0, 40)}`;
    last = tag.lastIndex;
    if (m[1]) {
      if (stack.pop() !== m[2]) return `mismatched </${m[2]}>`;
    } else if (!m[4]) stack.push(m[2]!);
  }
  if (svg.slice(last).trim() !== '') return 'trailing text';
  return stack.length ? `unclosed ${stack.join(',')}` : undefined;
}

describe('renderCharts', () => {
  const report = publishingSampleReport();
  const charts = renderCharts(report);

  it('draws the nine graphs (per attribute) plus adversarial KS per attack and importance bars', () => {
    expect(charts.map((c) => c.name)).toEqual([
      'selection-rate-sex',
      'selection-rate-race',
      'selection-rate-age-bin',
      'selection-rate-sex-x-age-bin',
      'count-sex',
      'count-race',
      'count-age-bin',
      'count-sex-x-age-bin',
      'roc',
      'precision-recall',
      'precision-threshold',
      'ks',
      'ks-adversarial-noise',
      'ks-adversarial-score-attack-linf',
      'feature-importance',
      'permutation-importance',
    ]);
    for (const c of charts) {
      expect(wellFormed(c.svg), c.name).toBeUndefined();
      expect(c.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="mrg-chart" width="\d+" height="\d+" viewBox="0 0 \d+ \d+" role="img"/);
      expect(c.svg).toContain(`<title id="${c.name}-title">${c.title.replace(/&/g, '&amp;')}</title>`);
      expect(c.svg).toContain('@media (prefers-color-scheme:dark)');
      expect(c.svg).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  it('labels axes, legends and threshold markers', () => {
    const get = (name: string) => charts.find((c) => c.name === name)!.svg;
    const roc = get('roc');
    expect(roc).toContain('>False positive rate</text>');
    expect(roc).toContain('>True positive rate (recall)</text>');
    expect(roc).toContain('>model (AUC 0.9212)</text>');
    expect(roc).toContain('>chance</text>');
    expect(roc).toContain('threshold 0.5: TPR 0.612, FPR 0.049');
    // The policy's recall threshold (breached) is a red dashed line at TPR 0.65.
    expect(roc).toContain('Recall ≥ 0.65 (policy)');
    const selection = get('selection-rate-sex');
    expect(selection).toContain('>overall 18.2%</text>');
    expect(selection).toContain('lowest allowed: ratio ≥ 0.8 × highest group');
    expect(selection).toContain('>7.4%</text>');
    expect(selection).toContain('>23.6%</text>');
    const race = get('selection-rate-race');
    expect(race).toContain('>n=135</text>');
    expect(race).toContain('not enough rows (excluded)');
    expect(race).toContain('url(#selection-rate-race-hatch)');
    const count = get('count-sex');
    expect(count).toContain('>5,421</text>');
    expect(count).toContain('>min_group_size 150</text>');
    expect(count).toContain('actual positives (&gt;50K)');
    const ks = get('ks');
    expect(ks).toContain('>KS 0.675</text>');
    expect(ks).toContain('largest gap (KS) at score 0.230');
    expect(ks).toContain('actual positives (3,846)');
    const adversarial = get('ks-adversarial-score-attack-linf');
    expect(adversarial).toContain('>adversarial scores</text>');
    // The strongest budget the attack kept curves for.
    expect(adversarial).toContain('Scores before and after the attack: KS 0.3000 · ε = 0.5 std');
    // The attack names the chart (a long prefix used to push it out of the title).
    expect(adversarial).toContain('>Score-based attack (L∞, NES gradient)</text>');
    const importance = get('feature-importance');
    expect(importance).toContain('mean |SHAP|, exact Shapley, probability');
    expect(importance).toContain('>marital_status</text>');
    expect(importance).toContain('>sensitive attribute</text>');
    expect(importance).toContain('>relationship (proxy of sex)</text>');
    expect(importance).toContain('>proxy of a sensitive attribute</text>');
    expect(importance.indexOf('>marital_status<')).toBeLessThan(importance.indexOf('>capital_gain<'));
    const permutation = get('permutation-importance');
    expect(permutation).toContain('permutation importance (ROC AUC drop)');
    expect(permutation).toContain('>ROC AUC drop when the column is shuffled</text>');
    expect(permutation).not.toContain('Importance (permutation importance');
    expect(permutation).toContain('± spread over repeats');
  });

  it('maps curve points to the plot area (ROC from the bottom-left to the top-right corner)', () => {
    const roc = charts.find((c) => c.name === 'roc')!.svg;
    const path = roc.match(/<path d="([^"]+)"[^>]*data-series="model \(AUC 0.9212\)"/)![1]!;
    const points = path.split(/[ML]/).filter(Boolean).map((p) => p.trim().split(' ').map(Number));
    const [x0, y0] = points[0]!;
    const [x1, y1] = points[points.length - 1]!;
    const diagonal = roc.match(/<path d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"[^>]*data-series="chance"/)!.slice(1).map(Number);
    expect([x0, y0]).toEqual([diagonal[0], diagonal[1]]);
    expect([x1, y1]).toEqual([diagonal[2], diagonal[3]]);
    expect(points.length).toBe(report.performance.curves!.roc.length);
  });

  it('escapes names from the data and cuts long ones', () => {
    const hostile = publishingSampleReport({ renameGroups: { Female: '</text><script>alert(1)</script>', Male: 'A & B "quoted"', Other: 'x'.repeat(200) } });
    const out = renderCharts(hostile);
    const sex = out.find((c) => c.name === 'selection-rate-sex')!.svg;
    expect(sex).not.toContain('<script>');
    expect(sex).toContain('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/sc…</text>');
    expect(sex).toContain('A &amp; B &quot;quoted&quot;');
    for (const c of out) expect(wellFormed(c.svg), c.name).toBeUndefined();
    const race = out.find((c) => c.name === 'count-race')!.svg;
    expect(race).toContain(`<title>${'x'.repeat(200)}</title>${'x'.repeat(27)}…`);
  });

  it('omits charts whose data is absent (no robustness, no explainability, label-only model)', () => {
    const bare = publishingSampleReport({ sections: false });
    const names = renderCharts(bare).map((c) => c.name);
    expect(names).not.toContain('feature-importance');
    expect(names.some((n) => n.startsWith('ks-adversarial'))).toBe(false);
    bare.performance.curves = null;
    expect(renderCharts(bare).map((c) => c.name)).toEqual(names.filter((n) => !['roc', 'precision-recall', 'precision-threshold', 'ks'].includes(n)));
  });

  it('is deterministic', () => {
    expect(renderCharts(publishingSampleReport())).toEqual(charts);
  });
});

describe('chart building blocks', () => {
  it('chooses nice ticks and labels', () => {
    expect(niceDomain({ min: 0, max: 13946 })).toEqual({ domain: { min: 0, max: 15000 }, ticks: [0, 5000, 10000, 15000], step: 5000 });
    expect(niceDomain({ min: 0, max: 0.267 }).ticks).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceDomain({ min: 0, max: 0.267 }, 10).ticks).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(fixedTicks({ min: 0, max: 1 })).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(tickLabel(12500, 2500)).toBe('12,500');
    expect(tickLabel(0.25, 0.25)).toBe('0.25');
    expect(tickLabel(0.4, 0.2)).toBe('0.4');
    expect(linearScale({ min: 0, max: 1 }, 64, 620)(0.5)).toBe(342);
    expect(px(-0.04)).toBe('0');
    expect(px(12.345)).toBe('12.3');
  });

  it('evaluates an empirical CDF as a step function', () => {
    const pts = [{ x: 0, y: 0 }, { x: 0.2, y: 0.5 }, { x: 0.7, y: 1 }];
    expect([cdfAt(pts, -1), cdfAt(pts, 0.1), cdfAt(pts, 0.2), cdfAt(pts, 0.69), cdfAt(pts, 2)]).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('reads the largest budget\'s ECDFs of each attack from the robustness section, and nothing from junk', () => {
    const a = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
    const b = [{ x: 0, y: 0 }, { x: 0.5, y: 1 }];
    const budget = (budget: number, curves: unknown, statistic: number) => ({ budget, ks: { statistic, at: 0.4, curves } });
    const section = {
      units: 'std',
      attacks: [
        { key: 'score_attack/l2', title: 'Score-based attack (L2)', budgets: [budget(0.5, { original: a, adversarial: a }, 0.1), budget(1, { original: a, adversarial: b }, 0.5), budget(2, { original: a }, 0.9)] },
        { key: 'noise', budgets: [] },
        { title: 'no key', budgets: [budget(1, { original: a, adversarial: b }, 0.5)] },
      ],
    };
    expect(adversarialKsCurves(section)).toEqual([
      { attack: 'score_attack/l2', title: 'Score-based attack (L2)', budget: 1, units: 'std', original: a, adversarial: b, statistic: 0.5, at: 0.4 },
    ]);
    expect(adversarialKsCurves(undefined)).toEqual([]);
    expect(adversarialKsCurves({ attacks: [{ key: 'x', budgets: [budget(1, { original: [{ x: 'a', y: 1 }], adversarial: a }, 0.2)] }] })).toEqual([]);
    expect(adversarialKsCurves('nonsense')).toEqual([]);
    expect(adversarialKsCurves({ attacks: 'nonsense' })).toEqual([]);
  });

  it('reads global importance from the explainability section, ranked, marking sensitive attributes and proxies', () => {
    const section = {
      method: 'tree_shap',
      space: 'log_odds',
      importance: [
        { feature: 'age', meanAbsShap: 0.2, share: 0.2, sensitive: false, proxyOf: [] },
        { feature: 'relationship', meanAbsShap: 0.3, share: 0.3, sensitive: false, proxyOf: ['sex'] },
        { feature: 'sex', meanAbsShap: 0.5, share: 0.5, sensitive: true, proxyOf: [] },
        { feature: 'broken', meanAbsShap: 'x' },
      ],
      permutation: { metric: 'roc_auc', features: [{ feature: 'age', mean: 0.02, std: 0.001 }] },
    };
    expect(featureImportance(section, new Set(['age']))).toEqual({
      measure: 'mean |SHAP|, TreeSHAP, log-odds',
      features: [
        { feature: 'sex', importance: 0.5, share: 0.5, sensitive: true, proxyOf: [] },
        { feature: 'relationship', importance: 0.3, share: 0.3, sensitive: false, proxyOf: ['sex'] },
        { feature: 'age', importance: 0.2, share: 0.2, sensitive: true, proxyOf: [] },
      ],
    });
    expect(featureImportance({ permutation: section.permutation })).toEqual({
      measure: 'permutation importance (ROC AUC drop)',
      axis: 'ROC AUC drop when the column is shuffled',
      features: [{ feature: 'age', importance: 0.02, spread: 0.001, sensitive: false, proxyOf: [] }],
    });
    // A loss gets worse when a column is shuffled: its importance is a rise, named as such.
    expect(featureImportance({ permutation: { ...section.permutation, metric: 'brier' } })).toMatchObject({
      measure: 'permutation importance (Brier score rise)',
      axis: 'Brier score rise when the column is shuffled',
    });
    expect(featureImportance({ notes: ['x'] })).toBeUndefined();
    expect(featureImportance(null)).toBeUndefined();
  });
});
