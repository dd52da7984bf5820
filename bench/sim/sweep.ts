/**
 * A synthetic factorial sweep of 10^k conditions and its manifest, built with the real config
 * parser and the real manifest transitions (createManifest → recordSubmitting →
 * recordSubmitted → applyObservations), plus the fate of every job in a realistic mix of every
 * Slurm outcome. Deterministic: the same size always yields the same sweep.
 */
import { factorialOf, parseSweepConfig, type SweepConfig } from '../../src/config/sweep-config.js';
import { type Condition, expandConditions } from '../../src/core/conditions.js';
import { createManifest, type Manifest } from '../../src/core/manifest.js';
import { recordSubmitted, recordSubmitting } from '../../src/core/manifest-transitions.js';

/** What happens to a job by the measured tick (sim/slurm-output.ts prints it as Slurm would). */
export type Fate =
  | 'completed'
  | 'requeued'
  | 'running'
  | 'completing'
  | 'pending'
  | 'failed'
  | 'oom'
  | 'oom_step'
  | 'timeout'
  | 'cancelled'
  | 'node_fail'
  | 'preempted';

/** Shares per mille; 16.5 % of jobs fail (FAILED 10, OOM 3, TIMEOUT 2, CANCELLED 1, NODE_FAIL/PREEMPTED 0.5). */
const MIX: readonly [Fate, number][] = [
  ['completed', 620],
  ['requeued', 10],
  ['running', 100],
  ['completing', 5],
  ['pending', 100],
  ['failed', 100],
  ['oom', 20],
  ['oom_step', 10],
  ['timeout', 20],
  ['cancelled', 10],
  ['node_fail', 2.5],
  ['preempted', 2.5],
];

export const FAILED_FATES: ReadonlySet<Fate> = new Set<Fate>([
  'failed',
  'oom',
  'oom_step',
  'timeout',
  'cancelled',
  'node_fail',
  'preempted',
]);

export interface SimJob {
  readonly index: number;
  /** `5000123`, or an array task `9000004_17`. */
  readonly id: string;
  /** sacct JobIDRaw / squeue %A: an array task's own numeric id. */
  readonly raw: string;
  readonly arrayMaster: string | null;
  readonly name: string;
  readonly fate: Fate;
  /** Whether its log files still exist on the cluster (10 % of the failed jobs). */
  readonly hasLogs: boolean;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** A stable pseudo-random number for the job's details (times, reasons, excerpts). */
  readonly seed: number;
}

export interface SimSweep {
  readonly config: SweepConfig;
  readonly conditions: readonly Condition[];
  readonly jobs: readonly SimJob[];
  /** Every job submitted, never observed. */
  readonly launched: Manifest;
  /** The tick's clock (ISO) and the cluster's local time of it (Slurm prints no zone). */
  readonly now: string;
  readonly clusterNow: string;
}

const FACTOR_NAMES = ['model', 'lr', 'wd', 'aug', 'width', 'depth', 'seed'];
export const LOG_DIR = '/scratch/alice/logs';
export const NOW = '2026-11-26T12:00:00Z';
const LAUNCHED_AT = '2026-11-26T06:00:00Z';

/** A small integer hash (murmur3's finalizer): stable pseudo-randomness without state. */
export function mix(n: number, salt = 0): number {
  let h = (n ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function fateOf(index: number): Fate {
  let at = mix(index, 1) % 1000;
  for (const [fate, share] of MIX) {
    if (at < share) return fate;
    at -= share;
  }
  return 'completed';
}

/** The sweep file of a 10^k sweep: k factors of ten levels each. */
export function sweepYaml(size: number, experiment = 'bench'): string {
  const k = Math.round(Math.log10(size));
  if (k < 1 || k > FACTOR_NAMES.length || 10 ** k !== size) throw new Error(`size must be 10^k: ${size}`);
  const factors = FACTOR_NAMES.slice(0, k);
  const levels = (name: string) => `[${Array.from({ length: 10 }, (_, i) => `${name}${i}`).join(', ')}]`;
  return [
    `experiment: ${experiment}`,
    'scheduler: slurm',
    'factors:',
    ...factors.map((f) => `  ${f}: ${levels(f)}`),
    'template:',
    `  command: [python, train.py, ${factors.map((f) => `--${f}, '{${f}}'`).join(', ')}]`,
    `  log_dir: ${LOG_DIR}`,
    '  resources: {time: 240, memory: 32G, cpus: 8, gpus: 1, partition: gpu}',
    '',
  ].join('\n');
}

/** A fifth of the jobs are array tasks (blocks of 100), the rest plain jobs, as adopted sweeps mix them. */
function jobOf(index: number, name: string): SimJob {
  const block = Math.floor(index / 100);
  const arrayMaster = block % 5 === 0 ? String(9_000_000 + block) : null;
  const id = arrayMaster === null ? String(5_000_000 + index) : `${arrayMaster}_${index % 100}`;
  const fate = fateOf(index);
  return {
    index,
    id,
    raw: arrayMaster === null ? id : String(20_000_000 + index),
    arrayMaster,
    name,
    fate,
    hasLogs: FAILED_FATES.has(fate) && mix(index, 2) % 10 === 0,
    stdoutPath: `${LOG_DIR}/${name}-${id}.out`,
    stderrPath: `${LOG_DIR}/${name}-${id}.err`,
    seed: mix(index, 3),
  };
}

export interface SweepOptions {
  readonly experiment?: string;
  /** Real job ids (the lab's), one per condition in order; default: synthetic ids. */
  readonly jobIds?: readonly string[];
  /** Log paths of a condition's job; default: LOG_DIR/<name>-<id>.{out,err}. */
  readonly logPaths?: (job: SimJob) => { stdout: string; stderr: string };
}

export function buildSweep(size: number, options: SweepOptions = {}): SimSweep {
  const config = parseSweepConfig(sweepYaml(size, options.experiment), 'bench/sweepwatch.yml');
  const conditions = expandConditions(factorialOf(config));
  const jobs = conditions.map((c, i) => {
    const job = jobOf(i, c.jobName);
    const id = options.jobIds?.[i];
    const withId = id === undefined ? job : { ...job, id, raw: id, arrayMaster: null };
    const paths = options.logPaths?.(withId);
    return paths === undefined ? withId : { ...withId, stdoutPath: paths.stdout, stderrPath: paths.stderr };
  });
  let m = createManifest({
    experiment: config.experiment,
    sweepDigest: config.digest,
    factorNames: config.factors.map((f) => f.name),
    conditions,
    launch: { digest: 'git:1111111', reason: 'launch', requestedBy: 'bench', at: LAUNCHED_AT },
  });
  m = recordSubmitting(
    m,
    conditions.map((c) => ({ conditionId: c.id, cycle: 0 })),
    LAUNCHED_AT,
  );
  m = recordSubmitted(
    m,
    conditions.map((c, i) => ({
      conditionId: c.id,
      jobId: jobs[i]?.id ?? '',
      stdoutPath: jobs[i]?.stdoutPath ?? null,
      stderrPath: jobs[i]?.stderrPath ?? null,
    })),
    LAUNCHED_AT,
  );
  return { config, conditions, jobs, launched: m, now: NOW, clusterNow: NOW.replace(/Z$/, '') };
}

export function countFates(jobs: readonly SimJob[]): Record<Fate, number> {
  const counts = Object.fromEntries(MIX.map(([f]) => [f, 0])) as Record<Fate, number>;
  for (const j of jobs) counts[j.fate]++;
  return counts;
}
