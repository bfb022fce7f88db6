/**
 * SARIF 2.1.0 for GitHub code scanning. Pure: Report -> SarifLog (plain data; JSON.stringify it to write).
 *
 * Decisions (see GitHub's "SARIF support for code scanning" and "SARIF results exceed limits" pages):
 * - One run; tool.driver 'model-risk-gate' with version, semanticVersion and informationUri.
 * - One rule per CheckResult.ruleId of EVERY check (also passing ones), so the rule set does not depend on the
 *   outcome; each with short/full description, help text + markdown (what, why, how to fix), default level 'error'.
 * - Results only for breached checks: outcome 'fail' -> level 'error', 'warn' -> 'warning' (kind 'fail', the
 *   default). Passing checks are omitted: code scanning turns every result into an alert, also kind 'pass' ones
 *   (PSRule#955, complyctl#868), and a result that disappears closes its alert as fixed. Insufficient evidence
 *   counts by its outcome like annotations do (kind 'open' would force level 'none', SARIF §3.27.10, and hide the
 *   severity); with on_insufficient: pass it is omitted. Counts of everything are in run.properties.
 * - Location: the threshold's line in the policy file, uri relative with uriBaseId %SRCROOT%.
 * - partialFingerprints.primaryLocationLineHash is OURS: a hash of check id (rule + scope + min/max) and policy
 *   file, not of the value nor the line. Code scanning uses only that key; supplying it stops upload-sarif from
 *   hashing the line text, which would give every scope of a rule on the same policy line the same fingerprint
 *   (one alert for sex and race) and renumber them when another scope passes.
 * - automationDetails.id: GitHub reads `category/run-id` (an id without '/' has no category), so the category given
 *   in opts.automationId is written with a trailing '/'.
 * - Limits enforced while building (GitHub rejects files over them): results <= maxResults (default 1000, GitHub
 *   stores 25,000 and shows 5,000), rules <= 25,000, tags per rule <= 10 (displayed), rule name <= 255 chars,
 *   short/full description <= 1024 chars, one location per result, messages <= 1024 chars, serialized size <=
 *   10 MB (the gzip-compressed upload limit; uncompressed is a safe upper bound).
 * - Text from data (titles with attribute names, messages) is sanitised (one line, no control/bidi characters); a
 *   link-like "[...](" gets its brackets backslash-escaped so a group name cannot form an embedded link (§3.11.6),
 *   and "{0}"-like placeholders are doubled (§3.11.5). See escapeSarifText.
 */
import { createHash } from 'node:crypto';
import { rankedBreaches } from './breaches.js';
import { escapeSarifText, sanitizeText } from './escape.js';
import { formatCompact, formatInterval, truncate } from './format.js';
import { ruleHelp, ruleHelpMarkdown, ruleHelpText } from './rule-help.js';
import type { CheckResult, Report } from './types.js';
import { MODEL_ARTIFACT_RULE, MODEL_ARTIFACT_SECURITY_SEVERITY, alertFindings, artifactOf } from './artifact.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const DEFAULT_TOOL_URI = 'https://github.com/model-risk-gate/model-risk-gate';
export const FINGERPRINT_KEY = 'modelRiskGate/v1';

/** GitHub code scanning limits (hard limits reject the upload). */
export const SARIF_LIMITS = {
  resultsPerRun: 25_000,
  resultsDisplayed: 5_000,
  rulesPerRun: 25_000,
  tagsPerRule: 20,
  tagsDisplayed: 10,
  locationsPerResult: 1_000,
  ruleNameChars: 255,
  descriptionChars: 1_024,
  messageChars: 1_024,
  /** Upload limit is 10 MB gzip-compressed; we keep the uncompressed JSON under it. */
  fileBytes: 10 * 1024 * 1024,
} as const;

