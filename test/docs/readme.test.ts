/** The README is part of the product: its inputs/outputs tables equal action.yml, its commands exist, versions agree. */
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../e2e/harness.js';
import { TOOL_VERSION } from '../../src/version.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
};

function table(heading: string): string[][] {
  const at = readme.indexOf(`### ${heading}\n`);
  expect(at, `README section ${heading}`).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (const line of readme.slice(at).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|') || /^\|\s*-/.test(line) || /^\|\s*(Input|Output)\s*\|/.test(line)) continue;
    rows.push(line.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

describe('README', () => {
  it('lists exactly the inputs of action.yml, with the same defaults', () => {
    const rows = table('Inputs');
    expect(rows.map((r) => unquote(r[0])).sort()).toEqual(Object.keys(action.inputs).sort());
    for (const r of rows) {
      const input = action.inputs[unquote(r[0])];
      expect(unquote(r[1]), r[0]).toBe(String(input.default ?? ''));
    }
  });

  it('lists exactly the outputs of action.yml', () => {
    expect(table('Outputs').map((r) => unquote(r[0])).sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/index.js');
    expect(existsSync(join(repoRoot, action.runs.main))).toBe(true);
  });

  it('gives the two fresh-machine commands, and they point at real files', () => {
    expect(readme).toContain('node dist/cli.js check --policy policies/example-adult.yml');
    expect(readme).toContain('npm ci && npm test');
    expect(existsSync(join(repoRoot, 'policies', 'example-adult.yml'))).toBe(true);
    expect(readme).not.toMatch(/[A-Z]+_SECTION/); // no unfilled placeholder
  });

  it('has one version everywhere', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(TOOL_VERSION).toBe(pkg.version);
  });
});
