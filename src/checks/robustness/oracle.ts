/**
 * The attacker's view of the model: scores (or only decisions) of a batch of candidates, through one batched
 * ScoringModel.score() call per attack step, with a query budget and the run's deadline.
 */
import type { ScoringModel } from '../../model/types.js';
import { encodeCandidates, MatrixEncoder } from './encode.js';
import type { Candidates } from './project.js';
import { projectRelations, type RelationLead, type Relations } from './relations.js';
import type { AttackSpace } from './space.js';
import type { StopReason } from './types.js';

export interface Oracle {
  readonly space: AttackSpace;
  readonly threshold: number;
  /** Model rows scored so far through this oracle. */
  readonly queries: number;
  /** score() calls so far. */
  readonly calls: number;
  /** Why no more queries may be made (null while some may). */
  stopped(): StopReason | null;
  /** Rows that still fit in the query budget (no side effect). */
  remaining(): number;
  /** True when n more rows fit in the budget and the deadline has not passed (sets stopped() otherwise). */
  canAfford(n: number): boolean;
  /** Scores of candidates [0, count) in one call. Callers check canAfford first. */
  score(cands: Candidates, extra?: { numeric?: number[]; categorical?: number[] }): Promise<Float32Array>;
}

export interface OracleOptions {
  model: ScoringModel;
  space: AttackSpace;
  threshold: number;
  maxQueries: number;
  deadline: number;
  /** Shared budget of the whole battery (decremented by every oracle). */
  shared?: { remaining: number };
  now?: () => number;
  /** Relations every candidate is projected onto before scoring (not for counterfactuals: they repair their own). */
  relations?: Relations;
  /** What the attack changes on purpose: numbers (noise, score, decision attacks) or levels (categorical attack). */
  lead?: RelationLead;
  /** The model's rows per onnxruntime call (policy model.batch_size), to encode in cache-sized parts (see encodeRows). */
  batchRows?: number;
}

export function createOracle(opts: OracleOptions): Oracle {
  const now = opts.now ?? Date.now;
  let queries = 0;
  let calls = 0;
  let stop: StopReason | null = null;
  // the encoded matrix is reused between calls (the model reads it before score() resolves), and rows that hold the
  // same original row as in the previous call are only patched
  // one encoder per attack space, shared by the oracles of a battery (they score one after the other): its matrix is
  // allocated once, not per attack
  const encoder = opts.space.input.kind === 'matrix' ? sharedEncoder(opts.space) : undefined;
  const partRows = encodeRows(opts.batchRows, opts.space.input.kind === 'matrix' ? opts.space.input.width : 1);
  return {
    space: opts.space,
    threshold: opts.threshold,
    get queries() {
      return queries;
    },
    get calls() {
      return calls;
    },
    stopped: () => stop,
    remaining: () => Math.max(0, Math.min(opts.maxQueries - queries, opts.shared ? opts.shared.remaining : Infinity)),
    canAfford(n: number): boolean {
      if (stop !== null) return false;
      if (now() > opts.deadline) {
        stop = 'deadline';
        return false;
      }
      if (queries + n > opts.maxQueries || (opts.shared !== undefined && n > opts.shared.remaining)) {
        stop = 'query_budget';
        return false;
      }
      return true;
    },
    async score(cands: Candidates, extra?: { numeric?: number[]; categorical?: number[] }): Promise<Float32Array> {
      if (cands.count === 0) return new Float32Array(0);
      if (opts.relations && opts.lead && !extra) projectRelations(opts.space, opts.relations, cands, opts.lead);
      // encode at most partRows candidates at a time (bounds the memory of the model input; see encodeRows)
      // (one part: the model's own score array is the result, no copy)
      let out: Float32Array | null = null;
      encoder?.reserve(Math.min(cands.count, ENCODE_ROWS));
      for (let from = 0; from < cands.count; from += partRows) {
        const part = sliceCandidates(opts.space, cands, from, Math.min(cands.count, from + partRows));
        // each part at its candidates' own rows of the reused matrix (ENCODE_ROWS rows at most; a multiple of partRows)
        const input = encodeCandidates(opts.space, part, extra, encoder, from % ENCODE_ROWS);
        const scores = await opts.model.score(input);
        if (part.count === cands.count) out = scores;
        else (out ??= new Float32Array(cands.count)).set(scores, from);
        queries += part.count;
        if (opts.shared) opts.shared.remaining -= part.count;
      }
      calls++;
      return out!;
    },
  };
}

const encoders = new WeakMap<AttackSpace, MatrixEncoder>();

function sharedEncoder(space: AttackSpace): MatrixEncoder | undefined {
  if (space.input.kind !== 'matrix') return undefined;
  let e = encoders.get(space);
  if (!e) {
    e = new MatrixEncoder(space, space.input);
    encoders.set(space, e);
  }
  return e;
}

/** Rows encoded into one model input at most (the model splits it further into its own batches). */
export const ENCODE_ROWS = 65_536;
/** Bytes of an encoded part that stay in the CPU cache while they are written. */
const CACHED_PART_BYTES = 4 * 1024 * 1024;

/**
 * Rows per encoded part: ENCODE_ROWS, or fewer when the model's batch size is a power of two — then parts of
 * batchRows·2^k rows (as many as fit in CACHED_PART_BYTES, at least one batch) give onnxruntime exactly the same
 * batches as ENCODE_ROWS parts would (the same rows per run, so the same scores), and the reused matrix stays in the
 * CPU cache (measured: writing the rows of a 108-feature matrix 2× faster than into a 65,536-row one).
 */
export function encodeRows(batchRows: number | undefined, width: number): number {
  const b = batchRows ?? 0;
  if (!(Number.isInteger(b) && b > 0 && b <= ENCODE_ROWS && (b & (b - 1)) === 0)) return ENCODE_ROWS;
  let rows = b;
  while (rows * 2 <= ENCODE_ROWS && rows * 2 * Math.max(1, width) * 4 <= CACHED_PART_BYTES) rows *= 2;
  return rows;
}

function sliceCandidates(space: AttackSpace, c: Candidates, from: number, to: number): Candidates {
  if (from === 0 && to === c.count) return c;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  return { count: to - from, origin: c.origin.subarray(from, to), x: c.x.subarray(from * nn, to * nn), c: c.c.subarray(from * nc, to * nc) };
}

/** Decision of a score: 1 when score >= threshold. */
export function decide(score: number, threshold: number): 0 | 1 {
  return score >= threshold ? 1 : 0;
}

const LOGIT_CLAMP = 1e-12;

export function logit(p: number): number {
  const q = p < LOGIT_CLAMP ? LOGIT_CLAMP : p > 1 - LOGIT_CLAMP ? 1 - LOGIT_CLAMP : p;
  return Math.log(q / (1 - q));
}

/**
 * Attack loss of a candidate whose original decision is d0: the signed distance to the threshold in log-odds,
 * positive while the decision is unchanged (attacks drive it below zero).
 */
export function margin(score: number, threshold: number, d0: number): number {
  const m = logit(score) - (threshold === cachedThreshold ? cachedLogit : cacheLogit(threshold));
  return d0 === 1 ? m : -m;
}

let cachedThreshold = Number.NaN;
let cachedLogit = Number.NaN;
function cacheLogit(threshold: number): number {
  cachedThreshold = threshold;
  cachedLogit = logit(threshold);
  return cachedLogit;
}
