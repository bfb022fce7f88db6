/**
 * Publishers: the only code that talks to GitHub (workflow commands, job summary, outputs, PR comment, artifact).
 * They receive rendered text and plain data; they never format numbers or build markdown themselves.
 */
import * as core from '@actions/core';
import type { Annotation } from '../report/annotations.js';

export async function publishSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('GITHUB_STEP_SUMMARY is not set: the job summary is not written (local run).');
    return;
  }
  await core.summary.addRaw(markdown, true).write({ overwrite: false });
}

export function publishAnnotations(annotations: Annotation[]): void {
  for (const a of annotations) {
    const props: core.AnnotationProperties = { title: a.title };
    if (a.file) props.file = a.file;
    if (a.line) props.startLine = a.line;
    if (a.column) props.startColumn = a.column;
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
}

export function publishOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}
