/**
 * Why a pending job waits, sorted into "a legitimate wait" and "a problem: it will not start by
 * itself". The codes are Slurm's (job_state_reason strings, slurm/slurm.h `enum job_state_reason`,
 * and squeue(1) JOB REASON CODES), matched case-insensitively as Slurm itself does. Pure: the
 * caller passes how long the job has pended and the held patience from the policy.
 */

export type PendingVerdictKind = 'wait' | 'problem';

export interface PendingVerdict {
  readonly kind: PendingVerdictKind;
  /** The reason code without its detail (`ReqNodeNotAvail` for `ReqNodeNotAvail, UnavailableNodes:n1`). */
  readonly code: string;
  /** False when the code is not in Slurm's list: treated as a wait, but worth a look. */
  readonly known: boolean;
  readonly why: string;
}

export interface PendingContext {
  /** Seconds since submission (a proxy for "since held": Slurm does not report the hold time). */
  readonly pendingSeconds?: number;
  /** How long a user/admin hold is tolerated before it counts as a problem. */
  readonly heldPatienceSeconds: number;
}

/** Plain waits: the job starts when the cluster gets to it. */
const WAITS: Readonly<Record<string, string>> = {
  None: 'not evaluated by the scheduler yet',
  Prolog: 'its prolog is running',
  Priority: 'higher-priority jobs go first',
  Resources: 'waiting for resources to free up',
  Dependency: 'waiting for a dependency to finish',
  BeginTime: 'its start time is in the future',
  Licenses: 'waiting for a license',
  Reservation: 'waiting for its reservation to start',
  Cleaning: 'the previous run is being cleaned up before a requeue',
  SchedDefer: 'scheduling was deferred',
  JobArrayTaskLimit: 'the array throttle (%N) is reached',
  BurstBufferResources: 'waiting for burst buffer space',
  BurstBufferStageIn: 'burst buffer stage-in is running',
  PowerNotAvail: 'waiting for power',
  PowerReserved: 'power is reserved',
  AccountingPolicy: 'an accounting limit is reached',
  FedJobLock: 'waiting for the federation lock',
  MaxMemPerLimit: 'a memory limit is reached',
  MaxPoweredUpNodes: 'waiting for nodes to power up',
  MpiPortsBusy: 'waiting for MPI ports',
  QOSUsageThreshold: 'the QOS usage threshold is reached',
  QOSJobLimit: 'a QOS job limit is reached',
  QOSResourceLimit: 'a QOS resource limit is reached',
  QOSTimeLimit: 'a QOS time limit is reached',
  AssociationJobLimit: 'an association job limit is reached',
  AssociationResourceLimit: 'an association resource limit is reached',
  AssociationTimeLimit: 'an association time limit is reached',
};

/** Problems: nothing changes until a person acts (fix the request, the cluster, or release it). */
const PROBLEMS: Readonly<Record<string, string>> = {
  PartitionTimeLimit: "the job's time limit exceeds the partition's maximum: it will never start",
  PartitionNodeLimit: "the job's node count is outside the partition's limits: it will never start",
  PartitionConfig: 'the request does not fit the partition (CPUs, memory, nodes): it will never start',
  PartitionDown: 'the partition is down',
  PartitionInactive: 'the partition is inactive',
  BadConstraints: 'no node can satisfy the constraints',
  Constraints: 'no node can satisfy the constraints',
  InvalidAccount: 'the account is invalid',
  InvalidQOS: 'the QOS is invalid',
  QOSNotAllowed: 'the QOS is not allowed for this association',
  AccountNotAllowed: 'the account is not allowed in this partition',
  DependencyNeverSatisfied: 'a dependency failed: it will never start',
  JobHoldMaxRequeue: 'held after too many requeues',
  'launch failed requeued held': 'the launch failed and Slurm held the job',
  ReservationDeleted: 'its reservation was deleted',
  ReservationInvalid: 'its reservation is invalid',
  NodeDown: 'a required node is down',
  FrontEndDown: 'the front end node is down',
  SystemFailure: 'a Slurm system failure',
  JobLaunchFailure: 'the job could not be launched',
  BurstBufferOperation: 'a burst buffer operation failed',
  DeadLine: 'its deadline cannot be met',
  NonZeroExitCode: 'a previous run failed',
  RaisedSignal: 'a previous run was signalled',
  OutOfMemory: 'a previous run ran out of memory',
  TimeLimit: 'a previous run hit its time limit',
  InactiveLimit: 'the job was inactive too long',
};

