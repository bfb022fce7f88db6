/**
 * The document model and its serializers (src/report/doc): one block list written as markdown, HTML and terminal
 * text; every text escaped by the serializer for its target; `only` columns and blocks; row caps keeping the rows of
 * highest priority; the comment's parts dropped by id.
 */
import { describe, expect, it } from 'vitest';
import { htmlBlocks } from '../../src/report/doc/html.js';
import { mdBlocks } from '../../src/report/doc/markdown.js';
import { aside, capRows, code, col, em, fig, findPart, flag, name, only, para, strong, withoutParts, type Block } from '../../src/report/doc/model.js';
import { textBlocks } from '../../src/report/doc/text.js';

const HOSTILE = '<img src=x onerror=alert(1)>|**x**|@everyone\u001b[31m::error::';

const table: Block = {
  k: 'table',
  columns: [col('Group', 'name'), col('Rate', 'number'), col('Detail', 'text', ['html']), col('Mark', 'status')],
  rows: [
    { cells: [[name(HOSTILE)], [fig('0.1234')], ['html only'], [flag('fail', 'breached')]], priority: 1 },
    { cells: [[name('b')], [fig('[0.1, 0.2]')], ['x'], [flag('pass', 'ok')]] },
    { cells: [[name('c')], [fig('0.5000')], ['y'], [flag('warn', 'close')]], priority: 2 },
  ],
  maxRows: 2,
  more: (n) => [em(`${n} more group not shown.`)],
};

describe('document serializers', () => {
  it('markdown: escaped names, figures as they are, right-aligned numbers, html-only column left out, rows capped by priority', () => {
    const md = mdBlocks([table]);
    expect(md.split('\n')).toEqual([
      '| Group | Rate | Mark |',
      '| --- | ---: | --- |',
      '| &lt;img src=x onerror=alert(1)&gt;\\|\\*\\*x\\*\\*\\|@&#8203;everyone::error:: | 0.1234 | ❌ breached |',
      '| b | [0.1, 0.2] | ✅ ok |',
      '',
      '_1 more group not shown._',
    ]);
  });

  it('HTML: escaped, every row and column, numeric cells classed, marks as coloured words', () => {
    const html = htmlBlocks([table]);
    expect(html).toContain('<th>Group</th><th class="num">Rate</th><th>Detail</th><th>Mark</th>');
    expect(html).toContain('<td>&lt;img src=x onerror=alert(1)&gt;|**x**|@everyone::error::</td><td class="num">0.1234</td><td>html only</td><td><span class="st fail">breached</span></td>');
    expect((html.match(/<tr>/g) ?? []).length).toBe(4); // header and all three rows
    expect(html).not.toContain('<img');
  });

  it('text: aligned columns, upper-case headers, no escape sequences or workflow commands, the cap and what it left out', () => {
    const text = textBlocks([table], { width: 100 });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ {2}GROUP +RATE {2}MARK$/);
    expect(lines[1]).toMatch(/^ {2}<img src=x onerror=alert\(1\)>\|\*\*x\*\*\|@everyone: :error: : +0\.1234 {2}breached$/);
    expect(lines[2]).toMatch(/^ {2}b +\[0\.1, 0\.2\] {2}ok$/);
    expect(lines[3]).toBe('  1 more group not shown.');
    expect(text).not.toMatch(/\u001b|::/);
  });

  it('inline only, code, strong, asides and facts per target', () => {
    const blocks: Block[] = [
      para(strong('Drift:'), ' ', code('a|b'), ' ', only(['markdown'], 'md words'), only(['html'], 'html words'), only(['text'], 'text words')),
      aside('a legend'),
      { k: 'facts', items: [{ label: 'Model', c: [code('m.onnx')] }, { label: 'Inputs', c: ['x'], only: ['html'] }] },
    ];
    expect(mdBlocks(blocks)).toBe('**Drift:** a\\|b md words\n\n_a legend_\n\n- **Model:** `m.onnx`');
    expect(htmlBlocks(blocks)).toBe(
      '<p><strong>Drift:</strong> <code>a|b</code> html words</p><p class="muted">a legend</p><dl class="facts"><dt>Model</dt><dd><code>m.onnx</code></dd><dt>Inputs</dt><dd>x</dd></dl>',
    );
    expect(textBlocks(blocks)).toBe('  Drift: a|b text words\n  a legend\n  Model: m.onnx');
  });

  it('capRows keeps the highest-priority rows in their order; parts are dropped by id, nested ones too', () => {
    expect(capRows(table.k === 'table' ? table.rows : [], 2).map((r) => (r.cells[0]![0] as { text: string }).text)).toEqual([HOSTILE, 'b']);
    const doc: Block[] = [
      { k: 'part', id: 'a', label: 'part a', blocks: [para('A')] },
      { k: 'details', summary: ['S'], open: false, empty: [em('Nothing left.')], blocks: [{ k: 'part', id: 'b', blocks: [para('B')] }] },
    ];
    expect(findPart(doc, 'b')?.id).toBe('b');
    const trimmed = withoutParts(doc, new Set(['a', 'b']));
    expect(findPart(trimmed, 'b')).toBeUndefined();
    expect(mdBlocks(trimmed)).toBe('<details>\n<summary>S</summary>\n\n_Nothing left._\n\n</details>');
    expect(mdBlocks(doc)).toBe('A\n\n<details>\n<summary>S</summary>\n\nB\n\n</details>');
  });
});
