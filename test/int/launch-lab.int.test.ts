import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/adapters/local/file-state-store.js';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import { sweepNamePrefix } from '../../src/app/job-request.js';
import { launch } from '../../src/app/launch.js';
import { parseSweepConfig } from '../../src/config/sweep-config.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import { readLab } from '../helpers/lab.js';

// A 2×2×2×3 sweep (24 conditions) launched on the real cluster over real SSH. The jobs go to the
// lab's DOWN partition: they are real, visible in squeue with their arguments and resources,
// and pend forever (PartitionDown) without taking CPUs from the other lab tests.
const lab = readLab();
const experiment = `launch-${randomBytes(3).toString('hex')}`;
const crashExperiment = `${experiment}-crash`;
const dir = `/home/${lab.ssh.user}/sw-${experiment}`;
let transport: SshTransport;
let slurm: SlurmScheduler;

function config(id = experiment) {
  return parseSweepConfig(
    `experiment: ${id}
scheduler: slurm
factors:
  model: [vit, resnet]
  loss: [ce, focal]
  calib: [none, temp]
  fold: [0, 1, 2]
template:
  command: [echo]
  args: ['--model={model}', '--loss={loss}', '--calib={calib}', '--fold={fold}']
  workdir: ${dir}
  log_dir: ${dir}/logs
  resources: {time: 7, memory: 300M, cpus: 1, partition: ${lab.partitions.down}}
`,
    'launch-lab.yml',
  );
}

/** The sweep's jobs on the cluster: id → [name, time limit, memory]. */
async function jobsOnCluster(id = experiment): Promise<Map<string, string[]>> {
  const r = await transport.exec(['squeue', '--noheader', `--user=${lab.ssh.user}`, '--format=%i|%j|%l|%m']);
  const prefix = sweepNamePrefix(id);
  const jobs = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const [id, name, ...rest] = line.trim().split('|');
    if (id && name?.startsWith(prefix)) jobs.set(id, [name, ...rest]);
  }
  return jobs;
}

beforeAll(async () => {
  transport = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
  });
  slurm = new SlurmScheduler({ transport });
  await transport.exec(['mkdir', '-p', `${dir}/logs`]);
});

afterAll(async () => {
  for (const id of [experiment, crashExperiment]) {
    const ids = [...(await jobsOnCluster(id)).keys()];
    if (ids.length > 0) await slurm.cancel(ids, { jobIds: ids, namePrefix: sweepNamePrefix(id) });
  }
  await transport.exec(['rm', '-rf', dir]);
  await transport.close();
});

describe('launching a sweep on the real cluster', () => {
  const statePath = join(mkdtempSync(join(tmpdir(), 'sw-launch-')), 'manifest.json');
  const store = () => new FileStateStore({ path: statePath, experiment });

  it('submits one job per condition with its own arguments and the template resources', async () => {
    const result = await launch(
      { store: store(), scheduler: slurm, clock: systemClock },
      { config: config(), digest: 'git:aaaa', requestedBy: 'alice' },
    );
    expect(result.reasonCode, result.reason).toBe('launched');
    expect(result.submitted).toHaveLength(24);
    const jobs = await jobsOnCluster();
    expect(jobs.size).toBe(24);
    for (const [, time, mem] of jobs.values()) {
      expect(time).toBe('7:00');
      expect(mem).toBe('300M');
    }
    // What each job runs, from its batch script (slurmctld has it at once; accounting lags).
    const scripts = await transport.exec([
      'sh',
      '-c',
      'for j do scontrol write batch_script "$j" - | tail -n 1; done',
      'scripts',
      ...jobs.keys(),
    ]);
    const commands = scripts.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.replaceAll("'", ''));
    // Every combination once: the condition's factor values reached its own job.
    const combos = new Set(commands.map((c) => /--model=\w+ --loss=\w+ --calib=\w+ --fold=\d/.exec(c)?.[0]));
    expect(combos.size).toBe(24);
  });

  it('submits nothing twice when it runs again', async () => {
    const again = await launch(
      { store: store(), scheduler: slurm, clock: systemClock },
      { config: config(), digest: 'git:aaaa', requestedBy: 'alice' },
    );
    expect(again.reasonCode).toBe('nothing_to_submit');
    expect(again.submitted).toEqual([]);
    expect((await jobsOnCluster()).size).toBe(24);
  });

  it('heals a crash between a real submission and its recording by adopting the job', async () => {
    // Another experiment whose launch "dies" right after the cluster accepted its 3rd job.
    const crashPath = join(mkdtempSync(join(tmpdir(), 'sw-crash-')), 'manifest.json');
    const crashing: Scheduler = Object.create(slurm) as Scheduler;
    let submitted = 0;
    crashing.submit = async (request) => {
      const r = await slurm.submit(request);
      submitted += 1;
      if (submitted === 3) throw new Error('runner killed');
      return r;
    };
    const crashStore = () => new FileStateStore({ path: crashPath, experiment: crashExperiment });
    const crashed = await launch(
      { store: crashStore(), scheduler: crashing, clock: systemClock },
      { config: config(crashExperiment), digest: 'git:bbbb', requestedBy: 'alice', chunkSize: 5 },
    );
    expect(crashed.reasonCode).toBe('submit_interrupted');
    // The crashed launch got 3 jobs onto the cluster; the manifest knows fewer.
    expect((await jobsOnCluster(crashExperiment)).size).toBe(3);
    const healed = await launch(
      { store: crashStore(), scheduler: slurm, clock: systemClock },
      { config: config(crashExperiment), digest: 'git:bbbb', requestedBy: 'alice', chunkSize: 5 },
    );
    expect(healed.adopted.length).toBeGreaterThanOrEqual(1);
    // Exactly one job per condition: the crashed one adopted, none submitted twice.
    expect((await jobsOnCluster(crashExperiment)).size).toBe(24);
    expect(healed.submitted.length + healed.adopted.length + crashed.submitted.length).toBe(24);
  });
});
