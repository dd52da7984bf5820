/**
 * The real lab as the fault suites use it: a good SSH transport and Slurm scheduler as alice, a
 * scratch directory, small sweeps whose jobs either pend forever (the DOWN partition: real jobs
 * that take no CPU) or finish at once with a chosen exit code, the cluster's own record of every
 * job of a sweep (to count submissions), and the ground truth of job states.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SlurmScheduler, type SlurmSchedulerOptions } from '../../../src/adapters/slurm/slurm-scheduler.js';
import { SshTransport, type SshTransportOptions } from '../../../src/adapters/ssh/ssh-transport.js';
import { sweepNamePrefix } from '../../../src/app/job-request.js';
import { parseSweepConfig, type SweepConfig } from '../../../src/config/sweep-config.js';
import type { JobState } from '../../../src/core/types.js';
import type { Transport } from '../../../src/ports/transport.js';
import { type LabInfo, readLab } from '../lab.js';

export interface LabSweepSpec {
  readonly experiment: string;
  readonly factors: Readonly<Record<string, readonly (string | number)[]>>;
  /** The job's argv; placeholders like `{code}` are filled per condition. */
  readonly command: readonly string[];
  /** Default: the DOWN partition, where jobs pend forever. */
  readonly partition?: string;
}

export interface LabWorld {
  readonly lab: LabInfo;
  readonly transport: SshTransport;
  readonly slurm: SlurmScheduler;
  /** Per-world scratch directory under alice's home. */
  readonly dir: string;
  /** A fresh experiment id with this tag, unique per run. */
  experimentId(tag: string): string;
  /** The sweep file's text: the lab's scratch directory, small resources. */
  sweepYaml(spec: LabSweepSpec): string;
  sweep(spec: LabSweepSpec): SweepConfig;
  /** Options for a transport to the lab as alice; tests override what they break. */
  sshOptions(overrides?: Partial<SshTransportOptions>): SshTransportOptions;
  scheduler(transport: Transport, options?: Partial<SlurmSchedulerOptions>): SlurmScheduler;
  /** Every job of the experiment the cluster has, finished ones included: `name → job ids`. */
  jobsOf(experiment: string): Promise<Map<string, string[]>>;
  /** The cluster's view of these jobs through a healthy connection: the ground truth. */
  truth(ids: readonly string[]): Promise<Map<string, JobState>>;
  /** Cancels every job of these experiments and removes the scratch directory. */
  close(experiments: readonly string[]): Promise<void>;
}

export async function openLabWorld(tag: string): Promise<LabWorld> {
  const lab = readLab();
  const run = randomBytes(3).toString('hex');
  const dir = `/home/${lab.ssh.user}/sw-${tag}-${run}`;
  const sshOptions = (overrides: Partial<SshTransportOptions> = {}): SshTransportOptions => ({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: 60_000,
    ...overrides,
  });
  const transport = new SshTransport(sshOptions());
  const slurm = new SlurmScheduler({ transport, timeoutMs: 60_000 });
  const mkdir = await transport.exec(['mkdir', '-p', `${dir}/logs`]);
  if (mkdir.code !== 0) throw new Error(`cannot create ${dir}: ${mkdir.stderr}`);

  const jobsOf = async (experiment: string) => {
    const prefix = sweepNamePrefix(experiment);
    // sacct has every job, finished or not; squeue covers one accounting has not stored yet.
    const out = await transport.exec([
      'sh',
      '-c',
      'sacct -X -n -P --user="$1" --starttime=now-1days --format=JobID,JobName; squeue -h --user="$1" -o "%i|%j"',
      'jobs-of',
      lab.ssh.user,
    ]);
    const byName = new Map<string, Set<string>>();
    for (const line of out.stdout.split('\n')) {
      const [id, name] = line.trim().split('|');
      if (!id || !name?.startsWith(prefix)) continue;
      byName.set(name, (byName.get(name) ?? new Set()).add(id));
    }
    return new Map([...byName].map(([name, ids]) => [name, [...ids]]));
  };

  const sweepYaml = (spec: LabSweepSpec): string => {
    const factors = Object.entries(spec.factors)
      .map(([name, levels]) => `  ${name}: ${JSON.stringify(levels)}`)
      .join('\n');
    return `experiment: ${spec.experiment}
scheduler: slurm
factors:
${factors}
template:
  command: ${JSON.stringify(spec.command)}
  workdir: ${dir}
  log_dir: ${dir}/logs
  resources: {time: 5, memory: 100M, cpus: 1, partition: ${spec.partition ?? lab.partitions.down}}
`;
  };

  return {
    lab,
    transport,
    slurm,
    dir,
    experimentId: (t) => `${t}-${run}`,
    sweepYaml,
    sweep: (spec) => parseSweepConfig(sweepYaml(spec), `${spec.experiment}.yml`),
    sshOptions,
    scheduler: (t, options = {}) => new SlurmScheduler({ transport: t, timeoutMs: 60_000, ...options }),
    jobsOf,
    async truth(ids) {
      const seen = await slurm.observe(ids);
      if (seen.unobserved.length > 0) throw new Error(`ground truth unavailable: ${seen.errors[0]?.message}`);
      return new Map([...seen.observations].map(([id, o]) => [id, o.state]));
    },
    async close(experiments) {
      for (const experiment of experiments) {
        const ids = [...(await jobsOf(experiment)).values()].flat();
        if (ids.length > 0) await slurm.cancel(ids, { jobIds: ids, namePrefix: sweepNamePrefix(experiment) });
      }
      await transport.exec(['rm', '-rf', dir]);
      await transport.close();
    },
  };
}

/** Waits until every id satisfies `done` in the ground truth; returns the last truth. */
export async function waitFor(
  world: LabWorld,
  ids: readonly string[],
  done: (state: JobState) => boolean,
  timeoutMs = 90_000,
): Promise<Map<string, JobState>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const truth = await world.truth(ids);
    if (
      ids.every((id) => {
        const s = truth.get(id);
        return s !== undefined && done(s);
      })
    )
      return truth;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${ids.join(',')}: ${[...truth]}`);
    await new Promise((r) => setTimeout(r, 1500));
  }
}
