/**
 * The PR comment as a reviewer sees it: the markdown through a GFM renderer (marked), GitHub's markdown CSS at a
 * comment's width, and mermaid drawing every chart with the site theme GitHub uses for light and dark mode, in
 * headless Chromium (Debian package `chromium`). Checked: every mermaid block renders, with the colours the chart sets
 * itself (white card, blue bars / ROC curve, grey diagonal, orange failing bars, red limit), no table scrolls
 * sideways, no console error and no request beyond the local files. Screenshots land in $MRG_SCREENSHOT_DIR (default:
 * <tmp>/model-risk-gate-screenshots) as comment-light.png / comment-dark.png (and the real-report comment as
 * comment-sections-*.png) for people to look at. Skipped, with a message, when Chromium cannot be found.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { MERMAID_COLORS } from '../../src/report/mermaid.js';
import type { Report } from '../../src/report/types.js';
import { COMMENT_WIDTH, commentPage, mermaidVersion } from './comment-page.js';
import { publishingSampleReport } from './fixtures-publishing.js';
import { Browser, findChromium, type Page } from './html-browser.js';
import { sectionReports } from './sections-fixture.js';

const chromium = findChromium();
if (!chromium) {
  console.warn('SKIPPED: PR comment browser tests — no Chromium found (install the Debian package `chromium`, or set CHROMIUM_PATH).');
}

const SHOTS = process.env.MRG_SCREENSHOT_DIR ?? join(tmpdir(), 'model-risk-gate-screenshots');

interface ChartInfo {
  rects: string[];
  strokes: string[];
  texts: string[];
  width: number;
  height: number;
}

interface TableInfo {
  head: string;
  columns: number;
  scrollWidth: number;
  clientWidth: number;
}

describe.skipIf(!chromium)('PR comment rendered like GitHub (marked + github-markdown-css + mermaid) in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'mrg-comment-'));
  const marker = commentMarker('.github/model-policy.yml');
  const links = { runUrl: 'https://github.com/octo-org/credit/actions/runs/1', blobUrl: `https://github.com/octo-org/credit/blob/${'a'.repeat(40)}` };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await Browser.launch(chromium!);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(report: Report, scheme: 'light' | 'dark', name: string): Promise<{ page: Page; url: string; blocks: number }> {
    const body = renderComment(report, { marker, ...links });
    const file = join(dir, `${name}-${scheme}.html`);
    writeFileSync(file, commentPage(body, scheme));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage(COMMENT_WIDTH + 70, 900);
    await page.setColorScheme(scheme);
    await page.goto(url);
    expect(await page.evaluate<string>('window.__mermaid'), `mermaid ${mermaidVersion()}`).toBe('ok');
    return { page, url, blocks: (body.match(/^```mermaid$/gm) ?? []).length };
  }

  const charts = (page: Page) =>
    page.evaluate<ChartInfo[]>(`[...document.querySelectorAll('.mermaid svg')].map((s) => ({
      rects: [...new Set([...s.querySelectorAll('rect')].map((r) => (r.getAttribute('fill') || '').toLowerCase()))],
      strokes: [...new Set([...s.querySelectorAll('path')].map((p) => (p.getAttribute('stroke') || '').toLowerCase()))],
      texts: [...s.querySelectorAll('text')].map((t) => t.textContent),
      width: s.getBoundingClientRect().width,
      height: s.getBoundingClientRect().height,
    }))`);

  const tables = (page: Page) =>
    page.evaluate<TableInfo[]>(`[...document.querySelectorAll('table')].map((t) => ({
      head: t.rows[0].innerText.replace(/\\s+/g, ' ').slice(0, 80), columns: t.rows[0].cells.length,
      scrollWidth: t.scrollWidth, clientWidth: t.clientWidth,
    }))`);

  function localOnly(page: Page, url: string): void {
    const { errors, requests } = page.problems(url);
    expect(errors).toEqual([]);
    expect(requests.filter((r) => !r.startsWith('file:///'))).toEqual([]);
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`draws every chart with its own colours, the limit and the failing group (${scheme})`, async () => {
      const { page, url, blocks } = await open(publishingSampleReport(), scheme, 'comment');
      const drawn = await charts(page);
      expect(blocks).toBeGreaterThanOrEqual(3);
      expect(drawn).toHaveLength(blocks);
      const c = MERMAID_COLORS;
      for (const chart of drawn) {
        expect(chart.width).toBeGreaterThan(300);
        expect(chart.height).toBeGreaterThan(200);
        // the chart's own white card, whatever GitHub's theme (mermaid 'dark' would paint it dark)
        expect(chart.rects).toContain(c.background);
        expect(chart.texts.join(' ')).not.toMatch(/Syntax error/i);
      }
      const breach = drawn.find((d) => d.texts.includes('Female (fails)'))!;
      expect(breach, 'the breach chart labels the failing group').toBeDefined();
      expect(breach.rects).toEqual(expect.arrayContaining([c.failing, c.series]));
      expect(breach.strokes).toContain(c.limit);
      const roc = drawn.find((d) => d.texts.some((t) => t?.startsWith('ROC curve')))!;
      expect(roc.strokes).toEqual(expect.arrayContaining([c.series, c.secondary]));
      const age = drawn.find((d) => d.texts.some((t) => t?.includes('by age_bin')))!;
      const ticks = age.texts.map((t) => (t ?? '').replace(/ \((fails|too few rows)\)$/, '')).filter((t) => ['under 25', '25-45', 'over 45'].includes(t));
      expect(ticks).toEqual(['under 25', '25-45', 'over 45']);
      for (const t of await tables(page)) expect(t.scrollWidth, t.head).toBeLessThanOrEqual(t.clientWidth + 1);
      writeFileSync(join(SHOTS, `comment-${scheme}.png`), await page.screenshot());
      localOnly(page, url);
    }, 60_000);
  }

  it('a real report (robustness, explainability, baseline): no table wider than the comment', async () => {
    const report = (await sectionReports()).compared;
    for (const scheme of ['light', 'dark'] as const) {
      const { page, url, blocks } = await open(report, scheme, 'comment-sections');
      expect(await charts(page)).toHaveLength(blocks);
      const all = await tables(page);
      expect(all.length).toBeGreaterThan(8);
      for (const t of all) {
        expect(t.columns, t.head).toBeLessThanOrEqual(8);
        expect(t.scrollWidth, t.head).toBeLessThanOrEqual(t.clientWidth + 1);
      }
      writeFileSync(join(SHOTS, `comment-sections-${scheme}.png`), await page.screenshot());
      localOnly(page, url);
    }
  }, 120_000);
});
