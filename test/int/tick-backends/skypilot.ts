/**
 * The sweep on SkyPilot, through the stand-in `sky` on the lab host (SkyPilot itself cannot run
 * here): the real adapter's scripts run over the real SSH connection, and the stand-in answers
 * with what SkyPilot 0.13 prints for the same jobs (JSON queue, `sky jobs logs` lines behind
 * their `(task, pid=N)` prefix). The jobs stay STARTING until finish(), as the Slurm jobs wait
 * for their gate; a notebook of the same user runs beside the sweep the whole time.
 */
import { readFileSync } from 'node:fs';
import { createScheduler } from '../../../src/adapters/schedulers.js';
import { SshTransport } from '../../../src/adapters/ssh/ssh-transport.js';
import { factorialOf } from '../../../src/config/sweep-config.js';
import { type Condition, expandConditions } from '../../../src/core/conditions.js';
import { isTerminal } from '../../../src/core/types.js';
import { installStandin, standinCalls } from '../../helpers/fake-sky/install.js';
import { queueJson, type RecordSpec, type Reply, type Scenario } from '../../helpers/fake-sky/records.js';
import { readLab } from '../../helpers/lab.js';
import { type Backend, type BackendWorld, fateOf, outputOf, sweepConfig } from './sweep.js';

export const IMAGE_DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = `docker:ghcr.io/acme/train@${IMAGE_DIGEST}`;
// Pins no image of its own: the sweep file's image_id must reach every launch, or it is refused.
const TASK_YAML = 'resources:\n  accelerators: A100:1\nrun: eval "$SWEEPWATCH_COMMAND"\n';
const NOTEBOOK: RecordSpec = { id: 99, name: 'my-notebook', status: 'RUNNING' };

/** `sky jobs logs` of a finished job: sky's own lines, then the task's behind its prefix. */
function jobLog(c: Condition, pid: number): string {
  const { stdout, stderr } = outputOf(c.values);
  return [
    '├── Waiting for task resources on 1 node.',
    '└── Job started. Streaming logs... (Ctrl-C to exit log streaming; job will not be killed)',
    ...[...stdout, ...stderr].map((line) => `\u001b[36m(${c.jobName}, pid=${pid})\u001b[0m ${line}`),
    '',
  ].join('\n');
}

/** The queue before and after the jobs end (`endedAt`, epoch seconds; null: still running). */
function scenario(conditions: readonly Condition[], startedAt: number, endedAt: number | null): Scenario {
  const records = conditions.map((c, i): RecordSpec => {
    const id = i + 1;
    const base = { id, name: c.jobName, submittedAt: startedAt - 10, startedAt };
    // Right after a launch sky is still provisioning the job's cluster.
    if (endedAt === null) return { ...base, status: 'STARTING' };
    const ok = fateOf(c.values) === 'succeeded';
    return {
      ...base,
      status: ok ? 'SUCCEEDED' : 'FAILED',
      duration: Math.max(1, Math.round(endedAt - startedAt)),
      endedAt,
      ...(ok ? {} : { failure: `To see the details, run: sky jobs logs ${id}` }),
    };
  });
  const launched = (id: number): Reply => ({
    stdout: `Task from YAML spec: task.yaml\n⚙︎ Job submitted, ID: ${id}\n`,
  });
  return {
    version: '0.13.0',
    rules: [
      { match: ['jobs', 'launch'], replies: conditions.map((_, i) => launched(i + 1)) },
      { match: ['jobs', 'queue'], replies: [{ stdout: queueJson([NOTEBOOK, ...records]) }] },
      ...conditions.map((c, i) => ({
        match: ['jobs', 'logs', '--no-follow', String(i + 1)],
        // sky exits 100 after the log of a job that failed.
        replies: [{ stdout: jobLog(c, 2300 + i), code: fateOf(c.values) === 'succeeded' ? 0 : 100 }],
      })),
    ],
  };
}

export const skypilotBackend: Backend = {
  name: 'skypilot',
  async open(tag: string): Promise<BackendWorld> {
    const lab = readLab();
    const dir = `/home/${lab.ssh.user}/sw-tb-sky-${tag}`;
    const transport = new SshTransport({
      host: lab.ssh.host,
      port: lab.ssh.port,
      user: lab.ssh.user,
      privateKey: readFileSync(lab.ssh.privateKeyPath),
      knownHosts: lab.ssh.knownHostsLine,
      execTimeoutMs: 60_000,
    });
    const put = async (path: string, text: string) => {
      const r = await transport.exec(['sh', '-c', 'mkdir -p "$1/logs" && cat > "$2"', 'sh', dir, path], {
        stdin: text,
      });
      if (r.code !== 0) throw new Error(`cannot write ${path}: ${r.stderr}`);
    };
    await put(`${dir}/task.yaml`, TASK_YAML);
    const config = sweepConfig({
      experiment: `tb-sky-${tag}`,
      scheduler: `{type: skypilot, sky_command: [${dir}/bin/sky], task_yaml: task.yaml}`,
      workdir: dir,
      resources: `{cpus: 1, memory: 1G, skypilot: {image_id: '${IMAGE}', cloud: aws, use_spot: true}}`,
    });
    const conditions = expandConditions(factorialOf(config));
    const startedAt = Date.now() / 1000;
    await installStandin(transport, dir, scenario(conditions, startedAt, null));
    const scheduler = createScheduler('skypilot', { transport, config });
    const calls = () => standinCalls(transport, dir);
    return {
      config,
      scheduler,
      async finish(jobIds) {
        // The jobs end now: the next queue read reports them finished.
        await put(`${dir}/scenario.json`, JSON.stringify(scenario(conditions, startedAt, Date.now() / 1000)));
        const seen = await scheduler.observe(jobIds);
        const live = jobIds.filter((id) => {
          const o = seen.observations.get(id);
          return o === undefined || !isTerminal(o.state);
        });
        if (live.length > 0) throw new Error(`the stand-in still reports ${live.join(', ')} live`);
      },
      async commands() {
        // Launch n got job id n; the command travels as $SWEEPWATCH_COMMAND.
        const launches = (await calls()).filter((argv) => argv[1] === 'launch');
        const env = (argv: string[]) =>
          argv.find((a) => a.startsWith('SWEEPWATCH_COMMAND='))?.slice('SWEEPWATCH_COMMAND='.length) ?? '';
        return new Map(launches.map((argv, i) => [String(i + 1), env(argv)]));
      },
      async bystanderUntouched() {
        return !(await calls()).some((argv) => argv.includes('cancel'));
      },
      async close() {
        await transport.exec(['rm', '-rf', dir]);
        await transport.close();
      },
    };
  },
};
