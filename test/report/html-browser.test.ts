/**
 * The HTML report and the standalone SVG charts in headless Chromium (Debian package `chromium`), driven over the
 * DevTools protocol: the page loads with no console error and no network request, every chart renders with a real
 * size, the light and dark themes apply, and the CSP really blocks what it should (a negative control). Screenshots
 * land in $MRG_SCREENSHOT_DIR (default: <tmp>/model-risk-gate-screenshots) for people to look at.
 * Skipped, with a message, when Chromium cannot be found.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCharts } from '../../src/report/charts/index.js';
import { renderHtml } from '../../src/report/html.js';
import { publishingSampleReport } from './fixtures-publishing.js';
import { Browser, findChromium, type Page } from './html-browser.js';

const chromium = findChromium();
if (!chromium) {
  console.warn('SKIPPED: HTML report browser tests — no Chromium found (install the Debian package `chromium`, or set CHROMIUM_PATH).');
}

const SHOTS = process.env.MRG_SCREENSHOT_DIR ?? join(tmpdir(), 'model-risk-gate-screenshots');

interface ChartBox {
  name: string;
  width: number;
  height: number;
  paths: number;
  texts: number;
}

describe.skipIf(!chromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'mrg-html-'));
  const hostile = publishingSampleReport({ renameGroups: { Female: '<img src=http://127.0.0.1:9/leak.png onerror=alert(1)>', Black: '"><script>fetch("http://127.0.0.1:9/x")</script>' } });
  const charts = renderCharts(hostile);
  const htmlPath = join(dir, 'report.html');
  writeFileSync(htmlPath, renderHtml(hostile, charts, { runUrl: 'https://github.com/octo-org/credit-model/actions/runs/4242' }));
  const url = pathToFileURL(htmlPath).href;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await Browser.launch(chromium!);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(scheme: 'light' | 'dark', target = url, width = 1280): Promise<Page> {
    const page = await browser.newPage(width, 900);
    await page.setColorScheme(scheme);
    await page.goto(target);
    return page;
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`loads with no console error and no network request, every chart rendered (${scheme})`, async () => {
      const page = await open(scheme);
      const boxes = await page.evaluate<ChartBox[]>(`Array.from(document.querySelectorAll('figure[data-chart]')).map((f) => {
        const svg = f.querySelector('svg.mrg-chart');
        const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        return { name: f.getAttribute('data-chart'), width: r.width, height: r.height,
                 paths: svg ? svg.querySelectorAll('path, rect, line').length : 0, texts: svg ? svg.querySelectorAll('text').length : 0 };
      })`);
      expect(boxes.map((b) => b.name).sort()).toEqual(charts.map((c) => c.name).sort());
      for (const b of boxes) {
        expect(b.width, b.name).toBeGreaterThan(300);
        expect(b.height, b.name).toBeGreaterThan(200);
        expect(b.paths, b.name).toBeGreaterThan(10);
        expect(b.texts, b.name).toBeGreaterThan(8);
      }
      const theme = await page.evaluate<{ body: string; chart: string; scripts: number; images: number }>(`({
        body: getComputedStyle(document.body).backgroundColor,
        chart: getComputedStyle(document.querySelector('svg.mrg-chart')).color,
        scripts: document.scripts.length,
        images: document.images.length,
      })`);
      expect(theme).toEqual(
        scheme === 'light'
          ? { body: 'rgb(255, 255, 255)', chart: 'rgb(31, 35, 40)', scripts: 0, images: 0 }
          : { body: 'rgb(13, 17, 23)', chart: 'rgb(230, 237, 243)', scripts: 0, images: 0 },
      );
      // The hostile group names are shown as text.
      const text = await page.evaluate<string>('document.body.innerText');
      expect(text).toContain('<img src=http://127.0.0.1:9/leak.png onerror=alert(1)>');
      writeFileSync(join(SHOTS, `report-${scheme}.png`), await page.screenshot());
      expect(page.problems(url)).toEqual({ errors: [], requests: [] });
    }, 30_000);
  }

  it('renders every standalone SVG chart as an image on GitHub light and dark backgrounds', async () => {
    const svgDir = join(dir, 'charts');
    mkdirSync(svgDir, { recursive: true });
    for (const c of charts) writeFileSync(join(svgDir, `${c.name}.svg`), c.svg);
    for (const [scheme, bg] of [['light', '#ffffff'], ['dark', '#0d1117']] as const) {
      const gallery = join(dir, `gallery-${scheme}.html`);
      writeFileSync(
        gallery,
        `<!doctype html><html><head><meta charset="utf-8"><style>body{background:${bg};margin:8px}img{margin:4px;vertical-align:top;width:640px}</style></head><body>` +
          charts.map((c) => `<img alt="${c.name}" src="charts/${c.name}.svg">`).join('') +
          '</body></html>',
      );
      const page = await open(scheme, pathToFileURL(gallery).href, 1340);
      const sizes = await page.evaluate<Array<{ alt: string; w: number; h: number; ok: boolean }>>(
        `Array.from(document.images).map((i) => ({ alt: i.alt, w: i.naturalWidth, h: i.naturalHeight, ok: i.complete }))`,
      );
      expect(sizes).toHaveLength(charts.length);
      for (const s of sizes) {
        expect(s.ok && s.w > 300 && s.h > 200, `${s.alt} ${s.w}x${s.h}`).toBe(true);
      }
      writeFileSync(join(SHOTS, `charts-${scheme}.png`), await page.screenshot());
      const problems = page.problems(pathToFileURL(gallery).href);
      expect(problems.errors).toEqual([]);
      // The only requests are the chart files themselves (local files, loaded as images).
      expect(problems.requests.every((u) => u.startsWith('file://') && u.endsWith('.svg'))).toBe(true);
    }
  }, 30_000);

  it('negative control: the CSP blocks an injected external image and a script, and the harness sees it', async () => {
    const bad = join(dir, 'tampered.html');
    const html = renderHtml(hostile, charts).replace('</main>', '<img src="http://127.0.0.1:9/pixel.png"><script>document.title="ran"</script></main>');
    writeFileSync(bad, html);
    const target = pathToFileURL(bad).href;
    const page = await open('light', target);
    const title = await page.evaluate<string>('document.title');
    expect(title).not.toBe('ran');
    const problems = page.problems(target);
    expect(problems.errors.join('\n')).toMatch(/Content Security Policy/);
  }, 30_000);
});
