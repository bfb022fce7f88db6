import { describe, expect, test } from 'vitest';
import {
  escapeHtml,
  escapeMarkdownHtml,
  escapeMarkdown,
  escapeSarifText,
  escapeWorkflowCommandData,
  escapeWorkflowCommandProperty,
  markdownCode,
  sanitizeTerminal,
  sanitizeText,
} from '../../src/report/escape.js';
import { HOSTILE } from './sample-report.js';

/** Pipes that split a GFM table cell: a '|' not preceded by a backslash. */
function unescapedPipes(s: string): number {
  return (s.match(/(^|[^\\])\|/g) ?? []).length;
}

describe('sanitizeText', () => {
  test('one line, no control, ANSI or bidi characters', () => {
    expect(sanitizeText('a\r\nb\nc\rd\u2028e\tf')).toBe('a b c d e f');
    expect(sanitizeText(HOSTILE.ansi)).toBe('redlink');
    expect(sanitizeText(HOSTILE.bidi)).toBe('abcdcba');
    expect(sanitizeText('nul\u0000bell\u0007del\u007f')).toBe('nulbelldel');
    expect(sanitizeText(undefined)).toBe('');
    expect(sanitizeText(42)).toBe('42');
  });
});

describe('escapeMarkdown', () => {
  test('HTML is inert', () => {
    expect(escapeMarkdown(HOSTILE.html)).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeMarkdown('a & b')).toBe('a &amp; b');
  });

  test('table cells cannot be split', () => {
    const out = escapeMarkdown(HOSTILE.table);
    expect(out).toBe('\\| a \\| b \\|');
    expect(unescapedPipes(out)).toBe(0);
    expect(unescapedPipes(escapeMarkdown('\\|'))).toBe(0); // a backslash in data cannot un-escape the pipe
    expect(escapeMarkdown('\\|')).toBe('\\\\\\|');
  });

  test('mentions and issue references are broken by a zero-width space', () => {
    const out = escapeMarkdown(HOSTILE.mention);
    expect(out).toBe('@&#8203;everyone @&#8203;org/team');
    expect(out).not.toMatch(/@[A-Za-z0-9]/);
    expect(escapeMarkdown('see #12 and GH#3')).toBe('see #&#8203;12 and GH#&#8203;3');
  });

  test('markdown syntax is inert', () => {
    const out = escapeMarkdown(HOSTILE.markdown);
    expect(out).toBe(
      '\\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` #&#8203;1 https&#8203;://evil.example',
    );
    expect(escapeMarkdown('a_b_c ~~x~~ $x^2$')).toBe('a\\_b\\_c \\~\\~x\\~\\~ \\$x^2\\$');
    expect(escapeMarkdown('www.evil.example')).toBe('www&#8203;.evil.example');
  });

  test('line starts cannot open a block', () => {
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('+ item')).toBe('\\+ item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('2) item')).toBe('2\\) item');
    expect(escapeMarkdown('# title')).toBe('#&#8203; title');
    expect(escapeMarkdown('> quote')).toBe('&gt; quote');
    expect(escapeMarkdown('---')).toBe('\\---');
    expect(escapeMarkdown('- - -')).toBe('\\- - -');
    expect(escapeMarkdown('===')).toBe('\\===');
    expect(escapeMarkdown('-')).toBe('\\-');
    // but not inside ordinary values
    expect(escapeMarkdown('-0.5')).toBe('-0.5');
    expect(escapeMarkdown('0.1.0')).toBe('0.1.0');
    expect(escapeMarkdown('1.5')).toBe('1.5');
    expect(escapeMarkdown('a - b')).toBe('a - b');
  });

  test('newlines become spaces, workflow commands stay text', () => {
    expect(escapeMarkdown(HOSTILE.newline)).toBe('line1 line2 #&#8203;#&#8203; heading');
    expect(escapeMarkdown(HOSTILE.command)).toBe('::error file=x,line=1::pwned');
  });

  test('maxLength cuts before escaping, never inside an entity', () => {
    expect(escapeMarkdown('<<<<<<', { maxLength: 3 })).toBe('&lt;&lt;…');
    expect(escapeMarkdown('short', { maxLength: 10 })).toBe('short');
  });

  test('plain names are unchanged', () => {
    expect(escapeMarkdown('Female')).toBe('Female');
    expect(escapeMarkdown('25-45')).toBe('25-45');
  });
});

describe('markdownCode', () => {
  test('code span for safe text, escaped text otherwise', () => {
    expect(markdownCode('models/credit.onnx')).toBe('`models/credit.onnx`');
    expect(markdownCode('>50K')).toBe('`>50K`');
    expect(markdownCode('a|b')).toBe('a\\|b');
    expect(markdownCode('a`b')).toBe('a\\`b');
    expect(markdownCode('')).toBe('');
    expect(markdownCode('x\ny')).toBe('`x y`');
  });
});

describe('escapeMarkdownHtml', () => {
  test('HTML entities, mentions and refs broken, no backslashes', () => {
    expect(escapeMarkdownHtml(`${HOSTILE.html} ${HOSTILE.mention} #7 a_b`)).toBe(
      '&lt;img src=x onerror=alert(1)&gt; @&#8203;everyone @&#8203;org/team #&#8203;7 a_b',
    );
    expect(escapeMarkdownHtml(`it's "x" & y`)).toBe('it&#39;s &quot;x&quot; &amp; y');
  });
});

describe('escapeHtml', () => {
  test('element content and attribute values', () => {
    expect(escapeHtml(HOSTILE.html)).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`"a" & 'b'`)).toBe('&quot;a&quot; &amp; &#39;b&#39;');
    expect(escapeHtml(HOSTILE.ansi)).toBe('redlink');
  });
});

describe('workflow command escaping', () => {
  test('data: % CR LF', () => {
    expect(escapeWorkflowCommandData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeWorkflowCommandData(HOSTILE.command)).toBe('::error file=x,line=1::pwned');
  });
  test('property: also : and ,', () => {
    expect(escapeWorkflowCommandProperty(HOSTILE.command)).toBe('%3A%3Aerror file=x%2Cline=1%3A%3Apwned');
    expect(escapeWorkflowCommandProperty('a\nb')).toBe('a%0Ab');
  });
  test('matches @actions/core for plain text', () => {
    const s = 'a%b\rc\nd:e,f';
    expect(escapeWorkflowCommandData(s)).toBe(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
    expect(escapeWorkflowCommandProperty(s)).toBe(
      s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C'),
    );
  });
});

describe('escapeSarifText', () => {
  test('a link-like text gets brackets and backslashes escaped; other text stays readable', () => {
    expect(escapeSarifText('[here](1)')).toBe('\\[here\\](1)');
    expect(escapeSarifText('a\\[b](1)')).toBe('a\\\\\\[b\\](1)');
    expect(escapeSarifText('= 0.3025 [0.2779, 0.3271] 95% CI')).toBe('= 0.3025 [0.2779, 0.3271] 95% CI');
    expect(escapeSarifText('a\\b')).toBe('a\\b');
    expect(escapeSarifText('use {0} and {x}')).toBe('use {{0}} and {{x}}');
    expect(escapeSarifText('set {x}')).toBe('set {x}');
    expect(escapeSarifText('x\ny')).toBe('x y');
  });
});

describe('sanitizeTerminal', () => {
  test('no escape sequences survive', () => {
    const out = sanitizeTerminal(`${HOSTILE.ansi} ${HOSTILE.bidi}\u001b[2J`);
    expect(out).toBe('redlink abcdcba');
    expect(out).not.toMatch(/\u001b/);
  });
});
