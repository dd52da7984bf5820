import { describe, expect, it } from 'vitest';
import { affectedFilesFromEvidence, aggregateFailures } from '../../src/core/aggregate.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { cancelled, completed, failed, running, sweep } from '../helpers/sweep-builder.js';

const GRID = { model: ['vit', 'resnet'], loss: ['ce', 'focal'], fold: ['0', '1', '2'] } as const;

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/home/ana/proj/train.py", line 88, in <module>',
  '  File "/home/ana/proj/models/vit.py", line 12, in forward',
  '  File "/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1532, in _call_impl',
  '  File "/usr/lib/python3/dist-packages/numpy/core/fromnumeric.py", line 3, in sum',
  '  File "/usr/lib/python3.10/runpy.py", line 196, in _run_module_as_main',
  '  File "<frozen importlib._bootstrap>", line 1050, in _gcd_import',
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
];

describe('aggregation of failures', () => {
  it('groups one bug that failed many jobs into one line with all its job ids', () => {
    const snapshot = sweep(GRID)
      .all(completed())
      .where({ model: 'vit', loss: 'focal' }, (i) =>
        failed('gpu_oom', 'CUDA out of memory', { endedAgo: 100 * (i + 1), evidence: TRACEBACK }),
      )
      .first(1, { model: 'resnet' }, failed('code_error', 'KeyError: <str>'))
      .first(1, { model: 'resnet', loss: 'focal' }, cancelled())
      .build();
    const { counts, groups } = aggregateFailures(snapshot, DEFAULT_POLICY);
    expect(counts).toMatchObject({ total: 12, failed: 4, cancelled: 1, succeeded: 7, terminal: 11 });
    const [oom, code] = groups;
    expect(oom).toMatchObject({
      rootCause: 'gpu_oom',
      signature: 'CUDA out of memory',
      count: 3,
      share: 3 / 11,
      jobIds: ['1003_0', '1004_0', '1005_0'],
      conditionIds: [
        'model=vit,loss=focal,fold=0',
        'model=vit,loss=focal,fold=1',
        'model=vit,loss=focal,fold=2',
      ],
      firstSeen: '2025-03-01T11:55:00.000Z',
      lastSeen: '2025-03-01T11:58:20.000Z',
      affectedFiles: ['/home/ana/proj/train.py', '/home/ana/proj/models/vit.py'],
      action: 'relaunch_escalated',
      confidence: 0.9,
    });
    expect(oom?.evidence).toHaveLength(5);
    expect(code).toMatchObject({ rootCause: 'code_error', count: 1, action: 'issue' });
  });

  it.each([
    [
      'a CUDA OOM traceback keeps only the user frames',
      TRACEBACK,
      ['/home/ana/proj/train.py', '/home/ana/proj/models/vit.py'],
    ],
    ['no traceback, no files', ['Killed'], []],
    ['repeated frames appear once', [TRACEBACK[1] ?? '', TRACEBACK[1] ?? ''], ['/home/ana/proj/train.py']],
  ])('affected files: %s', (_name, lines, expected) => {
    expect(affectedFilesFromEvidence(lines)).toEqual(expected);
  });

  it.each([
    ['an unclassified OUT_OF_MEMORY is a host OOM', { state: 'OUT_OF_MEMORY' } as const, 'host_oom'],
    ['an unclassified FAILED is unknown', { state: 'FAILED' } as const, 'unknown'],
    ['an unclassified TIMEOUT is a timeout', { state: 'TIMEOUT' } as const, 'timeout'],
    [
      'an oom_kill under COMPLETED is still a failure',
      {
        ...completed(),
        classification: { rootCause: 'host_oom', signature: 'oom_kill', confidence: 1, evidence: [] },
      },
      'host_oom',
    ],
  ] as const)('%s', (_name, spec, cause) => {
    const snapshot = sweep({ fold: ['0'] })
      .all(spec)
      .build();
    expect(aggregateFailures(snapshot, DEFAULT_POLICY).groups[0]?.rootCause).toBe(cause);
  });

  it('counts the latest attempt only: a failure that succeeded on relaunch is gone', () => {
    const snapshot = sweep(GRID)
      .all(completed())
      .where({ model: 'vit' }, failed('preempted', 'DUE TO PREEMPTION'))
      .retry({ model: 'vit' }, completed())
      .build();
    expect(aggregateFailures(snapshot, DEFAULT_POLICY).groups).toEqual([]);
  });

  it('shows cancelled and running jobs in the counts without counting them as terminal failures', () => {
    const snapshot = sweep(GRID).all(running(60)).first(2, {}, cancelled()).build();
    const { counts, groups } = aggregateFailures(snapshot, DEFAULT_POLICY);
    expect(counts).toMatchObject({ running: 10, cancelled: 2, failed: 0, terminal: 0, live: 10 });
    expect(counts.byState).toEqual({ RUNNING: 10, CANCELLED: 2 });
    expect(groups).toEqual([]);
  });
});
