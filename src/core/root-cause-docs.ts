import type { RootCause } from './types.js';

/**
 * The table of docs/root-causes.md as data, for `/sweepwatch explain <root-cause>`: what
 * happened, the evidence that usually gives it away, and what is usually done about it. Kept
 * word for word close to the doc so one review covers both; the strings are trusted markdown.
 */

export interface RootCauseDoc {
  readonly happened: string;
  readonly evidence: string;
  readonly action: string;
}

export const ROOT_CAUSE_DOCS: Readonly<Record<RootCause, RootCauseDoc>> = {
  gpu_oom: {
    happened: 'accelerator memory ran out',
    evidence:
      '`torch.OutOfMemoryError: CUDA out of memory. Tried to allocate …`; JAX/XLA `RESOURCE_EXHAUSTED: Out of memory while trying to allocate`; `CUBLAS_STATUS_ALLOC_FAILED`; `HIP out of memory`',
    action: 'expected in aggressive corners; relaunch only with a smaller footprint',
  },
  host_oom: {
    happened: 'host RAM ran out or the cgroup OOM killer fired',
    evidence:
      'Slurm `OUT_OF_MEMORY`; `slurmstepd: error: Detected N oom_kill event(s)`; `oom-kill`; exit 137 / signal 9 with `Killed`; Python `MemoryError`, numpy `_ArrayMemoryError`; `JavaScript heap out of memory`',
    action: 'relaunch with more memory (escalated by the policy’s factor, capped)',
  },
  timeout: {
    happened: 'the wall-clock limit was reached',
    evidence: 'Slurm `TIMEOUT`; `*** JOB N ON host CANCELLED AT … DUE TO TIME LIMIT ***`',
    action: 'relaunch with more time, or resume from a checkpoint',
  },
  preempted: {
    happened: 'the scheduler or cloud took the resources back',
    evidence: 'Slurm `PREEMPTED`; `DUE TO PREEMPTION`; spot-instance reclaim',
    action: 'transient: relaunch as is',
  },
  node_failure: {
    happened: 'the node or its hardware failed',
    evidence: 'Slurm `NODE_FAIL`, `BOOT_FAIL`; `DUE TO NODE FAILURE`; lost connection to the node',
    action: 'transient: relaunch as is, excluding the node when it repeats',
  },
  distributed: {
    happened: 'a collective, rendezvous or NCCL communication failed',
    evidence:
      '`NCCL error`, `ProcessGroupNCCL … Watchdog caught collective operation timeout`, `DistStoreError: Timed out … waiting for clients`, `RendezvousTimeoutError`, `Connection reset by peer` inside torch.distributed',
    action: 'relaunch once; open an issue if it repeats',
  },
  nan_divergence: {
    happened: 'the loss or the gradients became non-finite',
    evidence:
      "`Function 'XBackward0' returned nan values`; `total norm … is non-finite`; `Loss is nan`; `FloatingPointError`",
    action: 'deterministic for the config: no blind relaunch, open an issue',
  },
  gpu_fault: {
    happened: 'the device faulted',
    evidence:
      '`an illegal memory access was encountered`; `device-side assert triggered`; `uncorrectable ECC error`; `Xid`',
    action: 'issue; relaunch only if it looks hardware-bound (one node)',
  },
  env_import: {
    happened: 'the software environment is broken',
    evidence:
      '`ModuleNotFoundError`, `ImportError`, `undefined symbol`, `libcudart.so…: cannot open shared object file`, a driver or CUDA version mismatch, `GLIBC_… not found`, `command not found`',
    action: 'systemic: fix the image or env, rebuild, then relaunch',
  },
  disk_quota: {
    happened: 'the storage is full or over quota',
    evidence: '`Disk quota exceeded`, `No space left on device`, errno 28 / 122',
    action: 'systemic: clean up, then relaunch',
  },
  crash: {
    happened: 'a native crash',
    evidence:
      '`Segmentation fault`, `Bus error`, `Fatal Python error`, `core dumped`, signals SEGV/BUS/ABRT, exit 134/135/139',
    action: 'issue; relaunch once',
  },
  config_error: {
    happened: 'the job’s own inputs or configuration are wrong',
    evidence:
      '`FileNotFoundError` for data or checkpoint paths; a `KeyError` or validation error from the config; argparse `unrecognized arguments`; Hydra config errors',
    action: 'systemic: fix the config, then relaunch',
  },
  code_error: {
    happened: 'the job’s code raised some other exception',
    evidence:
      'a Python traceback ending in another exception (`AssertionError`, `TypeError`, `ValueError` …)',
    action: 'group by signature; issue',
  },
  provisioning: {
    happened: 'the cloud or cluster could not provide the resources',
    evidence:
      'SkyPilot `FAILED_NO_RESOURCE`, `FAILED_PRECHECKS`, `ResourcesUnavailableError`, `Failed to provision all possible launchable resources`; cloud quota errors',
    action: 'retry later or widen the resources',
  },
  controller_error: {
    happened: 'the scheduler’s own control plane failed while the job itself may have been fine',
    evidence: 'SkyPilot `FAILED_CONTROLLER`; a controller traceback around a recovery',
    action: 'transient: relaunch as is; issue if it repeats',
  },
  submission_rejected: {
    happened: 'the scheduler refused the job',
    evidence:
      '`sbatch: error: Batch job submission failed: …` (invalid account or partition, `QOSMaxSubmitJobPerUserLimit`, `Requested node configuration is not available`)',
    action: 'fix the request',
  },
  cancelled: {
    happened: 'a person or an administrator cancelled it',
    evidence: 'Slurm `CANCELLED by <uid>` with no other evidence; SkyPilot `CANCELLED`',
    action: 'not a failure of the code: never relaunched automatically',
  },
  unknown: {
    happened: 'it failed, and no rule recognises the evidence',
    evidence: 'none that a rule knows',
    action: 'cluster by signature; issue once the cluster is large',
  },
  none: {
    happened: 'not a failure (it completed, or it is running or pending healthily)',
    evidence: '`COMPLETED` with exit 0 and no failure evidence; warnings alone are not failures',
    action: 'nothing to do',
  },
};

/** The default answer to `/sweepwatch explain <rootCause>`: one short markdown paragraph. */
export function explainRootCause(rootCause: RootCause): string {
  const doc = ROOT_CAUSE_DOCS[rootCause];
  return [
    `**\`${rootCause}\`**: ${doc.happened}.`,
    `Typical evidence: ${doc.evidence}.`,
    `Usual action: ${doc.action}.`,
  ].join('\n');
}
