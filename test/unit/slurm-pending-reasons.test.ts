import { describe, expect, it } from 'vitest';
import { classifyPendingReason, splitReason } from '../../src/core/pending-reasons.js';

const ctx = { heldPatienceSeconds: 3600 };

describe('classifyPendingReason', () => {
  // Legitimate waits: the job starts when the cluster gets to it.
  it.each([
    'None',
    'Priority',
    'Resources',
    'Dependency',
    'BeginTime',
    'Licenses',
    'Reservation',
    'Prolog',
    'Cleaning',
    'JobArrayTaskLimit',
    'BurstBufferResources',
    'AccountingPolicy',
    'QOSMaxJobsPerUserLimit',
    'QOSMaxSubmitJobPerUserLimit',
    'QOSMaxCpuPerUserLimit',
    'QOSGrpCpuLimit',
    'QOSGrpGRES',
    'QOSGrpNodeLimit',
    'AssocGrpCpuLimit',
    'AssocGrpJobsLimit',
    'AssocGrpCPUMinutesLimit',
    'AssocMaxJobsLimit',
    'MaxJobsPerAccount',
    'MaxCpuPerAccount',
    'QOSUsageThreshold',
    'AssociationJobLimit',
    'ReqNodeNotAvail',
    'ReqNodeNotAvail, Reserved for maintenance',
    '(Priority)',
    'priority',
  ])('%s is a wait', (reason) => {
    const v = classifyPendingReason(reason, ctx);
    expect(v.kind).toBe('wait');
    expect(v.known).toBe(true);
  });

  // Problems: nothing changes until a person acts.
  it.each([
    'PartitionTimeLimit',
    'PartitionNodeLimit',
    'PartitionConfig',
    'PartitionDown',
    'PartitionInactive',
    'BadConstraints',
    'InvalidAccount',
    'InvalidQOS',
    'QOSNotAllowed',
    'AccountNotAllowed',
    'DependencyNeverSatisfied',
    'JobHoldMaxRequeue',
    'launch failed requeued held',
    '(launch failed requeued held)',
    'ReqNodeNotAvail, UnavailableNodes:node[01-03]',
    'ReservationDeleted',
    'NodeDown',
    'QOSMaxWallDurationPerJobLimit',
    'QOSMaxCpuPerJobLimit',
    'QOSMaxNodePerJobLimit',
    'QOSMaxGRESPerJob',
    'QOSMaxMemoryPerNode',
    'AssocMaxWallDurationPerJobLimit',
    'AssocMaxCpuPerJobLimit',
    'QOSMinCpuNotSatisfied',
    'QOSMinGRES',
  ])('%s is a problem', (reason) => {
    const v = classifyPendingReason(reason, ctx);
    expect(v.kind).toBe('problem');
    expect(v.known).toBe(true);
  });

  it('a hold is a wait within the patience and a problem past it', () => {
    for (const code of ['JobHeldUser', 'JobHeldAdmin']) {
      expect(classifyPendingReason(code, { ...ctx, pendingSeconds: 60 }).kind).toBe('wait');
      expect(classifyPendingReason(code, ctx).kind).toBe('wait');
      const late = classifyPendingReason(code, { ...ctx, pendingSeconds: 3601 });
      expect(late).toMatchObject({ kind: 'problem', code });
    }
  });

  it('an unknown reason is a wait, flagged unknown', () => {
    expect(classifyPendingReason('SomethingNew', ctx)).toMatchObject({
      kind: 'wait',
      known: false,
      code: 'SomethingNew',
    });
    expect(classifyPendingReason(undefined, ctx)).toMatchObject({ kind: 'wait', code: 'None' });
  });

  it('names the nodes of ReqNodeNotAvail', () => {
    expect(classifyPendingReason('ReqNodeNotAvail, UnavailableNodes:vm', ctx).why).toContain('vm');
    expect(splitReason('(ReqNodeNotAvail, UnavailableNodes:vm)')).toEqual({
      code: 'ReqNodeNotAvail',
      detail: 'UnavailableNodes:vm',
    });
  });
});
