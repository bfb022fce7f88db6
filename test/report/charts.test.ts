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
      'ks-adversarial-spsa-linf',
      'feature-importance',
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
    expect(get('ks-adversarial-spsa-linf')).toContain('>adversarial scores</text>');
    const importance = get('feature-importance');
    expect(importance).toContain('>marital_status</text>');
    expect(importance).toContain('>sensitive attribute</text>');
    expect(importance.indexOf('>marital_status<')).toBeLessThan(importance.indexOf('>capital_gain<'));
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

  it('reads adversarial ECDFs from the robustness section in several shapes, and nothing from junk', () => {
    const curve = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
    expect(adversarialKsCurves({ attacks: [{ attack: 'noise', ks: { statistic: 0.1, original: curve, adversarial: curve } }] })).toEqual([
      { attack: 'noise', title: 'noise', original: curve, adversarial: curve, statistic: 0.1 },
    ]);
    expect(adversarialKsCurves({ hsj: { title: 'HopSkipJump', ecdfOriginal: curve, ecdfAdversarial: curve, ksStatistic: 0.4, ksAt: 0.5 } })).toEqual([
      { attack: 'hsj', title: 'HopSkipJump', original: curve, adversarial: curve, statistic: 0.4, at: 0.5 },
    ]);
    expect(adversarialKsCurves(undefined)).toEqual([]);
    expect(adversarialKsCurves({ attacks: [{ attack: 'x', ks: { original: [{ x: 'a', y: 1 }], adversarial: curve } }] })).toEqual([]);
    expect(adversarialKsCurves('nonsense')).toEqual([]);
  });

  it('reads global importance from the explainability section, ranked, marking sensitive attributes', () => {
    const view = featureImportance(
      { method: 'treeshap', global: [{ feature: 'age', meanAbsShap: 0.2 }, { feature: 'sex', meanAbsShap: 0.5, share: 0.7 }] },
      new Set(['sex']),
    );
    expect(view).toEqual({
      measure: 'treeshap',
      features: [
        { feature: 'sex', importance: 0.5, share: 0.7, sensitive: true },
        { feature: 'age', importance: 0.2, sensitive: false },
      ],
    });
    expect(featureImportance({ notes: ['x'] })).toBeUndefined();
    expect(featureImportance(null)).toBeUndefined();
  });
});
