/**
 * Exit statuses, one object per distinct status. A sweep's jobs end with a handful of them
 * (0:0, 1:0, 0:9 …), and an object per attempt and per observation was ~6 MB kept through a
 * 100,000-job tick. The shared objects are frozen: no holder can change another's.
 */
import type { ExitStatus } from './types.js';

/** Exit codes 0–255 with no signal or signals 1–127 are shared; any other gets its own object. */
const CODES = 256;
const SIGNALS = 128;
const SHARED: (ExitStatus | undefined)[] = [];

const within = (n: number, from: number, to: number) => Number.isInteger(n) && n >= from && n < to;

export function exitStatus(code: number | null, signal: number | null): ExitStatus {
  if (code === null || !within(code, 0, CODES) || (signal !== null && !within(signal, 1, SIGNALS))) {
    return { code, signal };
  }
  const slot = code * SIGNALS + (signal ?? 0);
  let shared = SHARED[slot];
  if (shared === undefined) {
    shared = Object.freeze({ code, signal });
    SHARED[slot] = shared;
  }
  return shared;
}
