import { describe, expect, it } from 'vitest';
import { clusterFailures, DrainClusterer, WILDCARD } from '../../src/core/clusters.js';
import { classify } from '../../src/core/root-cause.js';

const at = (minute: number) => `2026-11-26T04:${String(minute).padStart(2, '0')}:00Z`;

describe('DrainClusterer', () => {
  it('merges messages that differ in volatile parts without wildcards', () => {
    const drain = new DrainClusterer();
    drain.add({ id: 'a', at: at(1), message: "KeyError: 'lr' at step 120 on node gpu-a17" });
    drain.add({ id: 'b', at: at(2), message: "KeyError: 'lr' at step 980 on node gpu-b03" });
    const [cluster, ...rest] = drain.clusters();
    expect(rest).toEqual([]);
    expect(cluster).toMatchObject({
      template: "KeyError: 'lr' at step <N> on node <HOST>",
      count: 2,
      memberIds: ['a', 'b'],
      representative: "KeyError: 'lr' at step 120 on node gpu-a17",
    });
  });

  it.each([
    [
      'a differing word becomes a wildcard',
      [
        'Connection refused to host store while fetching shard',
        'Connection refused to host cache while fetching shard',
      ],
      1,
      `Connection refused to host ${WILDCARD} while fetching shard`,
    ],
    ['different lengths never merge', ['ValueError: bad shape', 'ValueError: bad shape again'], 2, null],
    [
      'dissimilar messages of one length stay apart',
      ['ValueError: bad shape here', 'TypeError: cannot add str'],
      2,
      null,
    ],
  ])('%s', (_name, messages, clusters, template) => {
    const drain = new DrainClusterer();
    for (const [i, message] of messages.entries()) drain.add({ id: `m${i}`, at: at(i), message });
    const result = drain.clusters();
    expect(result).toHaveLength(clusters);
    if (template !== null) expect(result[0]?.template).toBe(template);
  });

  it('keeps root causes apart even for equal messages', () => {
    const drain = new DrainClusterer();
    drain.add({ id: 'a', at: at(1), rootCause: 'unknown', message: 'worker died' });
    drain.add({ id: 'b', at: at(2), rootCause: 'code_error', message: 'worker died' });
    expect(
      drain
        .clusters()
        .map((c) => c.rootCause)
        .sort(),
    ).toEqual(['code_error', 'unknown']);
  });

  it('tracks first and last appearance whatever the arrival order', () => {
    const drain = new DrainClusterer();
    drain.add({ id: 'late', at: at(30), message: 'AssertionError: shapes 3 and 4' });
    drain.add({ id: 'early', at: at(5), message: 'AssertionError: shapes 7 and 8' });
    drain.add({ id: 'mid', at: at(10), message: 'AssertionError: shapes 1 and 2' });
    expect(drain.clusters()[0]).toMatchObject({ firstSeen: at(5), lastSeen: at(30), count: 3 });
  });

  it('orders clusters by size, and its ids do not depend on the batch', () => {
    const first = new DrainClusterer();
    const second = new DrainClusterer();
    for (const drain of [first, second]) {
      drain.add({ id: 'x', at: at(1), message: 'TypeError: unsupported operand' });
      drain.add({ id: 'y', at: at(2), message: 'ValueError: empty batch 1' });
      drain.add({ id: 'z', at: at(3), message: 'ValueError: empty batch 2' });
    }
    const clusters = first.clusters();
    expect(clusters.map((c) => c.count)).toEqual([2, 1]);
    expect(clusters.map((c) => c.id)).toEqual(second.clusters().map((c) => c.id));
  });

  it('bounds the tree: past maxChildren new prefixes share a wildcard branch', () => {
    const drain = new DrainClusterer({ similarity: 0.5, prefixTokens: 1, maxChildren: 2, maxTokens: 64 });
    for (const word of ['alpha', 'beta', 'gamma', 'delta']) {
      drain.add({ id: word, at: at(1), message: `${word} failed in loader` });
    }
    expect(drain.clusters().reduce((n, c) => n + c.count, 0)).toBe(4);
  });
});

describe('clusterFailures', () => {
  it('clusters only unknown and code_error attempts, by their evidence', () => {
    const attempt = (id: string, minute: number, log: string, state = 'FAILED') => ({
      id,
      at: at(minute),
      classification: classify({ log, schedulerState: state, exitCode: '1:0' }),
    });
    const clusters = clusterFailures([
      attempt('1', 1, "KeyError: 'embedding.weight' in shard 3"),
      attempt('2', 2, "KeyError: 'embedding.weight' in shard 11"),
      attempt('3', 3, 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'),
      attempt('4', 4, 'epoch 3 done'),
    ]);
    expect(clusters).toHaveLength(2);
    expect(clusters[0]).toMatchObject({ rootCause: 'code_error', count: 2, memberIds: ['1', '2'] });
    expect(clusters[1]).toMatchObject({ rootCause: 'unknown', count: 1, memberIds: ['4'] });
  });
});
