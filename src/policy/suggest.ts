/** "Did you mean" suggestions: the closest names by edit distance (Damerau-Levenshtein, optimal string alignment). */

/** Edit distance where an insertion, deletion, substitution or swap of two neighbours costs 1. Case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rows are enough for optimal string alignment.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/**
 * Candidates close enough to `word` to be what the user meant, best first. "Close enough": distance at most a third of
 * the longer name (at least 1, at most 4), or one name contains the other (`auc` -> `roc_auc`).
 */
export function closestNames(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: Array<{ name: string; d: number }> = [];
  const w = word.toLowerCase();
  for (const name of new Set(candidates)) {
    if (name === word) continue;
    const d = editDistance(word, name);
    const budget = Math.min(4, Math.max(1, Math.floor(Math.max(word.length, name.length) / 3)));
    const n = name.toLowerCase();
    const contains = w.length >= 3 && (n.includes(w) || w.includes(n));
    if (d <= budget || contains) scored.push({ name, d: contains ? Math.min(d, budget) : d });
  }
  scored.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.name);
}

/** "did you mean `threshold`?" / "did you mean `a` or `b`?" or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const close = closestNames(word, candidates, 2);
  if (close.length === 0) return '';
  return `did you mean ${close.map((c) => `\`${c}\``).join(' or ')}?`;
}

/** A short list of names for a message: `a`, `b`, `c` (and 12 more). */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``).join(', ');
  return names.length > max ? `${shown} (and ${names.length - max} more)` : shown;
}
