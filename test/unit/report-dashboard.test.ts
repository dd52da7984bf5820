import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../src/core/manifest-model.js';
import { evaluateSweep } from '../../src/core/outcome.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { renderIssueBody, renderTickSummary } from '../../src/core/report.js';
import { byteLength, ISSUE_BODY_MAX_CHARS, STEP_SUMMARY_MAX_BYTES } from '../../src/core/report-budget.js';
import {
  approvalKey,
  checkedApprovals,
  type DashboardInput,
  type PendingApproval,
  renderCancelComment,
  renderDashboard,
} from '../../src/core/report-dashboard.js';
import type { SweepSnapshot } from '../../src/core/snapshot.js';
import { completed, failed, running, sweep } from '../helpers/sweep-builder.js';

const MARKER = '<!-- sweepwatch:dashboard:calib -->';

const HISTORY: readonly DecisionRecord[] = [
  {
    at: '2025-03-01T09:00:00Z',
    decision: 'no-intervention',
    band: 'healthy',
    reasonCode: 'pending_legit',
    note: null,
  },
  {
    at: '2025-03-01T09:15:00Z',
    decision: 'no-intervention',
    band: 'healthy',
    reasonCode: 'all_healthy',
    note: null,
  },
  {
    at: '2025-03-01T10:00:00Z',
    decision: 'watch',
    band: 'degraded',
    reasonCode: 'degraded_watch',
    note: null,
  },
  {
    at: '2025-03-01T10:30:00Z',
    decision: 'watch',
    band: 'degraded',
    reasonCode: 'degraded_watch',
    note: 'x',
  },
  {
    at: '2025-03-01T12:00:00Z',
    decision: 'intervene',
    band: 'systemic',
    reasonCode: 'systemic_root_cause',
    note: '[dispatched cycle=1 at=2025-03-01T12:00:00Z]',
  },
];

function systemic(): SweepSnapshot {
  return sweep({ model: ['vit', 'resnet'], batch: ['256', '512'], 'seed @team': ['1', '2', '3'] })
    .all(completed())
    .where({ batch: '512' }, failed('gpu_oom', 'a1b2c3d4e5f60718', { memoryMb: 16_000 }))
    .build();
}

function input(
  snapshot: SweepSnapshot,
  extra: Partial<DashboardInput> = {},
  outcome = evaluateSweep(snapshot, DEFAULT_POLICY),
): DashboardInput {
  return {
    experiment: 'calib-@team',
    marker: MARKER,
    counts: outcome.counts,
    snapshot,
    bands: DEFAULT_POLICY.bands,
    decisions: HISTORY,
    current: {
      decision: outcome.decision,
      band: outcome.health.band,
      reasonCode: outcome.reasonCode,
      reason: outcome.reason,
    },
    approval: null,
    paused: false,
    ...extra,
  };
}

const APPROVAL: PendingApproval = {
  cycle: 1,
  conditionIds: ['model=vit,batch=512,seed=1', 'model=resnet,batch=512,seed=1'],
  rootCauses: { gpu_oom: 2 },
  approved: false,
};

describe('dashboard', () => {
  it('states, band history (one line per change), decision, approval box, heat map', async () => {
    const markdown = renderDashboard(input(systemic(), { approval: APPROVAL }));
    await expect(markdown).toMatchFileSnapshot('../fixtures/report/dashboard-systemic.md');
    expect(markdown.startsWith(MARKER)).toBe(true);
    expect(markdown).not.toMatch(/@(team)/);
    // Three band changes in five records.
    expect(markdown.match(/^- 2025-03-01T\S+ · /gm)).toHaveLength(3);
    // The same input renders the same body: nothing time-varying.
    expect(renderDashboard(input(systemic(), { approval: APPROVAL }))).toBe(markdown);
  });

  it('reads back only a ticked box, keyed by cycle and plan', () => {
    const body = renderDashboard(input(systemic(), { approval: APPROVAL }));
    expect(checkedApprovals(body).size).toBe(0);
    const ticked = body.replace('- [ ] Approve', '- [x] Approve').replace(/\n/g, '\r\n');
    expect([...checkedApprovals(ticked)]).toEqual([approvalKey(APPROVAL)]);
    expect(approvalKey({ ...APPROVAL, cycle: 2 })).not.toBe(approvalKey(APPROVAL));
    expect(approvalKey({ ...APPROVAL, conditionIds: ['other'] })).not.toBe(approvalKey(APPROVAL));
    // Order of the conditions does not matter.
    expect(approvalKey({ ...APPROVAL, conditionIds: [...APPROVAL.conditionIds].reverse() })).toBe(
      approvalKey(APPROVAL),
    );
    const approved = renderDashboard(input(systemic(), { approval: { ...APPROVAL, approved: true } }));
    expect([...checkedApprovals(approved)]).toEqual([approvalKey(APPROVAL)]);
  });

  it('cancel comment: the jobs and why, escaped', () => {
    const comment = renderCancelComment({
      reasonCode: 'kill_switch',
      reason: '3 identical gpu_oom failures (ping @alice)',
      cancelled: ['101', '102'],
      refused: [{ jobId: '103', reason: 'not_in_scope: gone' }],
    });
    expect(comment).toContain('**Cancelled 2 jobs** (`kill_switch`)');
    expect(comment).toContain('- `101`\n- `102`\n- not cancelled: `103`');
    expect(comment).not.toContain('@alice');
  });
});

