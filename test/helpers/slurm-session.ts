/**
 * A session on the real lab for Slurm tests: one SshTransport as alice, a SlurmScheduler, a
 * per-run job-name prefix and working directory, and helpers to submit, wait and run as bob or
 * root. Every job it submits is cancelled, and its directory removed, by close().
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SlurmScheduler } from '../../src/adapters/slurm/slurm-scheduler.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { JobObservation, JobState } from '../../src/core/types.js';
import type { ObserveResult, SubmitRequest } from '../../src/ports/scheduler.js';
import { type LabInfo, readLab } from './lab.js';

export async function openSlurmSession(tag: string) {
  const lab: LabInfo = readLab();
  const prefix = `${tag}-${randomBytes(3).toString('hex')}-`;
  const dir = `/home/${lab.ssh.user}/${prefix.slice(0, -1)}`;
  const transport = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: 60_000,
  });
  const slurm = new SlurmScheduler({ transport });
  const mine: string[] = [];
  /** The log paths submit() returned, per job id. */
  const logs = new Map<string, { stdout: string; stderr: string }>();
  const mkdir = await transport.exec(['mkdir', '-p', dir]);
  if (mkdir.code !== 0) throw new Error(`cannot create ${dir}: ${mkdir.stderr}`);

  function ssh(user: string, key: string, command: string) {
    const args = ['-p', String(lab.ssh.port), '-i', key, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'];
    args.push(
      '-o',
      `UserKnownHostsFile=${lab.ssh.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'LogLevel=ERROR',
    );
    const r = spawnSync('ssh', [...args, `${user}@${lab.ssh.host}`, command], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { out: r.stdout.trim(), err: r.stderr.trim(), code: r.status };
  }

  async function submit(name: string, argv: string[], extra: Partial<SubmitRequest> = {}): Promise<string> {
    const r = await slurm.submit({
      name: prefix + name,
      command: { kind: 'argv', argv },
      workdir: dir,
      ...extra,
    });
    if (!r.ok) throw new Error(`${name}: ${r.message}`);
    mine.push(r.jobId);
    logs.set(r.jobId, { stdout: r.stdoutPath, stderr: r.stderrPath });
    return r.jobId;
  }

  /** Options our SubmitRequest does not model (--hold, --begin, --requeue): plain sbatch. */
  async function sbatch(name: string, ...opts: string[]): Promise<string> {
    const r = await transport.exec([
      'sbatch',
      '--parsable',
      `--job-name=${prefix}${name}`,
      `--chdir=${dir}`,
      ...opts,
    ]);
    const id = r.stdout.trim();
    if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`${name}: ${r.stderr}`);
    mine.push(id);
    return id;
  }

  /** Observes until every id satisfies its predicate; returns the last observation of each. */
  async function until(want: Record<string, (o: JobObservation) => boolean>, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last: ObserveResult | undefined;
    for (;;) {
      last = await slurm.observe(Object.keys(want));
      const pending = Object.entries(want).filter(([id, ok]) => {
        const o = last?.observations.get(id);
        return !o || !ok(o);
      });
      if (pending.length === 0) return last.observations;
      if (Date.now() > deadline) {
        const seen = pending.map(([id]) => `${id}=${last?.observations.get(id)?.state ?? 'none'}`);
        throw new Error(`timed out waiting for ${seen.join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  return {
    lab,
    prefix,
    dir,
    transport,
    slurm,
    logs,
    submit,
    sbatch,
    until,
    asBob: (command: string) => ssh(lab.otherUser.user, lab.otherUser.privateKeyPath, command),
    asRoot: (...argv: string[]) =>
      spawnSync(argv[0] ?? 'false', argv.slice(1), { encoding: 'utf8', timeout: 60_000 }),
    async close() {
      if (mine.length > 0) await slurm.cancel(mine, { jobIds: mine, namePrefix: prefix });
      await transport.exec(['rm', '-rf', dir]);
      await transport.close();
    },
  };
}

export type SlurmSession = Awaited<ReturnType<typeof openSlurmSession>>;

export const is = (state: JobState) => (o: JobObservation) => o.state === state;
