/**
 * Explainability gates (policy.checks.explainability): rank and share of each sensitive attribute's column, proxies of
 * it in the top k, and the stability of the ranking. Pass/fail is decided by makeCheckResults only.
 */
import type { PolicyDocument, SensitiveSpec } from '../../policy/types.js';
import type { CheckResult } from '../../report/types.js';
import { makeCheckResults } from '../result.js';
import type { ExplainabilityGate, ExplainabilitySettings } from './policy.js';
import type { AssociationEntry, ImportanceEntry, StabilityResult } from './types.js';

export interface GateInput {
  doc: PolicyDocument;
  settings: ExplainabilitySettings;
  importance: ImportanceEntry[];
  associations: AssociationEntry[];
  stability: StabilityResult | null;
}

/** Name of a sensitive attribute as the policy's reports call it. */
export function attributeName(s: SensitiveSpec): string {
  return s.name ?? s.column;
}

function applies(gate: ExplainabilityGate, name: string): boolean {
  return gate.attributes === undefined || gate.attributes.includes(name);
}

const POINTER = ['checks', 'explainability'] as const;

export function explainabilityChecks(g: GateInput): CheckResult[] {
  const { doc, settings, importance } = g;
  const out: CheckResult[] = [];
  const byFeature = new Map(importance.map((e) => [e.feature, e]));
  const players = importance.length;
  const sensitive = doc.policy.sensitive ?? [];

  if (settings.sensitive_rank) {
    const gate = settings.sensitive_rank;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const e = byFeature.get(s.column);
      out.push(
        ...makeCheckResults({
          doc,
          section: 'explainability',
          metric: 'sensitive_rank',
          scope: name,
          title: e ? `Importance rank of ${s.column}` : `Importance rank of ${s.column} (not a model input)`,
          value: e ? e.rank : players + 1,
          threshold: gate,
          pointer: [...POINTER, 'sensitive_rank'],
          details: { attribute: name, column: s.column, of: players, modelInput: Boolean(e), share: e?.share ?? 0 },
        }),
      );
    }
  }

  if (settings.sensitive_share) {
    const gate = settings.sensitive_share;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const e = byFeature.get(s.column);
      out.push(
        ...makeCheckResults({
          doc,
          section: 'explainability',
          metric: 'sensitive_share',
          scope: name,
          title: e ? `Share of importance of ${s.column}` : `Share of importance of ${s.column} (not a model input)`,
          value: e ? e.share : 0,
          threshold: gate,
          pointer: [...POINTER, 'sensitive_share'],
          details: { attribute: name, column: s.column, rank: e?.rank ?? null, modelInput: Boolean(e) },
        }),
      );
    }
  }

  if (settings.proxies_in_top_k) {
    const gate = settings.proxies_in_top_k;
    for (const s of sensitive) {
      const name = attributeName(s);
      if (!applies(gate, name)) continue;
      const proxies = g.associations.filter((a) => a.attribute === name && a.proxyInTopK);
      const strong = g.associations.filter((a) => a.attribute === name && a.strong);
      out.push(
        ...makeCheckResults({
          doc,
          section: 'explainability',
          metric: 'proxies_in_top_k',
          scope: name,
          title: `Proxies of ${name} in the top ${settings.top_k}`,
          value: proxies.length,
          threshold: gate,
          pointer: [...POINTER, 'proxies_in_top_k'],
          details: {
            attribute: name,
            topK: settings.top_k,
            proxies: proxies.map((a) => ({ feature: a.feature, measure: a.measure, value: a.value, rank: a.rank })),
            associatedOutsideTopK: strong.filter((a) => !a.proxyInTopK).map((a) => ({ feature: a.feature, measure: a.measure, value: a.value, rank: a.rank })),
          },
        }),
      );
    }
  }

  if (settings.stability) {
    const st = g.stability;
    out.push(
      ...makeCheckResults({
        doc,
        section: 'explainability',
        metric: 'stability',
        title: `Rank correlation of importance (${st?.method ?? settings.stability.method ?? 'halves'})`,
        value: st?.spearman ?? null,
        threshold: settings.stability,
        pointer: [...POINTER, 'stability'],
        ...(st && st.spearman === null ? { insufficientReason: 'the importances are constant, so their ranks do not correlate' } : {}),
        ...(st === null ? { insufficientReason: 'too few explained rows to compare two rankings' } : {}),
        details: st ? { method: st.method, otherOrder: st.otherOrder } : {},
      }),
    );
  }
  return out;
}
