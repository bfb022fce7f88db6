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
