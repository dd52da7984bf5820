/**
 * What a person can do about each root cause, for the issues sweepwatch opens: a fix strategy
 * and the options with their pros and cons, one of them recommended. Kept as data so the
 * issue renderer stays generic and the advice can be reviewed in one place (see
 * docs/root-causes.md for the causes themselves).
 */
import type { RootCause } from './types.js';

export interface FixOption {
  readonly name: string;
  readonly pros: string;
  readonly cons: string;
  /** A rerun without a change: no recommendation once reruns have failed or are used up. */
  readonly rerun?: boolean;
}

export interface FixGuide {
  readonly strategy: string;
  readonly options: readonly FixOption[];
  /** Index into options. */
  readonly recommended: number;
  readonly why: string;
}

const RELAUNCH_AS_IS: FixOption = {
  name: 'Relaunch as is (`/sweepwatch relaunch <cause>`)',
  rerun: true,
  pros: 'no change to code or config; cheapest when the cause was transient',
  cons: 'fails again the same way if the cause is not transient',
};
const FIX_AND_RELAUNCH: FixOption = {
  name: 'Fix, push, then relaunch the failed conditions',
  pros: 'addresses the cause; only the failed conditions rerun',
  cons: 'needs a code or environment change (a new commit/image digest)',
};
const DROP: FixOption = {
  name: 'Drop the affected conditions (`exclude:` in the sweep file)',
  pros: 'the rest of the grid completes without waiting',
  cons: 'leaves holes in the factorial design; report them as missing',
};

const memory = (where: string): FixGuide => ({
  strategy: `The jobs ran out of ${where} memory. Give them more, or make each step smaller (batch size, sequence length, activation checkpointing, mixed precision).`,
  options: [
    {
      name: 'Relaunch with escalated memory (automatic within the policy caps)',
      rerun: true,
      pros: 'no code change; only the failed conditions rerun',
      cons: 'bigger requests queue longer; does not help when the cap is reached',
    },
    {
      name: 'Reduce the per-step footprint in code or config',
      pros: 'fixes the cause for every condition of that size',
      cons: 'changes the experiment (batch size) or needs code (checkpointing)',
    },
    DROP,
  ],
  recommended: 0,
  why: 'escalation is cheap to try and keeps the design intact; change the code if it fails again',
});

const fixFirst = (strategy: string, why: string): FixGuide => ({
  strategy,
  options: [FIX_AND_RELAUNCH, RELAUNCH_AS_IS, DROP],
  recommended: 0,
  why,
});

const transient = (strategy: string): FixGuide => ({
  strategy,
  options: [RELAUNCH_AS_IS, DROP],
  recommended: 0,
  why: 'the cause lies with the cluster, not the code; a relaunch usually succeeds',
});

const DETERMINISTIC = 'the failure is deterministic: a relaunch without a change fails identically (rule F3)';

export const FIX_GUIDES: Readonly<Record<RootCause, FixGuide>> = {
  gpu_oom: memory('GPU'),
  host_oom: memory('host (RAM)'),
  timeout: {
    strategy: 'The jobs hit their wall-time limit. Raise the limit, or checkpoint and resume.',
    options: [
      {
        name: 'Relaunch with a longer time limit (automatic within the policy caps)',
        rerun: true,
        pros: 'no code change',
        cons: 'longer requests queue longer; partitions cap the limit',
      },
      {
        name: 'Checkpoint and resume from the last checkpoint',
        pros: 'robust to any limit and to preemption',
        cons: 'needs code; partial outputs must be kept, not quarantined',
      },
      DROP,
    ],
    recommended: 0,
    why: 'a longer limit is the cheapest fix when the jobs were close to finishing',
  },
  preempted: transient('Higher-priority work or spot reclamation stopped the jobs.'),
  node_failure: transient(
    'A node failed under the jobs. If one node keeps failing, ask the admins to drain it.',
  ),
  distributed: transient(
    'A collective (NCCL/Gloo) timed out or a rank died; often one bad node or a network blip.',
  ),
  provisioning: transient(
    'The cloud could not provide the resources (capacity, quota). Try another region or instance type if it persists.',
  ),
  controller_error: transient('The scheduler or the SkyPilot controller failed, not the job.'),
  crash: transient(
    'The process died on a signal (segfault, abort). Relaunch once; if it repeats, treat it as a code bug.',
  ),
  nan_divergence: fixFirst(
    'Training diverged (NaN/Inf loss). Lower the learning rate, add gradient clipping or warm-up, or check the data for bad values.',
    DETERMINISTIC,
  ),
  gpu_fault: fixFirst(
    'The GPU reported a hardware or driver fault (Xid, ECC). Ask the admins to check the node; exclude it meanwhile.',
    'a faulty GPU fails every job placed on it; exclude the node before relaunching',
  ),
  env_import: fixFirst(
    'A module or shared library could not be loaded: the environment differs from what the code expects.',
    DETERMINISTIC,
  ),
  disk_quota: fixFirst(
    'A filesystem quota or the disk is full. Free space or write checkpoints elsewhere.',
    'every job writing to that filesystem fails until space is freed',
  ),
  config_error: fixFirst('The job rejected its arguments or configuration.', DETERMINISTIC),
  code_error: fixFirst(
    'The code raised an exception (see the evidence below); fix it, then relaunch.',
    DETERMINISTIC,
  ),
  submission_rejected: fixFirst(
    'The scheduler refused the submission (partition, account, QOS or resource limits).',
    'the request itself is invalid; it is refused again until the sweep file changes',
  ),
  cancelled: {
    strategy: 'A person or the scheduler cancelled the jobs.',
    options: [RELAUNCH_AS_IS, DROP],
    recommended: 1,
    why: 'cancellations are usually deliberate',
  },
  unknown: fixFirst(
    'No rule recognized the failure. Read the evidence below; if it is a new kind of failure, a rule can be added.',
    'without a diagnosis a relaunch is a guess',
  ),
  none: {
    strategy: 'No failure.',
    options: [],
    recommended: 0,
    why: '',
  },
};

/**
 * The option to recommend: the guide's, unless reruns are off the table (they failed
 * identically, cannot escalate, or the budget is used), then the first option that changes
 * something.
 */
export function recommendedOption(
  guide: FixGuide,
  rerunsExhausted: boolean,
): { option: FixOption; index: number; why: string } | null {
  const preferred = guide.options[guide.recommended];
  if (preferred === undefined) return null;
  if (!rerunsExhausted || preferred.rerun !== true)
    return { option: preferred, index: guide.recommended, why: guide.why };
  const index = guide.options.findIndex((o) => o.rerun !== true);
  const option = guide.options[index];
  return option === undefined
    ? null
    : { option, index, why: 'reruns already failed the same way or are used up, so something has to change' };
}
