/**
 * Run details, built once: the model, data and policy fingerprints, the decision settings, the tool and the runtime;
 * HTML adds the report schema and the model's inputs and outputs.
 */
import { alertFindings, artifactSummaryText } from '../artifact.js';
import { formatBytes, formatCompact, formatCount, formatDuration, formatValue, plural, shortSha } from '../format.js';
import type { Report } from '../types.js';
import { code, fig, text, type Block, type Inline, type Section, type Target } from '../doc/model.js';
import { MAX_NAME_LENGTH } from '../doc/markdown.js';

function joined(parts: Inline[][]): Inline[] {
  return parts.flatMap((p, i) => (i > 0 ? [' · ', ...p] : p));
}

function timings(t: Record<string, number>): string {
  const entries = Object.entries(t).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  if (entries.length === 0) return 'n/a';
  const total = entries.find(([k]) => k === 'total');
  const stages = entries.filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${formatDuration(v)}`);
  if (total) return `${formatDuration(total[1])}${stages.length > 0 ? ` (${stages.join(', ')})` : ''}`;
  return stages.join(', ');
}

export function runSection(report: Report): Section {
  const m = report.model;
  const d = report.dataset;
  const p = report.policy;
  const info = m.info;
  const model: Inline[][] = [
    [code(m.path)],
    [fig(formatBytes(m.bytes))],
    ['sha256 ', code(shortSha(m.sha256))],
    ...(info.producer ? [[text(info.producer, MAX_NAME_LENGTH)]] : []),
    info.outputKind === 'label'
      ? ['labels only (', code(info.scoreOutput), '): no score metrics']
      : ['score = ', code(info.scoreOutput), ...(info.outputKind === 'probabilities' ? [` column ${String(info.positiveIndex)}`] : [])],
    ...(info.zipMapBypassed ? [['ZipMap bypassed']] : []),
    ...(info.translated ? [[`translated from ${info.translated.format}: `, text(info.translated.estimator, 300)]] : []),
    ...(info.artifact ? [[artifactSummaryText(info.artifact), ...alertFindings(info.artifact).flatMap((f) => [' ⚠️ ', text(f.message, 300)])]] : []),
    [`${info.runtime} ${info.runtimeVersion}`],
  ];
  const baseRate = report.performance.metrics.base_rate;
  const data: Inline[][] = [
    [code(d.path)],
    [fig(formatBytes(d.bytes))],
    ['sha256 ', code(shortSha(d.sha256))],
    [`${plural(d.rows, 'row')} × ${plural(d.columns, 'column')}`],
    ['label ', code(d.label), ' = ', code(d.positiveLabel), ` (${plural(d.positives, 'positive')}`, ...(baseRate !== undefined && baseRate !== null ? [', base rate ', fig(formatValue(baseRate))] : []), ')'],
  ];
  if (d.favourable?.outcome === 'negative') data.push(['favourable outcome ', code(d.favourable.label), ' (the negative class; fairness is measured on it)']);
  const policy: Inline[][] = [[code(p.path)], ...(p.name ? [['“', text(p.name, MAX_NAME_LENGTH), '”']] : []), ['sha256 ', code(shortSha(p.sha256))]];
  const io = (xs: Array<{ name: string; type: string; shape: Array<number | string | null> }>): Inline[] =>
    xs.flatMap((x, i): Inline[] => [...(i > 0 ? [{ k: 'br' } as Inline] : []), code(x.name), ` ${x.type} [${x.shape.map((s) => (s === null ? '?' : String(s))).join(', ')}]`]);
  const blocks: Block[] = [
    {
      k: 'facts',
      items: [
        { label: 'Model', c: joined(model) },
        { label: 'Data', c: joined(data) },
        { label: 'Policy', c: joined(policy) },
        { label: 'Decision', c: [`positive when score ≥ ${formatCompact(report.threshold)} · min group size ${formatCount(report.minGroupSize)} · seed ${String(report.seed)}`] },
        { label: 'Tool', c: [`${report.tool.name} ${report.tool.version} · ${report.createdAt}`] },
        { label: 'Runtime', c: [timings(report.timings)] },
        { label: 'Report schema', c: [String(report.schemaVersion)], only: ['html'] },
        // HTML spells out the translation and the artifact scan on lines of their own.
        ...(info.translated ? [{ label: 'Translated from', c: [`${info.translated.format}: ${info.translated.estimator}`], only: ['html'] as Target[] }] : []),
        ...(info.artifact
          ? [{ label: 'Artifact scan', c: [[artifactSummaryText(info.artifact), ...alertFindings(info.artifact).map((f) => f.message)].join(' · ')], only: ['html'] as Target[] }]
          : []),
        { label: 'Model inputs', c: io(info.inputs), only: ['html'] },
        { label: 'Model outputs', c: io(info.outputs), only: ['html'] },
      ],
    },
  ];
  return { id: 'run', title: 'Run', blocks };
}