const HELD = new Set(['jobhelduser', 'jobheldadmin']);

/**
 * QOS/association limits. Group, per-user and per-account limits free up as other jobs end: a
 * wait. Per-job, per-node and minimum limits compare the job's own request with a fixed bound:
 * without DenyOnLimit Slurm accepts such a job and it pends forever, so they are problems.
 */
const LIMIT = /^(QOS|Assoc|Max)[A-Za-z]*$/;
const NEVER_SATISFIED_LIMIT = /(PerJob|PerNode|^QOSMin|MinCpuNotSatisfied)/;

const lower = (table: Readonly<Record<string, string>>) =>
  new Map(Object.entries(table).map(([code, why]) => [code.toLowerCase(), { code, why }]));
const WAITS_LC = lower(WAITS);
const PROBLEMS_LC = lower(PROBLEMS);

/** Strips `(...)` as in squeue's %R and splits `Code, detail`. */
export function splitReason(raw: string): { code: string; detail: string } {
  let text = raw.trim();
  if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  const comma = text.indexOf(',');
  if (comma < 0) return { code: text, detail: '' };
  return { code: text.slice(0, comma).trim(), detail: text.slice(comma + 1).trim() };
}

export function classifyPendingReason(raw: string | undefined, context: PendingContext): PendingVerdict {
  const { code, detail } = splitReason(raw ?? 'None');
  const key = (code === '' ? 'None' : code).toLowerCase();
  // The whole text first: `launch failed requeued held` has no code/detail shape.
  const whole = PROBLEMS_LC.get(
    raw
      ?.trim()
      .replace(/^\((.*)\)$/, '$1')
      .toLowerCase() ?? '',
  );
  if (whole) return { kind: 'problem', code: whole.code, known: true, why: whole.why };

  if (key === 'reqnodenotavail') {
    // "UnavailableNodes:" lists nodes that are down, drained or not responding: an admin must
    // act. Without it the required nodes are busy or reserved (e.g. "Reserved for maintenance").
    const nodes = /UnavailableNodes:\s*(\S+)/.exec(detail)?.[1];
    return nodes
      ? {
          kind: 'problem',
          code: 'ReqNodeNotAvail',
          known: true,
          why: `required nodes are unavailable: ${nodes}`,
        }
      : { kind: 'wait', code: 'ReqNodeNotAvail', known: true, why: 'required nodes are busy or reserved' };
  }
  if (HELD.has(key)) {
    const name = key === 'jobhelduser' ? 'JobHeldUser' : 'JobHeldAdmin';
    const waited = context.pendingSeconds;
    if (waited !== undefined && waited > context.heldPatienceSeconds) {
      return {
        kind: 'problem',
        code: name,
        known: true,
        why: `held for over ${context.heldPatienceSeconds} s`,
      };
    }
    return { kind: 'wait', code: name, known: true, why: 'held, within the configured patience' };
  }
  const problem = PROBLEMS_LC.get(key);
  if (problem) return { kind: 'problem', code: problem.code, known: true, why: problem.why };
  const wait = WAITS_LC.get(key);
  if (wait) return { kind: 'wait', code: wait.code, known: true, why: wait.why };
  if (LIMIT.test(code)) {
    return NEVER_SATISFIED_LIMIT.test(code)
      ? {
          kind: 'problem',
          code,
          known: true,
          why: 'the request exceeds a per-job limit: it will never start',
        }
      : {
          kind: 'wait',
          code,
          known: true,
          why: 'a QOS or association limit is reached; it frees up as jobs end',
        };
  }
  return { kind: 'wait', code, known: false, why: 'unknown reason: treated as a wait' };
}