describe('size budgets at 10,000 conditions', () => {
  // 100 variants with long, markdown-heavy names × 100 seeds; every fifth condition failed,
  // with 60 distinct signatures, the rest completed or running.
  const variants = Array.from({ length: 100 }, (_, i) => `v${i}-${'|*_x'.repeat(700)}`);
  const seeds = Array.from({ length: 100 }, (_, i) => String(i));
  const snapshot = sweep({ variant: variants, seed: seeds })
    .where(
      (_f, i) => i % 5 === 0,
      (i) => failed('gpu_oom', `sig-${i % 60}-${'y'.repeat(200)}`, { evidence: ['z'.repeat(4_000)] }),
    )
    .where((_f, i) => i % 5 === 1, completed())
    .where((_f, i) => i % 5 === 2, running(600))
    .build();
  const outcome = evaluateSweep(snapshot, DEFAULT_POLICY);

  it('has 10,000 conditions', () => {
    expect(snapshot.conditions).toHaveLength(10_000);
  });

  it('dashboard: within 65,536 characters, cut cleanly with a note', () => {
    const ids = snapshot.conditions.map((c) => c.id);
    const body = renderDashboard(
      input(
        snapshot,
        {
          approval: { cycle: 1, conditionIds: ids, rootCauses: { gpu_oom: ids.length }, approved: false },
          decisions: Array.from({ length: 50 }, (_, i) => ({
            ...(HISTORY[i % HISTORY.length] as DecisionRecord),
            at: `2025-03-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
          })),
        },
        outcome,
      ),
    );
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_MAX_CHARS);
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toMatch(/\n\n> ✂️ \d+ lines cut to fit GitHub's issue size limit; [^\n]*\n$/);
  });

  it('tick summary: within 1 MiB, cut cleanly with a note', () => {
    const summary = renderTickSummary({
      experiment: 'calib',
      at: '2025-03-01T12:00:00Z',
      outcome,
      previousCounts: null,
      snapshot,
      bands: DEFAULT_POLICY.bands,
      observationErrors: [],
      actions: {
        cancelled: snapshot.conditions.map((c) => c.attempts[0]?.jobId ?? ''),
        cancelRefused: [],
        issuesCreated: [],
        issuesUpdated: [],
        issuesClosed: [],
        dispatch: null,
        notes: [],
        errors: Array.from({ length: 200 }, (_, i) => `error ${i}: ${'e'.repeat(5_000)}`),
      },
      changed: true,
    });
    expect(byteLength(summary)).toBeLessThanOrEqual(STEP_SUMMARY_MAX_BYTES);
    expect(summary).toMatch(/\n\n> ✂️ Summary cut: \d+ lines left out[^\n]*\n$/);
  });

  it('issue body: within 65,536 characters, cut cleanly with a note', () => {
    const group = outcome.groups[0];
    if (group === undefined) throw new Error('no group');
    const all = {
      ...group,
      conditionIds: snapshot.conditions.map((c) => c.id),
      jobIds: snapshot.conditions.map((c) => c.attempts[0]?.jobId ?? ''),
    };
    const body = renderIssueBody({
      experiment: 'calib',
      marker: '<!-- sweepwatch:root-cause:gpu_oom.x -->',
      group: all,
      snapshot,
      concentration: outcome.concentration,
      why: 'hard_stop',
      relaunchCycles: 0,
      maxRelaunchCycles: 2,
    });
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_MAX_CHARS);
    expect(body.startsWith('<!-- sweepwatch:root-cause:gpu_oom.x -->')).toBe(true);
    expect(body).toMatch(/\n\n> ✂️ \d+ lines cut to fit GitHub's issue size limit[^\n]*\n$/);
  });
});
