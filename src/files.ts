/**
 * Writes the rendered report files (JSON, SARIF, HTML, charts) to a directory. Side effects only: no formatting here.
 * The directory comes from the checkout a pull request controls, so it is created fresh or verified to be a real
 * directory inside the workspace, and every file is written to a temporary file and renamed into place: a symlink the
 * pull request planted (report.json -> /somewhere/else, charts -> /tmp) is replaced or refused, never written through
 * (src/util/safe-fs.ts, issue #10).
 */
import { resolve } from 'node:path';
import { prepareOutputDir, writeFileAtomic } from './util/safe-fs.js';

export interface WrittenFiles {
  dir: string;
  reportPath: string;
  sarifPath: string;
}

/**
 * Writes report.json and model-risk-gate.sarif into `dir` (created or verified). `workspace` (default the current
 * directory) is the root inside which no directory on the way may be a symbolic link.
 */
export async function writeReportFiles(dir: string, reportJson: string, sarifJson: string, workspace: string = process.cwd()): Promise<WrittenFiles> {
  const real = prepareOutputDir(resolve(dir), workspace);
  const reportPath = writeFileAtomic(real, 'report.json', reportJson);
  const sarifPath = writeFileAtomic(real, 'model-risk-gate.sarif', sarifJson);
  return { dir: real, reportPath, sarifPath };
}

/** Writes extra named files (HTML, SVG charts; one level of subdirectory) next to the report; returns their paths. */
export async function writeExtraFiles(dir: string, files: Array<{ name: string; content: string }>, workspace: string = process.cwd()): Promise<string[]> {
  const real = prepareOutputDir(resolve(dir), workspace);
  return files.map((f) => writeFileAtomic(real, f.name, f.content));
}
