import { describe, expect, it } from 'vitest';
import { parseExitCode } from '../../src/adapters/slurm/fields.js';
import { exitStatus } from '../../src/core/exit-status.js';

describe('exit statuses', () => {
  it('gives every job that ended 1:0 the same frozen status, which no holder can change', () => {
    const a = exitStatus(1, null);
    expect(exitStatus(1, null)).toBe(a);
    expect(parseExitCode('1:0')).toBe(a);
    expect(a).toEqual({ code: 1, signal: null });
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { code: number | null }).code = 2;
    }).toThrow(TypeError);
  });

  it.each([
    [0, 9],
    [255, 127],
    [0, null],
  ])('keeps %s:%s apart from every other status', (code, signal) => {
    expect(exitStatus(code, signal)).toEqual({ code, signal });
    expect(exitStatus(code, signal)).toBe(exitStatus(code, signal));
  });

  it.each([
    [null, 9],
    [256, null],
    [-1, null],
    [1.5, null],
    [1, 0],
    [1, 128],
  ])('gives the unusual %s:%s an object of its own, with exactly those values', (code, signal) => {
    expect(exitStatus(code, signal)).toEqual({ code, signal });
    expect(exitStatus(code, signal)).not.toBe(exitStatus(code, signal));
  });
});
