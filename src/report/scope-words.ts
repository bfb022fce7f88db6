/**
 * A check's scope in words for people: the checks identify a scope by an id made for machines
 * (`categorical_attack@2`, `score_attack/linf@0.1/sex`, `counterfactual/age_bin`, `worst_case/l2@0.25`); renderers
 * show 'categorical attack, ≤ 2 changes', 'score attack L∞, ε 0.1, across sex', 'counterfactual, age_bin',
 * 'worst case L2, ε 0.25'. Any other scope (a sensitive attribute, a column) is shown as it is. Pure; the text is
 * not escaped (the caller escapes for its format).
 */

const NORMS: Record<string, string> = { linf: 'L∞', l2: 'L2', l1: 'L1', l0: 'L0' };

const ATTACKS: Record<string, string> = {
  noise: 'noise',
  score_attack: 'score attack',
  decision_attack: 'decision attack',
  categorical_attack: 'categorical attack',
};

function attackWords(key: string): { words: string; kind: string } | undefined {
  const [kind, norm, ...rest] = key.split('/');
  if (kind === undefined || rest.length > 0) return undefined;
  const base = ATTACKS[kind];
  if (base === undefined) return undefined;
  if (norm === undefined) return { words: base, kind };
  const n = NORMS[norm];
  return n === undefined ? undefined : { words: `${base} ${n}`, kind };
}

function budgetWords(kind: string, budget: string): string {
  if (kind === 'categorical_attack') return `≤ ${budget} ${budget === '1' ? 'change' : 'changes'}`;
  if (kind === 'noise') return `strength ${budget}`;
  return `ε ${budget}`;
}

const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

/** 'categorical attack, ≤ 2 changes' for `categorical_attack@2`; the scope itself when it is not an id. */
export function readableScope(scope: string): string {
  const cf = /^counterfactual\/(.+)$/.exec(scope);
  if (cf) return `counterfactual, ${cf[1]}`;
  const wc = /^worst_case\/([a-z0-9]+)@([^/@]+)$/.exec(scope);
  if (wc && NORMS[wc[1]!] && NUMBER.test(wc[2]!)) return `worst case ${NORMS[wc[1]!]}, ε ${wc[2]}`;
  const at = /^([a-z_]+(?:\/[a-z0-9]+)?)(?:@([^/@]+)(?:\/(.+))?)?$/.exec(scope);
  if (!at) return scope;
  const attack = attackWords(at[1]!);
  if (!attack) return scope;
  if (at[2] === undefined) return attack.words;
  if (!NUMBER.test(at[2])) return scope;
  const parts = [attack.words, budgetWords(attack.kind, at[2])];
  if (at[3] !== undefined) parts.push(`across ${at[3]}`);
  return parts.join(', ');
}
