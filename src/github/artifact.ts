/**
 * The report artifact: report.json, report.html, the SARIF file and every chart as SVG, written to the report
 * directory and uploaded with @actions/artifact (DefaultArtifactClient.uploadArtifact: Twirp CreateArtifact, a zip
 * streamed to blob storage, FinalizeArtifact). Its id and download URL go to the outputs and the PR comment.
 *
 * Uploading never fails the gate: outside Actions (no ACTIONS_RUNTIME_TOKEN, e.g. a local run) it is skipped with a
 * notice; on GHES or on a service error it is reported and skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { prepareOutputDir, writeFileAtomic } from '../util/safe-fs.js';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Chart } from '../report/charts/index.js';
import type { Log, Env } from './context.js';

export const DEFAULT_ARTIFACT_NAME = 'model-risk-gate-report';

export interface ReportBundleInput {
  /** Pretty or compact JSON text of the Report; when absent, an existing report.json in the directory is included. */
  reportJson?: string;
  /** renderHtml output. */
  html: string;
  charts: Chart[];
  /** The SARIF file written for code scanning; copied into the bundle when it lives elsewhere. */
  sarifPath?: string;
  /** The rendered PR comment (lets a `workflow_run` workflow or a person see exactly what would be posted). */
  commentMarkdown?: string;
}

export interface ReportBundle {
  /** Absolute directory holding every file (the artifact's root). */
  dir: string;
  /** Absolute paths of the files, in a stable order. */
  files: string[];
}

/** Chart file names are made of [a-z0-9-] by the renderer; anything else is refused rather than written. */
const SAFE_NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * Writes report.json, report.html, charts/<name>.svg (and report.sarif, comment.md) into `dir` and returns the list of
 * files for the upload. Existing files of the same names are replaced.
 */
export function writeReportBundle(dir: string, input: ReportBundleInput): ReportBundle {
  // the directory is verified (no symlink on the way) and files are renamed into place, never written through a
  // symlink the pull request planted (issue #10)
  const root = prepareOutputDir(resolve(dir), process.env.GITHUB_WORKSPACE ?? process.cwd());
  const files: string[] = [];
  const write = (name: string, text: string) => {
    files.push(writeFileAtomic(root, name, text));
  };
  if (input.reportJson !== undefined) write('report.json', input.reportJson);
  else if (existsSync(join(root, 'report.json'))) files.push(join(root, 'report.json'));
  write('report.html', input.html);
  if (input.sarifPath) {
    const sarif = resolve(input.sarifPath);
    const inside = !relative(root, sarif).startsWith('..') && !relative(root, sarif).startsWith(sep);
    if (inside && relative(root, sarif) !== '') files.push(sarif);
    else {
      files.push(writeFileAtomic(root, basename(sarif) || 'report.sarif', readFileSync(sarif)));
    }
  }
  if (input.commentMarkdown !== undefined) write('comment.md', input.commentMarkdown);
  for (const chart of input.charts) {
    if (!SAFE_NAME.test(chart.name)) throw new Error(`chart name '${chart.name}' is not a safe file name`);
    write(join('charts', `${chart.name}.svg`), chart.svg);
  }
  return { dir: root, files };
}

/** retention-days: an integer from 1 to 90, or undefined (the repository's default). Other values warn. */
export function parseRetentionDays(text: string | undefined, log?: Log): number | undefined {
  const t = (text ?? '').trim();
  if (t === '' || t === '0') return undefined;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1 || n > 90) {
    log?.warning(`retention-days '${t}' is not a whole number of days from 1 to 90; using the repository's default retention.`);
    return undefined;
  }
  return n;
}

export type ArtifactResult =
  | { status: 'uploaded'; name: string; id: number; size: number; digest: string | undefined; url: string | undefined }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

export interface UploadInput {
  name: string;
  bundle: ReportBundle;
  retentionDays?: number;
  log: Log;
  env?: Env;
  /** Builds the download URL from the artifact id (context.artifactUrl). */
  urlFor?: (id: number) => string | undefined;
}

/** Characters @actions/artifact refuses in a name. */
const FORBIDDEN_NAME = /["\\/:<>|*?\r\n]/;

/** Uploads the bundle as one artifact. Never throws. */
export async function uploadReportArtifact(input: UploadInput): Promise<ArtifactResult> {
  const env = input.env ?? process.env;
  const { log } = input;
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    const reason = 'not running in GitHub Actions (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL not set)';
    log.notice(`Report artifact not uploaded: ${reason}. The report files are in ${input.bundle.dir}.`);
    return { status: 'skipped', reason };
  }
  const name = input.name.trim();
  if (name === '' || FORBIDDEN_NAME.test(name)) {
    const reason = `artifact-name '${name}' is empty or holds one of " : < > | * ? \\ / or a line break`;
    log.warning(`Report artifact not uploaded: ${reason}.`);
    return { status: 'failed', reason };
  }
  try {
    // Loaded on demand: the artifact client (and Azure's blob SDK) is only needed in Actions.
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const client = new DefaultArtifactClient();
    const options = input.retentionDays !== undefined ? { retentionDays: input.retentionDays } : {};
    const r = await client.uploadArtifact(name, input.bundle.files, input.bundle.dir, options);
    if (r.id === undefined) throw new Error('the artifact service returned no artifact id');
    const url = input.urlFor?.(r.id);
    log.info(`Report artifact '${name}' uploaded: id ${r.id}, ${r.size ?? 0} bytes${url ? `, ${url}` : ''}.`);
    return { status: 'uploaded', name, id: r.id, size: r.size ?? 0, digest: r.digest, url };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
    const reason = /GHES|not supported/i.test(message)
      ? `artifacts v4 are not available on this GitHub Enterprise Server (${message})`
      : message;
    log.warning(`Report artifact not uploaded: ${reason}. The gate's verdict is unaffected; the files are in ${input.bundle.dir}.`);
    return { status: 'failed', reason };
  }
}
