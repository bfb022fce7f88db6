/**
 * Exact interventional TreeSHAP against a background sample (Lundberg et al. 2020, "independent" Tree SHAP): for one
 * explained row x and one background row r, the game v(S) = f(x_S, r_rest) of a single tree is non-zero only on the
 * leaves reachable by mixing the two paths. A leaf reached with the players in A taking x's side and those in B taking
 * r's side (A, B disjoint, every other split agreeing) is reached exactly by the coalitions S with A ⊆ S, S ∩ B = ∅,
 * so its value v gives each i ∈ A  v·(|A|-1)!|B|!/(|A|+|B|)!  and each j ∈ B  -v·|A|!(|B|-1)!/(|A|+|B|)!.
 * Summing over trees (Shapley values are linear) and averaging over the background gives the exact interventional
 * values in margin space; no training-time node covers are needed.
 *
 * Players may group several input features (a one-hot group = one raw column): a split on any feature of the group
 * asks the group's side, which gives the exact Shapley values of the raw-column game.
 *
 * Probability space (logistic transform): as shap's TreeExplainer(model_output='probability'), each background row's
 * margin values are rescaled by (σ(m_x) - σ(m_r)) / (m_x - m_r) before averaging, so they add up to σ(m_x) - E[σ(m_r)].
 */
import { MODE_LEAF, goesTrue, type TreeEnsemble } from './tree-ensemble.js';
import { sigmoid, type ScalarTreeScore } from './tree-score.js';

export interface TreeShapInput {
  score: ScalarTreeScore;
  /** Explained rows, row-major [rows x width]. */
  x: ArrayLike<number>;
  rows: number;
  width: number;
  /** Background rows, row-major [backgroundRows x width]. */
  background: ArrayLike<number>;
  backgroundRows: number;
  /** Background weights (normalised internally); uniform when omitted. */
  weights?: ArrayLike<number>;
  /** Input feature index -> player index; each feature its own player when omitted. */
  playerOf?: Int32Array;
  players?: number;
  /** Stop after this epoch ms (rows done so far are returned). */
  deadline?: number;
}

export interface ShapValues {
  /** [rows x players], row-major. */
  values: Float64Array;
  /** v(empty set). */
  expected: number;
  /** Model output per explained row (in this space). */
  output: Float64Array;
}

export interface TreeShapResult {
  rows: number;
  players: number;
  margin: ShapValues;
  /** Probability-space values (logistic transform only; otherwise the margin is the score and this is null). */
  probability: ShapValues | null;
  /** max |sum(values) + expected - output| per space. */
  additivityError: { margin: number; probability: number | null };
}

/** w[a * stride + b] = a! b! / (a + b + 1)!  (weight of a leaf for a player with a other x-side and b r-side players). */
function shapleyLeafWeights(maxDepth: number): { table: Float64Array; stride: number } {
  const stride = maxDepth + 2;
  const table = new Float64Array(stride * stride);
  const lf = new Float64Array(2 * stride + 2);
  for (let i = 1; i < lf.length; i++) lf[i] = lf[i - 1] + Math.log(i);
  for (let a = 0; a < stride; a++) {
    for (let b = 0; a + b < stride; b++) table[a * stride + b] = Math.exp(lf[a] + lf[b] - lf[a + b + 1]);
  }
  return { table, stride };
}

function directions(e: TreeEnsemble, x: ArrayLike<number>, base: number, out: Uint8Array, outBase: number): void {
  const n = e.mode.length;
  for (let i = 0; i < n; i++) {
    out[outBase + i] = e.mode[i] === MODE_LEAF ? 0 : goesTrue(e, i, x[base + e.feature[i]]) ? 1 : 0;
  }
}

function marginFromDirections(s: ScalarTreeScore, dir: Uint8Array, dirBase: number): number {
  const e = s.ensemble;
  let m = s.offset;
  for (let t = 0; t < e.roots.length; t++) {
    let node = e.roots[t];
    while (e.mode[node] !== MODE_LEAF) node = dir[dirBase + node] ? e.trueChild[node] : e.falseChild[node];
    m += s.leafValue[node];
  }
  return m;
}

/** Walk state for one (x, r) pair; kept in one object so the recursion passes a single reference. */
interface Walk {
  e: TreeEnsemble;
  leafValue: Float64Array;
  playerOf: Int32Array;
  xDir: Uint8Array;
  rDir: Uint8Array;
  rBase: number;
  /** +1 x side, -1 r side, 0 free, per player. */
  side: Int8Array;
  setPlayers: Int32Array;
  setCount: number;
  nx: number;
  nr: number;
  w: Float64Array;
  stride: number;
  phi: Float64Array;
  touched: Uint8Array;
  touchedList: Int32Array;
  touchedCount: number;
}

