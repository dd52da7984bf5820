/**
 * 1,000 real jobs on the lab, as alice, in a realistic mix: an array of 800 short tasks that
 * print training output (15 % of them then fail with a Python traceback or a CUDA OOM on
 * stderr) and an array of 200 held tasks (pending, JobHeldUser). Condition i gets a held task
 * every fifth place, so any prefix of the sweep has the same mix. Everything carries one job
 * name, so cleanup is one `scancel --name`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type SshLogger, SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { Transport } from '../../src/ports/transport.js';
import { type LabInfo, readLab } from '../../test/helpers/lab.js';

const JOB_SCRIPT = `#!/bin/sh
i=\${SLURM_ARRAY_TASK_ID:-0}
n=0
while [ $n -lt 300 ]; do
  echo "[2026-11-26 08:$((n / 60 % 60)):$((n % 60))][train][INFO] - epoch $((n / 100)) step $((n * 25))/10000 loss=0.$((9000 - n * 7)) lr=3.0e-04 throughput=812.4 samples/s"
  n=$((n + 1))
done
case $((i % 20)) in
  3|13) printf 'Traceback (most recent call last):\\n  File "/home/alice/calib/train.py", line 42, in main\\n    scale = cfg["temperature"]\\nKeyError: %s\\n' "'temperature'" >&2; exit 1 ;;
  7) printf 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free.\\n' >&2; exit 1 ;;
esac
echo "saved results/metrics.json"
`;

export interface LabJobs {
  readonly lab: LabInfo;
  readonly name: string;
  readonly dir: string;
  /** One job id per condition, in condition order (held tasks at every fifth place). */
  readonly jobIds: readonly string[];
  readonly logPaths: ReadonlyMap<string, { stdout: string; stderr: string }>;
  /** A fresh SSH transport to the lab as alice (each tick opens its own connection). */
  newTransport(logger?: SshLogger): SshTransport;
  cleanup(): Promise<void>;
}

/** Fresh SSH transports to the lab as its user, the host key pinned from lab.json. */
export function labTransports(lab: LabInfo): (logger?: SshLogger) => SshTransport {
  const key = readFileSync(lab.ssh.privateKeyPath);
  return (logger) =>
    new SshTransport({
      host: lab.ssh.host,
      port: lab.ssh.port,
      user: lab.ssh.user,
      privateKey: key,
      knownHosts: lab.ssh.knownHostsLine,
      execTimeoutMs: 120_000,
      ...(logger !== undefined ? { logger } : {}),
    });
}

async function run(t: Transport, argv: string[], stdin?: string): Promise<string> {
  const r = await t.exec(argv, { timeoutMs: 60_000, ...(stdin !== undefined ? { stdin } : {}) });
  if (r.code !== 0) throw new Error(`lab: ${argv.slice(0, 3).join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Submits `total` jobs (4 in 5 run, 1 in 5 held) and waits up to `waitMs` until every running
 * task has ended.
 */
export async function submitLabJobs(
  total: number,
  waitMs: number,
  log: (m: string) => void,
): Promise<LabJobs> {
  const heldCount = Math.floor(total / 5);
  const runCount = total - heldCount;
  const lab = readLab();
  const newTransport = labTransports(lab);
  const name = `swbench-${randomBytes(3).toString('hex')}`;
  const dir = `/home/${lab.ssh.user}/${name}`;
  const t = newTransport();
  const cleanup = async () => {
    const c = newTransport();
    await c.exec(['scancel', `--user=${lab.ssh.user}`, `--name=${name}`]).catch(() => undefined);
    await c.exec(['rm', '-rf', '--', dir]).catch(() => undefined);
    await c.close();
  };
  try {
    await run(t, ['mkdir', '-p', dir]);
    await run(t, ['sh', '-c', 'cat > "$1" && chmod +x "$1"', 'write', `${dir}/job.sh`], JOB_SCRIPT);
    const logs = ['-o', `${dir}/%x-%A_%a.out`, '-e', `${dir}/%x-%A_%a.err`];
    const common = ['sbatch', '--parsable', `--job-name=${name}`, `--chdir=${dir}`, '--mem=64M', '--time=5'];
    const ran = (await run(t, [...common, `--array=0-${runCount - 1}`, ...logs, `${dir}/job.sh`])).split(
      ';',
    )[0];
    const held = (
      await run(t, [...common, '--hold', `--array=0-${heldCount - 1}`, ...logs, `${dir}/job.sh`])
    ).split(';')[0];
    log(`lab: submitted ${runCount} tasks as ${ran} and ${heldCount} held as ${held} (${name})`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const left = Number(
        await run(t, ['sh', '-c', 'squeue -h -r -j "$1" -t PD,R,CG,CF | wc -l', 'left', `${ran}`]),
      );
      if (left === 0) break;
      if (Date.now() > deadline)
        throw new Error(`lab: ${left} tasks still not finished after ${waitMs / 1000} s`);
      log(`lab: ${left} of ${runCount} tasks still running or queued`);
      await new Promise((r) => setTimeout(r, 10_000));
    }
    const jobIds: string[] = [];
    const logPaths = new Map<string, { stdout: string; stderr: string }>();
    for (let i = 0; i < total; i++) {
      const [master, task] = i % 5 === 4 ? [held, (i - 4) / 5] : [ran, 4 * Math.floor(i / 5) + (i % 5)];
      const id = `${master}_${task}`;
      jobIds.push(id);
      const base = `${dir}/${name}-${master}_${task}`;
      logPaths.set(id, { stdout: `${base}.out`, stderr: `${base}.err` });
    }
    return { lab, name, dir, jobIds, logPaths, newTransport, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  } finally {
    await t.close();
  }
}
