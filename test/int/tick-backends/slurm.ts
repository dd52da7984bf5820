/**
 * The sweep on the real Slurm lab, as alice over SSH: the jobs really run the job script, in a
 * fresh directory, and a bystander job of alice's outside the sweep pends in the DOWN
 * partition (it holds no CPU) to show that nothing else is ever cancelled.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createScheduler } from '../../../src/adapters/schedulers.js';
import { SshTransport } from '../../../src/adapters/ssh/ssh-transport.js';
import { isTerminal } from '../../../src/core/types.js';
import { readLab } from '../../helpers/lab.js';
import { type Backend, type BackendWorld, sweepConfig } from './sweep.js';

const POLL_MS = 1000;
const FINISH_TIMEOUT_MS = 150_000;

export const slurmBackend: Backend = {
  name: 'slurm',
  async open(tag: string): Promise<BackendWorld> {
    const lab = readLab();
    const dir = `/home/${lab.ssh.user}/sw-tb-${tag}`;
    const transport = new SshTransport({
      host: lab.ssh.host,
      port: lab.ssh.port,
      user: lab.ssh.user,
      privateKey: readFileSync(lab.ssh.privateKeyPath),
      knownHosts: lab.ssh.knownHostsLine,
      execTimeoutMs: 60_000,
    });
    const run = async (argv: string[]) => {
      const r = await transport.exec(argv);
      if (r.code !== 0) throw new Error(`${argv[0]}: ${r.stderr}`);
      return r.stdout;
    };
    await run(['mkdir', '-p', `${dir}/logs`]);
    const bystander = (
      await run([
        'sbatch',
        '--parsable',
        `--job-name=bystander-${randomBytes(3).toString('hex')}`,
        `--partition=${lab.partitions.down}`,
        `--chdir=${dir}`,
        '--wrap=sleep 600',
      ])
    ).trim();
    const config = sweepConfig({
      experiment: `tb-slurm-${tag}`,
      scheduler: 'slurm',
      workdir: dir,
      resources: '{time: 5, memory: 100M, cpus: 1}',
    });
    const scheduler = createScheduler('slurm', { transport, config });
    return {
      config,
      scheduler,
      async finish(jobIds) {
        await run(['touch', `${dir}/go`]);
        const deadline = Date.now() + FINISH_TIMEOUT_MS;
        for (;;) {
          const seen = await scheduler.observe(jobIds);
          const live = jobIds.filter((id) => {
            const o = seen.observations.get(id);
            return o === undefined || !isTerminal(o.state);
          });
          if (live.length === 0) return;
          if (Date.now() > deadline)
            throw new Error(`jobs still live after the gate opened: ${live.join(', ')}`);
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      },
      async commands(jobIds) {
        // slurmctld keeps each batch script: `#!/bin/sh`, sbatch's comment, then the command.
        const out = await run([
          'sh',
          '-c',
          'for j do echo "@@job $j"; scontrol write batch_script "$j" -; done',
          'scripts',
          ...jobIds,
        ]);
        const commands = new Map<string, string>();
        for (const part of out.split(/^@@job /m).slice(1)) {
          const [id = '', ...script] = part.split('\n');
          const body = script.filter(
            (l) => !l.startsWith('#!') && !l.startsWith('# This script was created'),
          );
          commands.set(id.trim(), body.join('\n').trim());
        }
        return commands;
      },
      async bystanderUntouched() {
        const state = await run(['squeue', '--noheader', '-j', bystander, '-o', '%T']);
        return state.trim() === 'PENDING';
      },
      async close(jobIds) {
        await transport.exec(['scancel', bystander, ...jobIds]);
        await transport.exec(['rm', '-rf', dir]);
        await transport.close();
      },
    };
  },
};
