/**
 * Issue #11: the model file's artifact scan in the renderers. Pure. A finding of severity error never reaches a
 * report (the file is refused, exit 2); warnings become SARIF results of the `model-artifact` rule (with a
 * security-severity) and, like notes, are listed in the summary.
 */
import type { ArtifactFinding, ArtifactScan } from '../model/sklearn/artifact.js';
import type { Report } from './types.js';

export const MODEL_ARTIFACT_RULE = 'model-artifact';
/** GitHub code scanning's security-severity (0-10) of the rule: high. */
export const MODEL_ARTIFACT_SECURITY_SEVERITY = '8.0';

export function artifactOf(report: Report): ArtifactScan | undefined {
  return (report.model?.info as { artifact?: ArtifactScan } | undefined)?.artifact;
}

/** Findings worth an alert (warnings and errors). */
export function alertFindings(scan: ArtifactScan | undefined): ArtifactFinding[] {
  return (scan?.findings ?? []).filter((f) => f.severity === 'warning' || f.severity === 'error');
}

/** One plain-text line: 'scan: safe (joblib, zlib; 0 warnings)'. */
export function artifactSummaryText(scan: ArtifactScan): string {
  const warnings = scan.findings.filter((f) => f.severity === 'warning').length;
  const errors = scan.findings.filter((f) => f.severity === 'error').length;
  const where = [scan.format, scan.compression !== 'none' ? scan.compression : ''].filter((x) => x).join(', ');
  const counts = errors > 0 ? `${errors} error(s), ${warnings} warning(s)` : warnings > 0 ? `${warnings} warning(s)` : 'no warnings';
  return `artifact scan ${scan.safe ? 'safe' : 'UNSAFE'} (${where}; ${counts})`;
}
