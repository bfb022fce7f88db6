/**
 * Relations (issue #14) on small synthetic spaces: one-to-one pairs learned only when they hold exactly, projection of
 * numeric and categorical candidates, less_equal and sums, counterfactual repairs, the smallest step, policy errors.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/types.js';
import type { MatrixInput } from '../../src/model/types.js';
import type { PolicyDocument } from '../../src/policy/types.js';
import { robustnessSettings, type RelationSettings } from '../../src/checks/robustness/policy.js';
import { allocCandidates, setOriginal } from '../../src/checks/robustness/project.js';
import { buildRelations, categoricalAllowed, projectRelations, repairCounterfactual, smallestStep } from '../../src/checks/robustness/relations.js';
import { buildAttackSpace } from '../../src/checks/robustness/space.js';
import { UserError } from '../../src/util/errors.js';

/**
 * Rows: edu (one-hot e=lo/mid/hi) <-> edu_num (1/2/3, integer), rel (r=h/w/n), sex (s=m/f), a <= b, p + q = t.
 * Seen (e, r): (lo, h), (mid, w), (hi, n), (mid, h); (r, s): (h, m), (w, f), (n, m).
 */
const NAMES = ['edu_num', 'a', 'b', 'p', 'q', 't', 'e=lo', 'e=mid', 'e=hi', 'r=h', 'r=w', 'r=n', 's=m', 's=f'];
const ROWS = [
  [1, 1, 5, 1, 2, 3, 1, 0, 0, 1, 0, 0, 1, 0],
  [2, 2, 6, 2, 2, 4, 0, 1, 0, 0, 1, 0, 0, 1],
  [3, 3, 7, 3, 3, 6, 0, 0, 1, 0, 0, 1, 1, 0],
  [2, 4, 8, 1, 1, 2, 0, 1, 0, 1, 0, 0, 1, 0],
  [1, 0, 9, 0, 5, 5, 1, 0, 0, 1, 0, 0, 1, 0],
];

function doc(): PolicyDocument {
  return {
    policy: { sensitive: [], intersections: [], checks: {} },
    file: 'p.yml',
    sha256: '',
    locate: () => ({ file: 'p.yml', line: 7, column: 3 }),
  } as unknown as PolicyDocument;
}

function setup(relations: Partial<RelationSettings> = {}, robustness: Record<string, unknown> = {}) {
  const data = Float32Array.from(ROWS.flat());
  const oneHotGroups = { e: [6, 7, 8], r: [9, 10, 11], s: [12, 13] };
  const input: MatrixInput = { kind: 'matrix', rows: ROWS.length, input: 'x', width: NAMES.length, data, featureNames: NAMES, oneHotGroups };
  const dataset = { file: 'd.csv', sha256: '', rows: ROWS.length, columns: [], byName: new Map() } as unknown as Dataset;
  const d = doc();
  const settings = robustnessSettings({ ...d, policy: { ...d.policy, checks: { robustness: { units: 'raw', ...robustness } } } } as unknown as PolicyDocument)!;
  const space = buildAttackSpace({ input, dataset, doc: d, settings });
  // 5 rows are too few for learned pairs to rule anything out (structural zeros need >= 5 expected rows): the
  // combinations are named, which requires them to have been seen
  const rel = buildRelations(space, { ...settings.relations, combinations: [['e', 'r'], ['r', 's']], ...relations }, d);
  return { space, rel };
}

const num = (space: ReturnType<typeof setup>['space'], name: string): number => space.numeric.findIndex((f) => f.name === name);
const cat = (space: ReturnType<typeof setup>['space'], name: string): number => space.categorical.findIndex((f) => f.name === name);