export const DEFAULT_MAX_RESULTS = 1_000;

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'problem.severity': string; [key: string]: unknown };
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region: SarifRegion;
  };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion?: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  automationDetails: { id: string };
  originalUriBaseIds?: Record<string, { uri: string; description?: SarifMessage }>;
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifOptions {
  /** Category of the analysis (e.g. 'model-risk-gate/.github/model-policy.yml'); written as `<category>/`. */
  automationId: string;
  /** Tool home page (tool.driver.informationUri). */
  toolUri?: string;
  /** Absolute file:// URI of the workspace, recorded as %SRCROOT% (optional; GitHub resolves relative paths itself). */
  srcRoot?: string;
  /** Most results written (default 1000), worst first. */
  maxResults?: number;
}

/** Plain text for SARIF: sanitised, bounded, embedded-link and placeholder syntax made inert. */
export function sarifText(text: unknown, maxLength: number = SARIF_LIMITS.messageChars): string {
  // Escaping grows the text: cut the raw text, escape, and cut shorter until the escaped text fits.
  const escape = (limit: number) => escapeSarifText(text, { maxLength: limit });
  let limit = maxLength;
  let out = escape(limit);
  while (out.length > maxLength && limit > 1) {
    limit = Math.max(1, limit - (out.length - maxLength));
    out = escape(limit);
  }
  return out;
}

/**
 * GitHub reads automationDetails.id as `category/run-id` (category = everything before the last '/'; the run id is
 * stored but unused). The option is the category, so it is written with a trailing '/'.
 */
export function normalizeAutomationId(category: string): string {
  const clean = sanitizeText(category).trim().replace(/\/+$/, '');
  return `${clean === '' ? 'model-risk-gate' : clean}/`;
}

