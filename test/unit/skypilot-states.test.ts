import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSkyVersion } from '../../src/adapters/skypilot/dialects.js';
import { parseSkyDuration } from '../../src/adapters/skypilot/durations.js';
import {
  KNOWN_SKY_STATUSES,
  normalizeSkyStatus,
  skyStatusWord,
  statusReason,
} from '../../src/adapters/skypilot/states.js';
import { judgeState } from '../../src/core/rules/states.js';
import { isFailedState, isTerminal, type JobState } from '../../src/core/types.js';

describe('ManagedJobStatus → JobState', () => {
  const table: [string, JobState, string | undefined][] = [
    ['PENDING', 'PENDING', 'PENDING'],
    ['SUBMITTED', 'PENDING', 'SUBMITTED'],
    ['STARTING', 'PENDING', 'STARTING'],
    ['RUNNING', 'RUNNING', undefined],
    ['RECOVERING', 'RUNNING', 'RECOVERING'],
    ['WINDING_DOWN', 'COMPLETING', 'WINDING_DOWN'],
    ['CANCELLING', 'COMPLETING', 'CANCELLING'],
    ['SUCCEEDED', 'COMPLETED', undefined],
    ['CANCELLED', 'CANCELLED', undefined],
    ['FAILED', 'FAILED', undefined],
    ['FAILED_SETUP', 'FAILED', undefined],
    ['FAILED_PRECHECKS', 'FAILED', undefined],
    ['FAILED_NO_RESOURCE', 'FAILED', undefined],
    ['FAILED_CONTROLLER', 'FAILED', undefined],
    ['FAILED_DRIVER', 'FAILED', undefined],
  ];

  it.each(table)('%s → %s', (raw, state, reason) => {
    expect(normalizeSkyStatus(raw)).toBe(state);
    expect(statusReason(raw)).toBe(reason);
  });

  it('covers every status it knows', () => {
    expect(new Set(table.map(([raw]) => raw))).toEqual(new Set(KNOWN_SKY_STATUSES));
  });

  it('reads the status word of an aggregate row, a repr and lower case', () => {
    expect(skyStatusWord('RUNNING (task: 1)')).toBe('RUNNING');
    expect(skyStatusWord('ManagedJobStatus.FAILED_SETUP')).toBe('FAILED_SETUP');
    expect(normalizeSkyStatus('recovering')).toBe('RUNNING');
  });

  it('maps anything new to UNKNOWN, which is never a failure', () => {
    for (const raw of ['PAUSED', 'FAILED_SOMETHING_NEW', '', '???']) {
      const state = normalizeSkyStatus(raw);
      expect(state).toBe('UNKNOWN');
      expect(isFailedState(state)).toBe(false);
      expect(isTerminal(state)).toBe(false);
    }
  });

  it('keeps the raw FAILED_* words the classifier needs', () => {
    expect(judgeState('FAILED_NO_RESOURCE').rootCause).toBe('provisioning');
    expect(judgeState('FAILED_PRECHECKS').rootCause).toBe('provisioning');
    expect(judgeState('FAILED_CONTROLLER').rootCause).toBe('controller_error');
    expect(judgeState('FAILED_SETUP').kind).toBe('setup');
    for (const [raw, state] of table)
      if (state === 'FAILED') expect(isFailedState(normalizeSkyStatus(raw))).toBe(true);
  });
});

describe('humanized durations', () => {
  it.each([
    ['1h 2m 23s', 3743],
    ['1d 38m 20s', 88_700],
    ['2w 3d', 1_468_800],
    ['1mo', 2_592_000],
    ['1 year 2mo', 31_536_000 + 5_184_000],
    ['< 1s', 0],
    ['< 1 sec', 0],
    ['a few secs ago', 0],
    ['a few secs', 0],
    ['42 secs ago', 42],
    ['2 mins ago', 120],
    ['1 hr ago', 3600],
    ['1 hr 2 mins', 3720],
    ['3d 4h', 273_600],
    ['3 days ago', 259_200],
    ['an hour ago', 3600],
    ['1 year ago', 31_536_000],
  ])('%s → %d s', (text, seconds) => {
    expect(parseSkyDuration(text)).toBe(seconds);
  });

  it.each(['-', '', 'None', 'soon', '3 parsecs', '1h garbage', 'RUNNING'])('%s → undefined', (text) => {
    expect(parseSkyDuration(text)).toBeUndefined();
  });
});

describe('sky --version', () => {
  const fixture = (name: string) => readFileSync(resolve(__dirname, '../fixtures/skypilot', name), 'utf8');

  it("reads click's version line, releases and nightlies", () => {
    expect(parseSkyVersion(fixture('version-v0.6.txt'))).toBe('0.6.1');
    expect(parseSkyVersion(fixture('version-nightly.txt'))).toBe('1.0.0.dev20250615');
    expect(parseSkyVersion('Traceback (most recent call last):')).toBeUndefined();
  });
});