describe('relations', () => {
  it('learns the one-to-one pair e <-> edu_num and the seen categorical pairs; nothing when learn: false', () => {
    const { space, rel } = setup();
    expect(rel.functional.map((p) => [space.categorical[p.categorical]!.name, space.numeric[p.numeric]!.name])).toEqual([['e', 'edu_num']]);
    const learned = rel.combinations.filter((c) => c.source === 'learned');
    expect(learned.length).toBe(3); // (e, r), (e, s), (r, s)
    expect(learned.every((c) => c.excluded === 0)).toBe(true); // nothing expected >= 5 times in 5 rows
    expect(rel.combinations.filter((c) => c.source === 'policy').map((c) => c.excluded)).toEqual([5, 3]);
    expect(setup({ learn: false }).rel.functional).toEqual([]);
  });

  it('numeric lead: a moved edu_num snaps towards the original and e follows; an unseen combination puts it back', () => {
    const { space, rel } = setup();
    const c = allocCandidates(space, 3);
    const nn = space.numeric.length;
    const nc = space.categorical.length;
    const j = num(space, 'edu_num');
    const e = cat(space, 'e');
    for (let k = 0; k < 3; k++) setOriginal(space, c, k, 0);
    c.x[0 * nn + j] = 2.7; // row 0: 1 -> 2.7 snaps to 2 (mid)
    c.x[1 * nn + j] = 3.5; // -> 3 (hi): (hi, s=m) seen (row 2), (hi, r=h) never seen -> back to 1
    c.x[2 * nn + j] = 1.4; // no allowed value between 1 and 1.4 -> 1
    projectRelations(space, rel, c, 'numeric');
    expect(c.x[0 * nn + j]).toBe(2);
    expect(space.categorical[e]!.levels[c.c[0 * nc + e]!]).toBe('mid');
    expect(c.x[1 * nn + j]).toBe(1);
    expect(space.categorical[e]!.levels[c.c[1 * nc + e]!]).toBe('lo');
    expect(c.x[2 * nn + j]).toBe(1);
  });

  it('categorical lead: a changed level sets its partner; an unseen combination is put back', () => {
    const { space, rel } = setup();
    const c = allocCandidates(space, 2);
    const nn = space.numeric.length;
    const nc = space.categorical.length;
    setOriginal(space, c, 0, 1);
    setOriginal(space, c, 1, 0);
    c.c[0 * nc + cat(space, 'e')] = space.categorical[cat(space, 'e')]!.levels.indexOf('lo'); // row 1 (mid, w, f) -> lo: (lo, w) unseen
    c.c[1 * nc + cat(space, 'r')] = space.categorical[cat(space, 'r')]!.levels.indexOf('w'); // row 0 (lo, h, m) -> w: (w, m) unseen
    expect(categoricalAllowed(space, rel, c.c, 1, 0)).toBe(false);
    projectRelations(space, rel, c, 'categorical');
    expect(Array.from(c.c.subarray(0, nc))).toEqual(Array.from(space.c0.subarray(1 * nc, 2 * nc)));
    expect(c.x[0 * nn + num(space, 'edu_num')]).toBe(2);
    const ok = allocCandidates(space, 1);
    setOriginal(space, ok, 0, 4); // (lo, h, m)
    ok.c[cat(space, 's')] = space.categorical[cat(space, 's')]!.levels.indexOf('f');
    expect(categoricalAllowed(space, rel, ok.c, 0, 4)).toBe(false); // (h, f) never seen
  });

  it('less_equal and sums: moved values are pulled back towards the original row, or put back', () => {
    const { space, rel } = setup({ learn: false, less_equal: [['a', 'b']], sums: [{ parts: ['p', 'q'], total: 't' }] });
    const nn = space.numeric.length;
    const c = allocCandidates(space, 2);
    setOriginal(space, c, 0, 0);
    setOriginal(space, c, 1, 0);
    c.x[0 * nn + num(space, 'a')] = 7; // a 1 -> 7 > b 5: pulled to 5
    c.x[1 * nn + num(space, 'p')] = 1.5; // p + q = 3.5 != t 3: t follows (mutable)
    projectRelations(space, rel, c, 'numeric');
    expect(c.x[0 * nn + num(space, 'a')]).toBe(5);
    expect(c.x[1 * nn + num(space, 't')]).toBeCloseTo(3.5, 6);
    const frozen = setup({ learn: false, sums: [{ parts: ['p', 'q'], total: 't' }] }, { immutable: ['t'] });
    const d = allocCandidates(frozen.space, 1);
    setOriginal(frozen.space, d, 0, 0);
    d.x[num(frozen.space, 'p')] = 1.5;
    projectRelations(frozen.space, frozen.rel, d, 'numeric');
    expect(d.x[num(frozen.space, 'p')]).toBe(1); // t may not move: the parts go back
  });

  it('counterfactual repair: the fewest dependents change, to the most likely value; unresolved ones are counted', () => {
    const { space, rel } = setup({}, { sensitive_immutable: false });
    const nc = space.categorical.length;
    const s = cat(space, 's');
    const r = cat(space, 'r');
    const c = allocCandidates(space, 1);
    setOriginal(space, c, 0, 0); // (lo, h, m)
    c.c[s] = space.categorical[s]!.levels.indexOf('f');
    const repair = { categorical: [] as number[], numeric: [] as number[], changed: new Map<string, number>(), unresolved: new Map<string, number>() };
    repairCounterfactual(space, rel, c, 0, s, repair);
    const rl = space.categorical[r]!.levels[c.c[r]!];
    expect(['w', 'n']).toContain(rl);
    expect(repair.changed.get('r')).toBe(1);
    expect(repair.categorical).toContain(r);
    void nc;
  });

  it('smallest step: integer and allowed values of a pair; none when nothing can move', () => {
    const { space, rel } = setup({}, { mutable: ['edu_num', 'e'] });
    expect(smallestStep(space, rel)).toEqual({ size: 1, feature: 'edu_num', why: 'allowed values of e' });
    const plain = setup({ learn: false }, { mutable: ['edu_num', 'a'], features: { a: { integer: true } } });
    expect(smallestStep(plain.space, plain.rel)).toEqual({ size: 1, feature: 'edu_num', why: 'integer' });
    const frozen = setup({}, { mutable: ['edu_num'], immutable: ['e'] });
    expect(frozen.space.numeric[num(frozen.space, 'edu_num')]!.immutableReason).toBe('determined by e (immutable)');
    expect(smallestStep(frozen.space, frozen.rel)).toBeNull();
  });

  it('policy names that match no feature are UserErrors with a suggestion; two numeric features cannot be a functional pair', () => {
    expect(() => setup({ functional: [['e', 'edu_nmu']] })).toThrow(UserError);
    expect(() => setup({ functional: [['e', 'edu_nmu']] })).toThrow(/`edu_nmu` is not a model feature; did you mean `edu_num`/);
    expect(() => setup({ functional: [['a', 'b']] })).toThrow(/are both numeric/);
    expect(() => setup({ combinations: [['r', 'a']] })).toThrow(/`a` is numeric/);
  });
});

