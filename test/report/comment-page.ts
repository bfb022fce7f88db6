/**
 * A page that shows a PR comment (or job summary) roughly as GitHub does: the markdown through a GFM renderer
 * (marked), GitHub's markdown CSS (github-markdown-css, light or dark) at the width of a PR comment, and every
 * ```mermaid block drawn by mermaid with the site theme GitHub uses for that colour mode (`default` / `dark`), so
 * a chart's own init directive has to set its colours. Everything is loaded from node_modules through file URLs:
 * no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';

const require = createRequire(import.meta.url);

/** Content width of a comment in a pull request's conversation on a 1280-pixel-wide window (GitHub, 2025). */
export const COMMENT_WIDTH = 760;

export const PAGE_BACKGROUND = { light: '#ffffff', dark: '#0d1117' } as const;

function moduleFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The HTML of a page showing `markdown` as a GitHub comment in the given colour mode. */
export function commentPage(markdown: string, scheme: 'light' | 'dark', width = COMMENT_WIDTH): string {
  const body = marked.parse(markdown, { gfm: true, async: false }) as string;
  const css = pathToFileURL(moduleFile('github-markdown-css', `github-markdown-${scheme}.css`)).href;
  const mermaid = pathToFileURL(moduleFile('mermaid', 'dist/mermaid.min.js')).href;
  return `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="${css}">
<style>body{margin:0;padding:16px;background:${PAGE_BACKGROUND[scheme]}}.markdown-body{box-sizing:content-box;width:${width}px;padding:16px;border:1px solid #3d444d}</style>
<script src="${mermaid}"></script>
</head><body><article class="markdown-body">${body}</article>
<script>
window.__mermaid = (async () => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  for (const code of document.querySelectorAll('pre > code.language-mermaid')) {
    const div = document.createElement('div');
    div.className = 'mermaid';
    div.textContent = code.textContent;
    code.parentElement.replaceWith(div);
  }
  mermaid.initialize({ startOnLoad: false, theme: ${JSON.stringify(scheme === 'dark' ? 'dark' : 'default')}, securityLevel: 'strict' });
  try {
    await mermaid.run({ querySelector: '.mermaid' });
    return 'ok';
  } catch (e) {
    return 'error: ' + (e && e.message ? e.message : String(e));
  }
})();
</script></body></html>`;
}

/** The mermaid version in node_modules (GitHub runs an 11.x). */
export function mermaidVersion(): string {
  return (JSON.parse(readFileSync(moduleFile('mermaid', 'package.json'), 'utf8')) as { version: string }).version;
}