function walk(s: Walk, node: number): void {
  const e = s.e;
  if (e.mode[node] === MODE_LEAF) {
    const k = s.nx + s.nr;
    if (k === 0) return;
    const v = s.leafValue[node];
    if (v === 0) return;
    const pos = s.nx > 0 ? v * s.w[(s.nx - 1) * s.stride + s.nr] : 0;
    const neg = s.nr > 0 ? -v * s.w[s.nx * s.stride + s.nr - 1] : 0;
    for (let j = 0; j < s.setCount; j++) {
      const p = s.setPlayers[j];
      s.phi[p] += s.side[p] > 0 ? pos : neg;
      if (!s.touched[p]) {
        s.touched[p] = 1;
        s.touchedList[s.touchedCount++] = p;
      }
    }
    return;
  }
  const xd = s.xDir[node];
  const rd = s.rDir[s.rBase + node];
  const tc = e.trueChild[node];
  const fc = e.falseChild[node];
  if (xd === rd) {
    walk(s, xd ? tc : fc);
    return;
  }
  const p = s.playerOf[e.feature[node]];
  const side = s.side[p];
  if (side > 0) {
    walk(s, xd ? tc : fc);
    return;
  }
  if (side < 0) {
    walk(s, rd ? tc : fc);
    return;
  }
  s.setPlayers[s.setCount++] = p;
  s.side[p] = 1;
  s.nx++;
  walk(s, xd ? tc : fc);
  s.nx--;
  s.side[p] = -1;
  s.nr++;
  walk(s, rd ? tc : fc);
  s.nr--;
  s.side[p] = 0;
  s.setCount--;
}

/**
 * Background rows that take the same direction at every branch node of a tree play the same game with x on that tree,
 * so per tree the background is grouped by its direction pattern and each pattern is walked once (weights summed).
 */
interface PatternGroups {
  /** Per tree: [start, end) into reps / memberStart. */
  treeStart: Int32Array;
  /** Per group: a representative background row. */
  rep: Int32Array;
  /** Per group: members in `members`, [memberStart[g], memberStart[g + 1]). */
  memberStart: Int32Array;
  members: Int32Array;
  /** Per group: sum of member weights. */
  weight: Float64Array;
}

function branchNodesPerTree(e: TreeEnsemble): Int32Array[] {
  return Array.from(e.roots, (root) => {
    const out: number[] = [];
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      if (e.mode[node] === MODE_LEAF) continue;
      out.push(node);
      stack.push(e.falseChild[node], e.trueChild[node]);
    }
    return Int32Array.from(out);
  });
}

function groupBackground(e: TreeEnsemble, rDir: Uint8Array, rows: number, nodes: number, weights: Float64Array): PatternGroups {
  const perTree = branchNodesPerTree(e);
  const treeStart = new Int32Array(perTree.length + 1);
  const rep: number[] = [];
  const memberStart: number[] = [];
  const members: number[] = [];
  const weight: number[] = [];
  for (let t = 0; t < perTree.length; t++) {
    treeStart[t] = rep.length;
    const branch = perTree[t];
    const byKey = new Map<string, number[]>();
    for (let b = 0; b < rows; b++) {
      let key = '';
      const base = b * nodes;
      for (let k = 0; k < branch.length; k++) key += rDir[base + branch[k]] ? '1' : '0';
      const list = byKey.get(key);
      if (list) list.push(b);
      else byKey.set(key, [b]);
    }
    for (const list of byKey.values()) {
      rep.push(list[0]);
      memberStart.push(members.length);
      let w = 0;
      for (const b of list) {
        members.push(b);
        w += weights[b];
      }
      weight.push(w);
    }
  }
  treeStart[perTree.length] = rep.length;
  memberStart.push(members.length);
  return {
    treeStart,
    rep: Int32Array.from(rep),
    memberStart: Int32Array.from(memberStart),
    members: Int32Array.from(members),
    weight: Float64Array.from(weight),
  };
}

