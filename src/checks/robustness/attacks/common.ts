/** What the attacks share: step size bounds, the ball slack, cheap random signs. */
import type { Rng } from '../../../util/rng.js';

/** Most candidates scored in one attack step (bounds memory; steps of larger runs are split into chunks of rows). */
export const MAX_STEP_ROWS = 262_144;
/** Slack on "inside the ball" for floating-point noise in the norm computation. */
export const BALL_SLACK = 1e-9;

/** ±1 with probability ½ each, 30 draws per rng call. */
export function rademacher(rng: Rng, out: Float64Array, offset: number, count: number): void {
  for (let i = 0; i < count; i += 30) {
    let bits = rng.int(1 << 30);
    const end = Math.min(count, i + 30);
    for (let q = i; q < end; q++) {
      out[offset + q] = bits & 1 ? 1 : -1;
      bits >>>= 1;
    }
  }
}

const TWO_POW_26 = 67_108_864;
const TWO_POW_27 = 134_217_728;
const TWO_POW_53 = 9_007_199_254_740_992;

/**
 * `count` standard normal draws into out[offset, ...): Box-Muller on the two halves (26 and 27 bits) of one 53-bit
 * uniform per pair of draws (half the generator calls of Rng.normal, no rejection).
 */
export function fillNormal(rng: Rng, out: Float64Array, offset: number, count: number): void {
  for (let i = 0; i < count; i += 2) {
    const bits = rng.next() * TWO_POW_53; // an integer in [0, 2^53)
    const hi = Math.floor(bits / TWO_POW_27);
    const lo = bits - hi * TWO_POW_27;
    const r = Math.sqrt(-2 * Math.log((hi + 1) / TWO_POW_26)); // (hi + 1) / 2^26 in (0, 1]
    const theta = (2 * Math.PI * lo) / TWO_POW_27;
    out[offset + i] = r * Math.cos(theta);
    if (i + 1 < count) out[offset + i + 1] = r * Math.sin(theta);
  }
}
