import { describe, expect, it } from 'vitest';
import { countStates } from '../../src/core/aggregate.js';
import { evaluateSweep } from '../../src/core/outcome.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import {
  type ReportedActions,
  renderIssueBody,
  renderTickSummary,
  type TickReport,
} from '../../src/core/report.js';
import { byteLength, fitMarkdown } from '../../src/core/report-budget.js';
import { code, escapeInline, fenced, ZWJ } from '../../src/core/report-escape.js';
import { currentConditions, type SweepSnapshot } from '../../src/core/snapshot.js';
import { completed, failed, pending, running, sweep } from '../helpers/sweep-builder.js';

const HOSTILE = [
  'RuntimeError: CUDA out of memory (reported to @alice | see <script>alert(1)</script>)',
  '```',
  'closing the fence early: ```` and a | pipe',
];

const NO_ACTIONS: ReportedActions = {
  cancelled: [],
  cancelRefused: [],
  issuesCreated: [],
  issuesUpdated: [],
  issuesClosed: [],
  dispatch: null,
  notes: [],
  errors: [],
};

function systemic(): SweepSnapshot {
  return sweep({ model: ['vit', 'resnet'], batch: ['256', '512'], seed: ['1', '2', '3'] })
    .all(completed())
    .where({ batch: '512' }, failed('gpu_oom', 'a1b2c3d4e5f60718', { evidence: HOSTILE, memoryMb: 16_000 }))
    .first(
      1,
      { model: 'resnet', batch: '256' },
      failed('code_error', '0f0e0d0c0b0a0908', { evidence: ["KeyError: 'lr'"] }),
    )
    .build();
}

function report(snapshot: SweepSnapshot, extra: Partial<TickReport> = {}): TickReport {
  const outcome = evaluateSweep(snapshot, DEFAULT_POLICY);
  return {
    experiment: 'calib-@team',
    at: '2025-03-01T12:00:00Z',
    outcome,
    previousCounts: null,
    snapshot,
    bands: DEFAULT_POLICY.bands,
    observationErrors: [],
    actions: NO_ACTIONS,
    changed: true,
    ...extra,
  };
}

describe('tick summary', () => {
  it('systemic batch: band, tables, heat map, actions and next poll', async () => {
    const snapshot = systemic();
    const before = sweep({ model: ['vit', 'resnet'], batch: ['256', '512'], seed: ['1', '2', '3'] })
      .all(running(600))
      .build();
    const markdown = renderTickSummary(
      report(snapshot, {
        previousCounts: countStates(currentConditions(before)),
        actions: {
          ...NO_ACTIONS,
          issuesCreated: [7],
          dispatch: { cycle: 1, conditions: 6, release: false, url: 'https://github.com/o/r/actions/runs/1' },
          notes: ['relaunch of @bob conditions noted'],
        },
      }),
    );
    await expect(markdown).toMatchFileSnapshot('../fixtures/report/tick-systemic.md');
    expect(markdown).not.toMatch(/@(alice|bob|team)/);
    // HTML in evidence only ever appears inside a code span, where GitHub renders it as text.
    expect(markdown).toContain(
      '`RuntimeError: CUDA out of memory (reported to @\u200dalice \\| see <script>alert(1)</script>)`',
    );
  });

  it('pending only, nothing changed, an observation error', async () => {
    const snapshot = sweep({ model: ['vit', 'resnet'], seed: ['1', '2'] })
      .all(pending('Priority'))
      .build();
    const markdown = renderTickSummary(
      report(snapshot, {
        changed: false,
        observationErrors: [
          { source: 'sacct', message: 'sacct: error: Slurm accounting storage is disabled' },
        ],
      }),
    );
    await expect(markdown).toMatchFileSnapshot('../fixtures/report/tick-pending.md');
  });

  it('cuts cleanly to the budget, closing an open fence and saying so', () => {
    const long = `# title\n\n${fenced(Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n'))}\n\nafter\n`;
    const cut = fitMarkdown(long, 2_000, (n) => `> ✂️ ${n} lines cut`);
    expect(byteLength(cut)).toBeLessThanOrEqual(2_000);
    expect(cut).toMatch(/\n```\n\n> ✂️ \d+ lines cut\n$/);
    const big = renderTickSummary(report(systemic()), { maxBytes: 1_500 });
    expect(byteLength(big)).toBeLessThanOrEqual(1_500);
    expect(big).toContain('Summary cut');
  });
});

describe('issue body', () => {
  const snapshot = systemic();
  const outcome = evaluateSweep(snapshot, DEFAULT_POLICY);
  const group = outcome.groups.find((g) => g.rootCause === 'gpu_oom');
  if (group === undefined) throw new Error('no gpu_oom group');
  const ctx = {
    experiment: 'calib',
    marker: '<!-- sweepwatch:root-cause:gpu_oom.a1b2c3d4e5f60718 -->',
    group,
    snapshot,
    concentration: outcome.concentration,
    why: 'repeated_signature' as const,
    relaunchCycles: 1,
    maxRelaunchCycles: 2,
  };

  it('evidence, grid, conditions, fix strategy and options', async () => {
    await expect(renderIssueBody(ctx)).toMatchFileSnapshot('../fixtures/report/issue-gpu-oom.md');
  });

  it('stays within 65,536 characters whatever the group holds', () => {
    const huge = {
      ...group,
      conditionIds: Array.from({ length: 5_000 }, (_, i) => `model=vit,batch=512,seed=${i}`),
      jobIds: Array.from({ length: 5_000 }, (_, i) => String(100_000 + i)),
      evidence: Array.from({ length: 5 }, () => 'y'.repeat(20_000)),
    };
    const body = renderIssueBody({ ...ctx, group: huge });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(ctx.marker)).toBe(true);
    expect(body).toContain("GitHub's issue size limit");
  });
});

describe('escaping', () => {
  it.each([
    ['@alice pings', `@${ZWJ}alice pings`],
    ['a | b', 'a \\| b'],
    ['<b>x</b> & y', '&lt;b&gt;x&lt;/b&gt; &amp; y'],
    ['[link](http://x) *em* _u_', '\\[link\\](http://x) \\*em\\* \\_u\\_'],
    ['two\nlines', 'two lines'],
  ])('escapeInline(%j)', (input, output) => {
    expect(escapeInline(input)).toBe(output);
  });

  it('fences longer than any backtick run, and code spans that survive backticks and pipes', () => {
    expect(fenced('a ````` b')).toBe('``````text\na ````` b\n``````');
    expect(code('x`y|z')).toBe('``x`y\\|z``');
    expect(code('`edge`')).toBe('`` `edge` ``');
  });
});