export function treeShap(input: TreeShapInput): TreeShapResult {
  const { score, x, width, background, backgroundRows } = input;
  const e = score.ensemble;
  if (e.featureCount > width) throw new Error(`the trees use feature ${e.featureCount - 1} but rows have ${width} values`);
  const playerOf = input.playerOf ?? Int32Array.from({ length: width }, (_, i) => i);
  const players = input.players ?? width;
  const nodes = e.mode.length;
  const logistic = score.transform === 'logistic';

  const weights = new Float64Array(backgroundRows);
  let wsum = 0;
  for (let b = 0; b < backgroundRows; b++) {
    weights[b] = input.weights ? input.weights[b] : 1;
    wsum += weights[b];
  }
  for (let b = 0; b < backgroundRows; b++) weights[b] /= wsum;

  const rDir = new Uint8Array(backgroundRows * nodes);
  const rMargin = new Float64Array(backgroundRows);
  let expectedMargin = 0;
  let expectedProb = 0;
  for (let b = 0; b < backgroundRows; b++) {
    directions(e, background, b * width, rDir, b * nodes);
    rMargin[b] = marginFromDirections(score, rDir, b * nodes);
    expectedMargin += weights[b] * rMargin[b];
    if (logistic) expectedProb += weights[b] * sigmoid(rMargin[b]);
  }
  const groups = groupBackground(e, rDir, backgroundRows, nodes, weights);
  const groupProbWeight = new Float64Array(groups.rep.length);
  const rescaled = new Float64Array(backgroundRows);

  const { table, stride } = shapleyLeafWeights(e.maxDepth);
  const state: Walk = {
    e,
    leafValue: score.leafValue,
    playerOf,
    xDir: new Uint8Array(nodes),
    rDir,
    rBase: 0,
    side: new Int8Array(players),
    setPlayers: new Int32Array(e.maxDepth + 1),
    setCount: 0,
    nx: 0,
    nr: 0,
    w: table,
    stride,
    phi: new Float64Array(players),
    touched: new Uint8Array(players),
    touchedList: new Int32Array(players),
    touchedCount: 0,
  };

  let rows = input.rows;
  const marginValues = new Float64Array(rows * players);
  const probValues = logistic ? new Float64Array(rows * players) : null;
  const marginOut = new Float64Array(rows);
  const probOut = logistic ? new Float64Array(rows) : null;
  let errMargin = 0;
  let errProb = 0;

  for (let i = 0; i < rows; i++) {
    if (input.deadline !== undefined && (i & 7) === 0 && i > 0 && Date.now() > input.deadline) {
      rows = i;
      break;
    }
    directions(e, x, i * width, state.xDir, 0);
    const mx = marginFromDirections(score, state.xDir, 0);
    const px = logistic ? sigmoid(mx) : mx;
    if (logistic) {
      for (let b = 0; b < backgroundRows; b++) {
        const d = mx - rMargin[b];
        rescaled[b] = weights[b] * (d === 0 ? 1 : (px - sigmoid(rMargin[b])) / d);
      }
      for (let g = 0; g < groups.rep.length; g++) {
        let s = 0;
        for (let k = groups.memberStart[g]; k < groups.memberStart[g + 1]; k++) s += rescaled[groups.members[k]];
        groupProbWeight[g] = s;
      }
    }
    const mRow = i * players;
    for (let t = 0; t < e.roots.length; t++) {
      const root = e.roots[t];
      for (let g = groups.treeStart[t]; g < groups.treeStart[t + 1]; g++) {
        state.rBase = groups.rep[g] * nodes;
        state.touchedCount = 0;
        walk(state, root);
        if (state.touchedCount === 0) continue;
        const wm = groups.weight[g];
        const wp = groupProbWeight[g];
        for (let k = 0; k < state.touchedCount; k++) {
          const p = state.touchedList[k];
          const v = state.phi[p];
          marginValues[mRow + p] += wm * v;
          if (probValues) probValues[mRow + p] += wp * v;
          state.phi[p] = 0;
          state.touched[p] = 0;
        }
      }
    }
    marginOut[i] = mx;
    let sm = expectedMargin;
    for (let p = 0; p < players; p++) sm += marginValues[mRow + p];
    errMargin = Math.max(errMargin, Math.abs(sm - mx));
    if (probValues && probOut) {
      probOut[i] = px;
      let sp = expectedProb;
      for (let p = 0; p < players; p++) sp += probValues[mRow + p];
      errProb = Math.max(errProb, Math.abs(sp - px));
    }
  }

  const cut = (a: Float64Array, len: number): Float64Array => (a.length === len ? a : a.slice(0, len));
  return {
    rows,
    players,
    margin: { values: cut(marginValues, rows * players), expected: expectedMargin, output: cut(marginOut, rows) },
    probability:
      probValues && probOut
        ? { values: cut(probValues, rows * players), expected: expectedProb, output: cut(probOut, rows) }
        : null,
    additivityError: { margin: errMargin, probability: logistic ? errProb : null },
  };
}
