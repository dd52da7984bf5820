// The final report of a finished sweep, made by the real use cases over fakes with a fixed
// clock: the markdown as a file snapshot, and its facts checked one by one against the run.
import { describe, expect, it } from 'vitest';
import { finalReport } from '../../src/app/final-report.js';
import { FINAL_REPORT_MAX_BYTES } from '../../src/core/final-report.js';
import { finishedSweep, outputsOf } from '../fixtures/final-report/scenario.js';

const RUNBOOK = {
  command: 'sweepwatch',
  configPath: '.github/sweepwatch.yml',
  statePath: '.github/.sweepwatch/calib.json',
  recordingPath: 'rec.jsonl',
  issuesDir: '.github/.sweepwatch/issues',
};
const ARTIFACTS = { jsonl: 'outputs/factorial_run_calib.jsonl', svg: 'outputs/heatmap_calib.svg' };

async function report(prices = {}) {
  const { h } = await finishedSweep();
  return finalReport(
    { store: h.store, outputs: outputsOf('resnet-ce-2', 'vit-ce-3'), clock: h.clock },
    {
      config: h.config,
      runbook: RUNBOOK,
      artifacts: ARTIFACTS,
      prices,
      session: [
        { at: '2026-03-02T09:00:00Z', kind: 'launch', summary: '12 jobs submitted' },
        {
          at: '2026-03-02T10:00:00Z',
          kind: 'tick',
          summary: 'intervene (systemic_root_cause), systemic; 0 live',
        },
        { at: '2026-03-02T10:01:00Z', kind: 'relaunch', summary: 'cycle 1: relaunched; 4 submitted' },
        {
          at: '2026-03-02T11:31:00Z',
          kind: 'tick',
          summary: 'no-intervention (failures_within_band), healthy; 0 live',
        },
      ],
    },
  );
}

describe('the final report', () => {
  it('matches the reviewed snapshot', async () => {
    const r = await report();
    await expect(r.markdown).toMatchFileSnapshot('../fixtures/final-report/calib-report.md');
  });

  it('has the eight sections in order, then results, cost, checklist and heat map', async () => {
    const { markdown } = await report();
    const headings = markdown.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## 1. Scope and jobs watched',
      '## 2. Monitoring timeline',
      '## 3. Failure distribution and threshold assessment',
      '## 4. Intervention decision and rationale',
      '## 5. Fixes, clean-up and resubmissions',
      '## 6. Completion status and integrity of the artifacts',
      '## 7. Key learnings, anomalies and confidence',
      '## 8. Evidence runbook',
      '## Results',
      '## Cost',
      '## Checklist',
      '## Factor heat map',
    ]);
    expect(Buffer.byteLength(markdown)).toBeLessThan(FINAL_REPORT_MAX_BYTES);
  });

  it('counts what really happened', async () => {
    const r = await report();
    expect(r.counts).toEqual({
      conditions: 12,
      succeeded: 11,
      failed: 1,
      cancelled: 0,
      live: 0,
      attempts: 16,
    });
    expect(r.checks.map((c) => [c.id, c.pass])).toEqual([
      ['F1', true],
      ['F2', true],
      ['F3', true],
      ['F4', true],
      ['F5', true],
    ]);
    expect(r.markdown).toMatch(/\| `host_oom` \| 3 \| 25 % \| ≥ 15 %: systemic \|/);
    // The resubmissions, with their escalated resources and new job ids.
    expect(r.markdown).toMatch(
      /\| `model=vit,loss=focal,seed=1` \| `host_oom` \| \d+ \| 16 GB, 60 min → 32 GB, 60 min \| \d+ \| COMPLETED \|/,
    );
    expect(r.markdown).toMatch(
      /\| `model=resnet,loss=ce,seed=1` \| `timeout` \| \d+ \| 16 GB, 60 min → 16 GB, 90 min \| \d+ \| COMPLETED \|/,
    );
  });

  it('flags NaN and missing outputs, and results by level', async () => {
    const { markdown } = await report();
    expect(markdown).toContain('- `model=resnet,loss=ce,seed=2`: outputs non-finite');
    expect(markdown).toContain('- `model=vit,loss=ce,seed=3`: outputs missing');
    expect(markdown).toContain('| `model=vit` | 5 | 0.418 ± 0.008367 | 0.536 ± 0.01673 | 10 ± 0 |');
    expect(markdown).toContain('- `model=resnet,loss=focal,seed=2`: no result (the condition failed)');
  });

  it('writes one JSONL line per condition-attempt', async () => {
    const r = await report();
    const lines = r.jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(16);
    const relaunched = lines.filter((l) => l.cycle === 1);
    expect(relaunched).toHaveLength(4);
    expect(relaunched.every((l) => l.state === 'COMPLETED' && l.latest === true)).toBe(true);
    const nan = lines.find((l) => l.root_cause === 'nan_divergence');
    expect(nan).toMatchObject({ state: 'FAILED', latest: true, cycle: 0, metrics: null });
  });

  it('prices CPU-hours when a price is given, and says so when not', async () => {
    expect((await report()).markdown).toContain('No price is known: the sweep file has no price field');
    // 4 CPUs and 1 GPU per job: cycle 0 ran 7 × 1800 + 3 × 240 + 3600 + 900 = 17,820 s, so
    // 19.80 CPU-hours (5.80 of them failed) and 4.95 GPU-hours; $0.05 per CPU-hour → $0.99.
    const priced = await report({ cpuHour: 0.05 });
    expect(priced.markdown).toContain('| 0 | 12 | 17820 s | 19.80 | 4.95 | 5.80 | $0.99 |');
  });
});
