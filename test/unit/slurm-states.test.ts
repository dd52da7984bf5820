import { describe, expect, it } from 'vitest';
import {
  decodeWaitStatus,
  parseDuration,
  parseExitCode,
  parseNodes,
  parseTimestamp,
  secondsBetween,
} from '../../src/adapters/slurm/fields.js';
import { chunkIds, expandArrayId, isValidJobId, splitStep } from '../../src/adapters/slurm/job-ids.js';
import { normalizeSlurmState } from '../../src/adapters/slurm/states.js';
import { isFailedState, type JobState } from '../../src/core/types.js';

describe('normalizeSlurmState', () => {
  it.each<[string, JobState]>([
    ['PENDING', 'PENDING'],
    ['RUNNING', 'RUNNING'],
    ['SUSPENDED', 'SUSPENDED'],
    ['COMPLETING', 'COMPLETING'],
    ['COMPLETED', 'COMPLETED'],
    ['FAILED', 'FAILED'],
    ['TIMEOUT', 'TIMEOUT'],
    ['CANCELLED', 'CANCELLED'],
    ['CANCELLED by 1001', 'CANCELLED'],
    ['CANCELLED by 0', 'CANCELLED'],
    ['OUT_OF_MEMORY', 'OUT_OF_MEMORY'],
    ['NODE_FAIL', 'NODE_FAIL'],
    ['PREEMPTED', 'PREEMPTED'],
    ['BOOT_FAIL', 'BOOT_FAIL'],
    ['DEADLINE', 'DEADLINE'],
    ['REQUEUED', 'REQUEUED'],
    ['REQUEUE_HOLD', 'REQUEUE_HOLD'],
    ['RESIZING', 'RESIZING'],
    ['REVOKED', 'REVOKED'],
    ['SPECIAL_EXIT', 'SPECIAL_EXIT'],
    ['STOPPED', 'STOPPED'],
    ['CONFIGURING', 'RUNNING'],
    ['SIGNALING', 'RUNNING'],
    ['STAGE_OUT', 'COMPLETING'],
    ['RESV_DEL_HOLD', 'PENDING'],
    ['REQUEUE_FED', 'REQUEUED'],
    // squeue's compact codes (%t)
    ['PD', 'PENDING'],
    ['R', 'RUNNING'],
    ['CG', 'COMPLETING'],
    ['CD', 'COMPLETED'],
    ['F', 'FAILED'],
    ['TO', 'TIMEOUT'],
    ['CA', 'CANCELLED'],
    ['OOM', 'OUT_OF_MEMORY'],
    ['NF', 'NODE_FAIL'],
    ['PR', 'PREEMPTED'],
    ['BF', 'BOOT_FAIL'],
    ['DL', 'DEADLINE'],
    ['RQ', 'REQUEUED'],
    ['RH', 'REQUEUE_HOLD'],
    ['RS', 'RESIZING'],
    ['RV', 'REVOKED'],
    ['SE', 'SPECIAL_EXIT'],
    ['ST', 'STOPPED'],
    ['S', 'SUSPENDED'],
    ['SO', 'COMPLETING'],
    ['SI', 'RUNNING'],
    ['RD', 'PENDING'],
    ['RF', 'REQUEUED'],
    ['CF', 'RUNNING'],
    // sacct without --parsable truncates to 10 columns
    ['OUT_OF_ME+', 'OUT_OF_MEMORY'],
    ['CANCELLED+', 'CANCELLED'],
    // lower case and padding
    [' running ', 'RUNNING'],
  ])('%s → %s', (raw, state) => {
    expect(normalizeSlurmState(raw)).toBe(state);
  });

  it.each(['', 'LAUNCH_FAILED', 'WEIRD', 'RE+', '?', 'COMPLETE'])(
    'unknown %j → UNKNOWN, never a failure',
    (raw) => {
      const state = normalizeSlurmState(raw);
      expect(state).toBe('UNKNOWN');
      expect(isFailedState(state)).toBe(false);
    },
  );
});

