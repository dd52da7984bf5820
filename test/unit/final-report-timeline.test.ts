// The final report's timeline keeps the decisions that changed, and every dispatch: the record
// of the tick that sent one carries the tick's own verdict, often the one before it.
import { beforeAll, describe, expect, it } from 'vitest';
import { timelineRows } from '../../src/core/final-report-timeline.js';
import type { DecisionRecord, Manifest } from '../../src/core/manifest.js';
import { finishedSweep } from '../fixtures/final-report/scenario.js';

let done: Manifest;
beforeAll(async () => {
  done = (await finishedSweep()).manifest;
});

const record = (at: string, note: string | null): DecisionRecord => ({
  at,
  decision: 'intervene',
  band: 'systemic',
  reasonCode: 'systemic_root_cause',
  note,
});

describe('the monitoring timeline', () => {
  it('shows a dispatch whose tick decided as the tick before, and no repeat without one', () => {
    const m: Manifest = {
      ...done,
      decisions: [
        ...done.decisions,
        record('2026-03-02T12:00:00Z', null),
        record('2026-03-02T12:05:00Z', 'relaunch cycle 2 is already dispatched; waiting for it to run'),
        record(
          '2026-03-02T13:05:00Z',
          '[dispatched cycle=2 at=2026-03-02T13:05:00Z claim=aaaa1111] dispatching the relaunch of cycle 2 (3 conditions)',
        ),
      ],
    };
    const rows = timelineRows(m).filter((r) => r.at >= '2026-03-02T12');
    expect(rows.map((r) => r.what)).toEqual([
      'decision intervene · systemic (systemic_root_cause)',
      'decision intervene · systemic (systemic_root_cause): dispatching the relaunch of cycle 2 (3 conditions)',
    ]);
  });
});
