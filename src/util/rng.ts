/**
 * Seeded pseudo-random numbers. Every random draw in the project goes through an Rng so that the same inputs and
 * seed give the same report. Generator: xoshiro128** (32-bit state words, fast in JS), seeded through splitmix32.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal draw (Box-Muller, one value per call, cached pair). */
  normal(): number;
  /** A new independent generator derived from this one and a label (stable: same parent seed + label -> same stream). */
  fork(label: string): Rng;
  /** The seed this generator was created from. */
  readonly seed: number;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

function hashLabel(label: string): number {
  // FNV-1a 32-bit
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  const seedInt = Number.isFinite(seed) ? Math.floor(seed) >>> 0 : 0;
  const sm = splitmix32(seedInt);
  // the state words are kept as int32 (small integers in V8, no heap numbers); only the output is made unsigned
  let s0 = sm() | 0, s1 = sm() | 0, s2 = sm() | 0, s3 = sm() | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextU32 = (): number => {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };
  let spare: number | null = null;
  const rng: Rng = {
    seed: seedInt,
    next: () => {
      // 53-bit resolution from two 32-bit draws
      const hi = nextU32() >>> 5, lo = nextU32() >>> 6;
      return (hi * 67108864 + lo) / 9007199254740992;
    },
    int: (n: number) => {
      if (!(n > 0)) throw new RangeError(`Rng.int needs n > 0, got ${n}`);
      return Math.floor(rng.next() * n);
    },
    normal: () => {
      if (spare !== null) { const v = spare; spare = null; return v; }
      let u = 0, v = 0, s = 0;
      do { u = rng.next() * 2 - 1; v = rng.next() * 2 - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * m;
      return u * m;
    },
    fork: (label: string) => createRng((seedInt ^ hashLabel(label)) >>> 0),
  };
  return rng;
}

/** Fisher-Yates shuffle of indices 0..n-1 (or of a given array, in place). */
export function shuffledIndices(n: number, rng: Rng): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return a;
}
