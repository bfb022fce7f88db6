/** Writes the rendered report files (JSON, SARIF) to a directory. Side effects only: no formatting here. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface WrittenFiles {
  dir: string;
  reportPath: string;
  sarifPath: string;
}

export async function writeReportFiles(dir: string, reportJson: string, sarifJson: string): Promise<WrittenFiles> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const reportPath = join(abs, 'report.json');
  const sarifPath = join(abs, 'model-risk-gate.sarif');
  await writeFile(reportPath, reportJson);
  await writeFile(sarifPath, sarifJson);
  return { dir: abs, reportPath, sarifPath };
}

/** Writes extra named files (HTML, SVG charts) next to the report; returns their absolute paths. */
export async function writeExtraFiles(dir: string, files: Array<{ name: string; content: string }>): Promise<string[]> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  const out: string[] = [];
  for (const f of files) {
    const p = join(abs, f.name);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, f.content);
    out.push(p);
  }
  return out;
}
