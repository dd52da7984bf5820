import type { RootCause } from '../types.js';

/**
 * How strongly a matching line speaks for its root cause. The scan keeps the strongest line,
 * and among equals the last one, so a cause outranks its consequences wherever they appear:
 * a CUDA OOM on one rank outranks the NCCL timeouts it provokes on the others, and both
 * outrank the launcher's summary printed afterwards.
 */
export const TIER = {
  /** A wrapper that only says something failed elsewhere (torchrun, srun, Ray). */
  echo: 0,
  /** A generic exception or a soft signal: the code raised, the user interrupted. */
  generic: 1,
  /** A process died of a signal; often the consequence of something more specific. */
  signal: 2,
  /** A collective or rendezvous failed; often the consequence of a peer's death. */
  collective: 3,
  /** The cause itself: memory, device, disk, environment, config, scheduler verdicts. */
  cause: 4,
} as const;
export type Tier = (typeof TIER)[keyof typeof TIER];

/** One entry of the rule library. Rules are data: the engine in ./scan.ts interprets them. */
export interface Rule {
  /** `domain.name`, stable: it appears in the classify output. */
  readonly id: string;
  readonly rootCause: RootCause;
  readonly tier: Tier;
  /** 0..1, how sure a person would be from this line alone. */
  readonly confidence: number;
  /**
   * Literal substrings (at least 3 characters, case-sensitive), one of which every line the
   * patterns match contains. They feed the prefilter that lets the scan skip most lines
   * without running a regex.
   */
  readonly needles: readonly string[];
  /** Any of these matching the line makes it this rule's evidence. */
  readonly patterns: readonly RegExp[];
  /** Lines that look like a match but are not (a warning quoting an error, a fallback notice). */
  readonly unless?: readonly RegExp[];
  /** Following lines that belong to the evidence (the message printed under a header line). */
  readonly keepAfter?: number;
  /** The first thing a person would try. */
  readonly hint: string;
  /**
   * An external kill that counts even when the scheduler reports success or a live job:
   * the cgroup OOM killer can kill a worker while the job still exits 0.
   */
  readonly evenWhenHealthy?: boolean;
}