/** A workspace-relative path as a SARIF URI reference (segments percent-encoded); absolute paths become file: URIs. */
export function toSarifUri(path: string): { uri: string; relative: boolean } {
  let p = sanitizeText(path).replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  const encode = (segment: string) =>
    encodeURIComponent(segment).replace(/%(21|24|26|27|28|29|2A|2B|2C|3B|3D|40)/g, (m) => decodeURIComponent(m));
  if (/^[A-Za-z]:\//.test(p)) return { uri: `file:///${p.slice(0, 2)}${p.slice(2).split('/').map(encode).join('/')}`, relative: false };
  if (p.startsWith('/')) return { uri: `file://${p.split('/').map(encode).join('/')}`, relative: false };
  return { uri: p.split('/').map(encode).join('/'), relative: true };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Identity of a check across runs: the check id (rule + scope + min/max) and the policy file. Not the value, not
 * the line: a re-run, a new value or an edited threshold keep the same alert.
 */
export function checkFingerprint(check: Pick<CheckResult, 'id' | 'location'>): string {
  const file = toSarifUri(check.location.file).uri;
  return sha256Hex(`model-risk-gate\u0000v1\u0000${check.id}\u0000${file}`);
}

function isSemver(v: string): boolean {
  return /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(v);
}

function buildRule(ruleId: string, favourable?: 'positive' | 'negative'): SarifRule {
  const h = ruleHelp(ruleId, favourable ? { favourable } : {});
  return {
    id: ruleId,
    name: truncate(h.name, SARIF_LIMITS.ruleNameChars),
    shortDescription: { text: sarifText(h.short, SARIF_LIMITS.descriptionChars) },
    fullDescription: { text: sarifText(h.full, SARIF_LIMITS.descriptionChars) },
    help: { text: ruleHelpText(h), markdown: ruleHelpMarkdown(h) },
    defaultConfiguration: { level: 'error' },
    properties: { tags: h.tags.slice(0, SARIF_LIMITS.tagsDisplayed), precision: 'very-high', 'problem.severity': 'error' },
  };
}

function resultMessage(check: CheckResult): string {
  // The first sentence is what code scanning shows as the alert title; the numbers are also in result.properties.
  const interval = check.interval && !/\bCI\b|% range \d/.test(check.message) ? ` (${formatInterval(check.interval)})` : '';
  return sarifText(`${sanitizeText(check.message)}${interval}.`);
}

function buildResult(check: CheckResult, ruleIndex: number): SarifResult {
  const { uri, relative } = toSarifUri(check.location.file);
  const line = Math.max(1, Math.trunc(check.location.line));
  const column = Math.max(1, Math.trunc(check.location.column));
  const fingerprint = checkFingerprint(check);
  const properties: Record<string, unknown> = {
    checkId: sanitizeText(check.id),
    section: check.section,
    metric: sanitizeText(check.metric),
    status: check.status,
    outcome: check.outcome,
    value: check.value,
    threshold: check.threshold,
    margin: check.margin,
  };
  if (check.scope !== undefined) properties.scope = sanitizeText(check.scope);
  if (check.interval) properties.interval = check.interval;
  return {
    ruleId: check.ruleId,
    ruleIndex,
    level: check.outcome === 'fail' ? 'error' : 'warning',
    message: { text: resultMessage(check) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: relative ? { uri, uriBaseId: '%SRCROOT%' } : { uri },
          // The threshold literal as written by formatCompact (e.g. '0.8'); a best guess at its width.
          region: { startLine: line, startColumn: column, endLine: line, endColumn: column + formatCompact(check.threshold.value).length },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: `${fingerprint.slice(0, 16)}:1`, [FINGERPRINT_KEY]: fingerprint },
    properties,
  };
}

function runProperties(report: Report, written: number, breached: number): Record<string, unknown> {
  return {
    verdict: report.verdict,
    summary: report.summary,
    breachedChecks: breached,
    resultsWritten: written,
    resultsOmitted: breached - written,
    seed: report.seed,
    reportSchemaVersion: report.schemaVersion,
    model: { path: sanitizeText(report.model.path), sha256: report.model.sha256 },
    dataset: { path: sanitizeText(report.dataset.path), sha256: report.dataset.sha256, rows: report.dataset.rows },
    policy: { path: sanitizeText(report.policy.path), sha256: report.policy.sha256 },
    notes: report.notes.slice(0, 50).map((n) => truncate(sanitizeText(n), 500)),
  };
}

/** The SARIF log of a report (one run). Throws nothing; bounded by SARIF_LIMITS. */
export function renderSarif(report: Report, opts: SarifOptions): SarifLog {
  const maxResults = Math.min(opts.maxResults ?? DEFAULT_MAX_RESULTS, SARIF_LIMITS.resultsDisplayed);

  const ruleIds: string[] = [];
  const ruleIndex = new Map<string, number>();
  for (const c of report.checks) {
    if (!ruleIndex.has(c.ruleId) && ruleIds.length < SARIF_LIMITS.rulesPerRun) {
      ruleIndex.set(c.ruleId, ruleIds.length);
      ruleIds.push(c.ruleId);
    }
  }
  const rules = ruleIds.map((id) => buildRule(id, report.dataset.favourable?.outcome));

  const breached = rankedBreaches(report.checks).filter((c) => ruleIndex.has(c.ruleId));
  let results = breached.slice(0, maxResults).map((c) => buildResult(c, ruleIndex.get(c.ruleId) as number));
  // issue #11: artifact-scan warnings of the model file, as results of the model-artifact rule
  const artifactAlerts = alertFindings(artifactOf(report));
  if (artifactAlerts.length > 0) {
    const rule = buildRule(MODEL_ARTIFACT_RULE);
    rule.properties['security-severity'] = MODEL_ARTIFACT_SECURITY_SEVERITY;
    rule.defaultConfiguration.level = 'warning';
    rules.push(rule);
    const { uri, relative } = toSarifUri(report.model.path);
    results = results.concat(
      artifactAlerts.slice(0, 50).map((f) => ({
        ruleId: MODEL_ARTIFACT_RULE,
        ruleIndex: rules.length - 1,
        level: f.severity === 'error' ? 'error' : 'warning',
        message: { text: sarifText(sanitizeText(f.message)) },
        locations: [{ physicalLocation: { artifactLocation: relative ? { uri, uriBaseId: '%SRCROOT%' } : { uri }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 } } }],
        partialFingerprints: { primaryLocationLineHash: `${sha256Hex(`model-artifact\u0000${f.kind}\u0000${f.global ?? f.message}`).slice(0, 16)}:1` },
        properties: { kind: f.kind, ...(f.global ? { global: sanitizeText(f.global) } : {}) },
      }) as SarifResult),
    );
  }

  const version = sanitizeText(report.tool.version);
  const driver: SarifRun['tool']['driver'] = {
    name: 'model-risk-gate',
    version,
    informationUri: opts.toolUri ?? DEFAULT_TOOL_URI,
    rules,
  };
  if (isSemver(version)) driver.semanticVersion = version;

  const build = (): SarifLog => {
    const run: SarifRun = {
      tool: { driver },
      automationDetails: { id: normalizeAutomationId(opts.automationId) },
      columnKind: 'utf16CodeUnits',
      results,
      properties: runProperties(report, results.length, breached.length),
    };
    if (opts.srcRoot) {
      const root = opts.srcRoot.endsWith('/') ? opts.srcRoot : `${opts.srcRoot}/`;
      run.originalUriBaseIds = { '%SRCROOT%': { uri: root, description: { text: 'The workspace (repository root).' } } };
    }
    return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
  };

  let log = build();
  // Size guard: keep the worst results that fit (proportional cut, then exact).
  let bytes = sarifByteLength(log);
  while (results.length > 0 && bytes > SARIF_LIMITS.fileBytes) {
    const keep = Math.min(results.length - 1, Math.floor((results.length * SARIF_LIMITS.fileBytes) / bytes));
    results = results.slice(0, Math.max(0, keep));
    log = build();
    bytes = sarifByteLength(log);
  }
  return log;
}

/** Bytes of the log as written (JSON, UTF-8, 2-space indent as the publisher writes it). */
export function sarifByteLength(log: SarifLog): number {
  return Buffer.byteLength(JSON.stringify(log, null, 2), 'utf8');
}

/** Every GitHub limit the log breaks (empty when it can be uploaded). For tests and as a guard before writing. */
export function sarifLimitProblems(log: SarifLog): string[] {
  const problems: string[] = [];
  if (log.runs.length > 20) problems.push(`${log.runs.length} runs > 20`);
  for (const run of log.runs) {
    if (run.results.length > SARIF_LIMITS.resultsPerRun) problems.push(`${run.results.length} results > ${SARIF_LIMITS.resultsPerRun}`);
    if (run.tool.driver.rules.length > SARIF_LIMITS.rulesPerRun) problems.push(`${run.tool.driver.rules.length} rules > ${SARIF_LIMITS.rulesPerRun}`);
    for (const rule of run.tool.driver.rules) {
      if (rule.name.length > SARIF_LIMITS.ruleNameChars) problems.push(`rule ${rule.id}: name longer than ${SARIF_LIMITS.ruleNameChars}`);
      if (rule.shortDescription.text.length > SARIF_LIMITS.descriptionChars) problems.push(`rule ${rule.id}: shortDescription too long`);
      if (rule.fullDescription.text.length > SARIF_LIMITS.descriptionChars) problems.push(`rule ${rule.id}: fullDescription too long`);
      if (rule.properties.tags.length > SARIF_LIMITS.tagsPerRule) problems.push(`rule ${rule.id}: too many tags`);
      if (!rule.help.text) problems.push(`rule ${rule.id}: no help text`);
    }
    for (const r of run.results) {
      if (r.locations.length < 1 || r.locations.length > SARIF_LIMITS.locationsPerResult) problems.push(`result ${r.ruleId}: ${r.locations.length} locations`);
      if (r.message.text.length === 0 || r.message.text.length > SARIF_LIMITS.messageChars) problems.push(`result ${r.ruleId}: message length ${r.message.text.length}`);
      if (!r.partialFingerprints.primaryLocationLineHash) problems.push(`result ${r.ruleId}: no primaryLocationLineHash`);
    }
  }
  const bytes = sarifByteLength(log);
  if (bytes > SARIF_LIMITS.fileBytes) problems.push(`${bytes} bytes > ${SARIF_LIMITS.fileBytes}`);
  return problems;
}