describe('exit codes', () => {
  it.each([
    ['0:0', { code: 0, signal: null }],
    ['1:0', { code: 1, signal: null }],
    ['137:0', { code: 137, signal: null }],
    ['0:9', { code: 0, signal: 9 }],
    ['0:125', { code: 0, signal: 125 }],
    ['0:15', { code: 0, signal: 15 }],
  ])('sacct %s', (text, exit) => {
    expect(parseExitCode(text)).toEqual(exit);
  });

  it.each(['', 'N/A', '1', 'a:b'])('unreadable %j → undefined', (text) => {
    expect(parseExitCode(text)).toBeUndefined();
  });

  // squeue --json's raw wait status, values seen in the lab (slurm-lab.md)
  it.each([
    [0, { code: 0, signal: null }],
    [256, { code: 1, signal: null }],
    [768, { code: 3, signal: null }],
    [15, { code: 0, signal: 15 }],
    [9, { code: 0, signal: 9 }],
    [253, { code: 0, signal: 125 }],
  ])('wait status %i', (value, exit) => {
    expect(decodeWaitStatus(value)).toEqual(exit);
  });
});

describe('durations and times', () => {
  it.each([
    ['00:00:00', 0],
    ['0:08', 8],
    ['1:00', 60],
    ['01:21', 81],
    ['1:02:03', 3723],
    ['00:01:09', 69],
    ['2-01:00:00', 176_400],
    ['10:00.123', 600],
  ])('%s = %i s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['UNLIMITED', 'INVALID', 'NOT_SET', 'Partition_Limit', '', '1-02:03'])('%j → undefined', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('keeps Slurm timestamps and drops placeholders', () => {
    expect(parseTimestamp('2026-11-26T04:20:49')).toBe('2026-11-26T04:20:49');
    for (const p of ['Unknown', 'None', 'N/A', '', 'soon']) expect(parseTimestamp(p)).toBeUndefined();
    expect(secondsBetween('2026-11-26T04:20:49', '2026-11-26T05:20:50')).toBe(3601);
    expect(parseNodes('None assigned')).toBeUndefined();
    expect(parseNodes('vm')).toBe('vm');
  });
});

describe('job ids', () => {
  it('validates what may be sent to the cluster', () => {
    for (const ok of ['1', '123_4', '77+1']) expect(isValidJobId(ok)).toBe(true);
    for (const bad of ['', '-u', '1;rm', '12 3', '12_[1-3]', '1.batch', 'abc'])
      expect(isValidJobId(bad)).toBe(false);
  });

  it.each([
    ['123_[5-9]', ['123_5', '123_6', '123_7', '123_8', '123_9']],
    ['123_[1,3-5%2]', ['123_1', '123_3', '123_4', '123_5']],
    ['7_[0-6:3]', ['7_0', '7_3', '7_6']],
    ['123_4', ['123_4']],
    ['42', ['42']],
  ])('expands %s', (id, ids) => {
    expect(expandArrayId(id)).toEqual(ids);
  });

  it('refuses malformed or absurd ranges', () => {
    expect(expandArrayId('123_[a-b]')).toBeUndefined();
    expect(expandArrayId('123_[9-1]')).toBeUndefined();
    expect(expandArrayId('123_[0-999999999]')).toBeUndefined();
    expect(expandArrayId('x')).toBeUndefined();
  });

  it('splits steps', () => {
    expect(splitStep('43_3.batch')).toEqual({ job: '43_3', step: 'batch' });
    expect(splitStep('40')).toEqual({ job: '40', step: undefined });
  });

  it('chunks id lists under the byte budget', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(100_000 + i));
    const chunks = chunkIds(ids, 1000);
    expect(chunks.every((c) => c.length <= 1000)).toBe(true);
    expect(chunks.join(',').split(',')).toEqual(ids);
    expect(chunkIds(['1', '2'], 100_000)).toEqual(['1,2']);
  });
});
