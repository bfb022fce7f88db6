/**
 * The watchdog's memory bound (issue #10): MODEL_RISK_GATE_MAX_MEMORY_MB when the workflow sets it (0 = off), else 75%
 * of the memory the process may use. The stop itself (one fixed line, then SIGKILL) is exercised through the bundle in
 * the hostile suite (a 400-byte model that expands to 4.8 GB) and test/e2e/time-budget.test.ts.
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_MEMORY_ENV, memoryBoundBytes } from '../../src/util/watchdog.js';

describe('memory bound', () => {
  it('is the workflow setting in MiB, 0 turning it off', () => {
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: '600' })).toBe(600 * 1024 * 1024);
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: '1.5' })).toBe(Math.round(1.5 * 1024 * 1024));
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: '0' })).toBe(0);
  });

  it('defaults to 75% of the memory the process may use; a malformed setting falls back to the default', () => {
    const dflt = memoryBoundBytes({});
    expect(dflt).toBeLessThanOrEqual(Math.round(os.totalmem() * 0.75));
    expect(dflt).toBeGreaterThan(0);
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: 'lots' })).toBe(dflt);
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: '-5' })).toBe(dflt);
    expect(memoryBoundBytes({ [MAX_MEMORY_ENV]: '' })).toBe(dflt);
  });
});
