/**
 * Every table of the PR comment fits a comment's width (about 760 CSS pixels on GitHub) without Chromium: few enough
 * columns, and a narrowest possible layout (each column as wide as its longest unbreakable run of text, ~8 px per
 * character at GitHub's 14-16 px font, plus 26 px of cell padding and border) inside the width. The browser test
 * (comment-browser.test.ts) measures the real layout when Chromium is there.
 */
import { describe, expect, it } from 'vitest';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import type { Report } from '../../src/report/types.js';
import { publishingSampleReport } from './fixtures-publishing.js';
import { sectionReports } from './sections-fixture.js';

const COMMENT_WIDTH = 760;
const CHAR_PX = 8;
const CELL_PADDING_PX = 26;

/** The text a cell shows: links as their text, entities as one character, no markdown escapes or emphasis. */
function visible(cell: string): string {
  return cell
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&#8203;/g, '')
    .replace(/&[a-z]+;|&#\d+;/g, 'x')
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1')
    .replace(/\*\*|__|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '')
    .trim();
}

/** Longest piece that cannot wrap (words joined by non-breaking spaces stay one piece; <br> breaks). */
function minWidthChars(cell: string): number {
  return Math.max(0, ...visible(cell).split(/<br>|[ \t]+/).map((w) => [...w].length));
}

function tablesOf(md: string): string[][][] {
  const out: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('| ')) {
      const cells = line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((c) => c.trim());
      if (!current) out.push((current = []));
      if (!/^[-: |]+$/.test(line)) current.push(cells);
    } else current = undefined;
  }
  return out;
}

function checkWidths(report: Report): number {
  const body = renderComment(report, { marker: commentMarker('p.yml'), blobUrl: `https://github.com/o/r/blob/${'a'.repeat(40)}` });
  const tables = tablesOf(body);
  for (const t of tables) {
    const header = t[0]!.join(' | ');
    const columns = t[0]!.length;
    expect(columns, header).toBeLessThanOrEqual(8);
    let width = 0;
    for (let c = 0; c < columns; c++) width += Math.max(...t.map((row) => minWidthChars(row[c] ?? ''))) * CHAR_PX + CELL_PADDING_PX;
    expect(width, `${header}: narrowest layout ${width} px`).toBeLessThanOrEqual(COMMENT_WIDTH);
  }
  return tables.length;
}

describe('PR comment tables fit a comment', () => {
  it('the publishing sample (breaches, group tables, robustness, explainability)', () => {
    expect(checkWidths(publishingSampleReport())).toBeGreaterThan(5);
  });

  it('a real report with the attack battery, counterfactuals, explainability and the before/after table', async () => {
    const r = (await sectionReports()).compared;
    expect(checkWidths(r)).toBeGreaterThan(8);
    const body = renderComment(r, { marker: commentMarker('p.yml') });
    // the tables that used to be too wide: the attack battery in two, the counterfactual test, the baseline in five
    expect(body).toContain('| Attack | Budget | Accuracy → under attack | Success rate | Flip rate | KS |');
    expect(body).toContain('| Attribute | Rows | Flip rate | Pair flip rate | Mean \\|Δscore\\| | Max \\|Δscore\\| | Gate |');
    expect(body).toContain('| Metric | Base → PR | Change | 95% CI of change | Gate (limit) |');
    // no internal scope id anywhere outside the hidden marker and code
    expect(body.replace(/```[\s\S]*?```/g, '')).not.toMatch(/\b(categorical_attack|score_attack|decision_attack|counterfactual)[@/]/);
  });

  it('the width estimate catches a table that is too wide', () => {
    const wide = `| ${Array.from({ length: 9 }, (_, i) => `Column ${i}`).join(' | ')} |\n| ${Array(9).fill('---').join(' | ')} |\n| ${Array(9).fill('sex 0.0074 (Male) · race 0.0119 (Black-African-American)').join(' | ')} |`;
    const t = tablesOf(wide)[0]!;
    expect(t[0]).toHaveLength(9);
    const width = t[0]!.reduce((sum, _, c) => sum + Math.max(...t.map((row) => minWidthChars(row[c] ?? ''))) * CHAR_PX + CELL_PADDING_PX, 0);
    expect(width).toBeGreaterThan(COMMENT_WIDTH);
    expect(minWidthChars('0.9044&nbsp;→&nbsp;0.9212')).toBe(15);
    expect(minWidthChars('[line 21](https://github.com/o/r/blob/x/p.yml#L21)')).toBe(4);
  });
});