describe('policy: relations, worst_case, certify, beam_width', () => {
  const read = (robustness: Record<string, unknown>) => {
    const d = doc();
    return robustnessSettings({ ...d, policy: { ...d.policy, sensitive: [], checks: { robustness } } } as unknown as PolicyDocument)!;
  };
  it('defaults: learned relations, certificates on, beam width 10, no worst-case gate', () => {
    const s = read({});
    expect(s.relations).toEqual({ learn: true, min_count: 1, functional: [], combinations: [], less_equal: [], sums: [] });
    expect(s.certify).toBe(true);
    expect(s.categorical_attack.beam_width).toBe(10);
    expect(s.worst_case).toEqual({});
  });
  it('reads the keys and adds a worst-case gate budget to the attacks that run its norm', () => {
    const s = read({
      relations: { learn: false, min_count: 3, functional: [['a', 'b']], combinations: [['x', 'y', 'z']], less_equal: [['p', 'q']], sums: [{ parts: ['p', 'q'], total: 't' }] },
      worst_case: { success_rate: { max: 0.1, norm: 'l2', epsilon: 0.3 } },
      certify: false,
    });
    expect(s.relations.min_count).toBe(3);
    expect(s.relations.sums).toEqual([{ parts: ['p', 'q'], total: 't' }]);
    expect(s.worst_case.success_rate).toMatchObject({ max: 0.1, norm: 'l2', epsilon: 0.3 });
    expect(s.score_attack.epsilons.l2).toEqual([0.1, 0.25, 0.3, 0.5]);
    expect(s.decision_attack.epsilons).toEqual([0.1, 0.25, 0.3, 0.5]);
    expect(s.score_attack.epsilons.linf).toEqual([0.05, 0.1, 0.25]);
    expect(s.certify).toBe(false);
  });
  it('bad values are UserErrors that say what is allowed', () => {
    expect(() => read({ relations: { functional: [['a']] } })).toThrow(/each entry of `functional` must list 2 feature names/);
    expect(() => read({ relations: { sums: [{ parts: ['a'] }] } })).toThrow(/parts: \[at least two feature names\], total/);
    expect(() => read({ relations: { learned: true } })).toThrow(/unknown key `learned` in relations; allowed: learn, min_count/);
    expect(() => read({ worst_case: { flip_rate: { max: 0.1 } } })).toThrow(/unknown key `flip_rate` in worst_case/);
    expect(() => read({ worst_case: { success_rate: { max: 0.1 } }, score_attack: { enabled: false }, decision_attack: { enabled: false } })).toThrow(UserError);
  });
});
