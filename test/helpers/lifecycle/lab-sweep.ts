/**
 * The lab side of the lifecycle e2e test: a small job whose outcome is fixed per condition, the
 * sweep file that runs it, and what the test reads back from Slurm itself (squeue, sacct) to
 * check that sweepwatch's view matches the scheduler's.
 */
import type { Transport } from '../../../src/ports/transport.js';

/**
 * The job, `python3 job.py <mem> <dur> <seed>`. Each corner of mem × dur fails in exactly one
 * way, along one axis, so one escalation fixes it (a job both over memory and over time would
 * need two cycles):
 *
 *   small × short  completes; seed 3 raises KeyError every time (code_error: an issue, no rerun)
 *   big   × short  touches ~80 MB: OUT_OF_MEMORY under 60M, completes under the escalated 120M
 *   small × long   sleeps 105 s: TIMEOUT under 1 minute (Slurm enforces limits every ~30 s, so
 *                  the kill lands 60–90 s in), completes under the escalated 2 minutes (the
 *                  sleep sits midway between the two, ~15 s from either edge)
 *   big   × long   a control: ~30 MB and 3 s, completes
 */
export const JOB_PY = `import sys
import time

mem, dur, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(f"start mem={mem} dur={dur} seed={seed}", flush=True)
config = {"lr": 0.1, "seed": seed}


def touch(mb):
    chunks = []
    for i in range(mb // 10):
        chunks.append(b"\\x01" * (10 * 1024 * 1024))
        print(f"allocated {(i + 1) * 10} MB", flush=True)
    return chunks


if (mem, dur) == ("small", "short"):
    if seed == 3:
        print("optimizer:", config["optimizer"], flush=True)
    time.sleep(1)
elif (mem, dur) == ("big", "short"):
    held = touch(80)
elif (mem, dur) == ("small", "long"):
    time.sleep(105)
else:
    held = touch(30)
    time.sleep(3)
print("done", flush=True)
`;

export const FACTORS = { mem: ['small', 'big'], dur: ['short', 'long'], seed: [1, 2, 3] } as const;

export const conditionIdOf = (mem: string, dur: string, seed: number) => `mem=${mem},dur=${dur},seed=${seed}`;

export function conditionsWhere(mem: string, dur: string): string[] {
  return FACTORS.seed.map((seed) => conditionIdOf(mem, dur, seed));
}

/** What the sweep is expected to do, condition by condition. */
export const EXPECTED = {
  oom: conditionsWhere('big', 'short'),
  timeout: conditionsWhere('small', 'long'),
  codeError: conditionIdOf('small', 'short', 3),
} as const;

export function sweepYaml(experiment: string, dir: string): string {
  return `# The lifecycle e2e sweep: 2 × 2 × 3 = 12 conditions on the lab (see lab-sweep.ts).
experiment: ${experiment}
scheduler:
  type: slurm
factors:
  mem: [${FACTORS.mem.join(', ')}]
  dur: [${FACTORS.dur.join(', ')}]
  seed: [${FACTORS.seed.join(', ')}]
template:
  command: [python3, ${dir}/job.py]
  args: ['{mem}', '{dur}', '{seed}']
  workdir: ${dir}
  log_dir: ${dir}/logs
  resources:
    time: 1
    memory: 60M
    cpus: 1
    partition: debug
policy:
  # One cycle: the OOMs and timeouts are fixed by it, and a second one is refused (F4).
  max_relaunch_cycles: 1
  # No canary: with one, cycle 1 would run one representative per systemic cause first and the
  # held rest only after a later tick saw it succeed, i.e. the 105 s timeout rerun twice in a
  # row. The canary-and-release step is covered through main() in main-lifecycle.test.ts.
  canary: false
  escalation:
    memory_factor: 2
    time_factor: 1.5
`;
}

/** Writes a file in the lab as alice, over the given transport. */
export async function putFile(transport: Transport, path: string, text: string): Promise<void> {
  const r = await transport.exec(['sh', '-c', 'cat > "$1"', 'sh', path], { stdin: text });
  if (r.code !== 0) throw new Error(`cannot write ${path}: ${r.stderr}`);
}

export interface QueueRow {
  readonly jobId: string;
  readonly name: string;
  readonly state: string;
}

/** Every job slurmctld still holds (finished ones within MinJobAge too) whose name starts with prefix. */
export async function squeueByPrefix(transport: Transport, prefix: string): Promise<QueueRow[]> {
  const r = await transport.exec(['squeue', '-h', '-t', 'all', '-o', '%i|%j|%T']);
  if (r.code !== 0) throw new Error(`squeue failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter((f): f is [string, string, string] => f.length === 3 && (f[1] ?? '').startsWith(prefix))
    .map(([jobId, name, state]) => ({ jobId, name, state }));
}

export interface AcctRow {
  readonly jobId: string;
  readonly name: string;
  /** `OUT_OF_MEMORY`, `TIMEOUT`, `CANCELLED by 1001`… */
  readonly state: string;
  /** `60M` */
  readonly reqMem: string;
  /** `00:01:00` */
  readonly timelimit: string;
}

/** The allocation rows of the given jobs from accounting: what Slurm was really asked and did. */
export async function sacctJobs(
  transport: Transport,
  jobIds: readonly string[],
): Promise<Map<string, AcctRow>> {
  const r = await transport.exec([
    'sacct',
    '-X',
    '-P',
    '-n',
    '-j',
    jobIds.join(','),
    '-o',
    'JobIDRaw,JobName%60,State,ReqMem,Timelimit',
  ]);
  if (r.code !== 0) throw new Error(`sacct failed: ${r.stderr}`);
  const rows = new Map<string, AcctRow>();
  for (const line of r.stdout.split('\n')) {
    const [jobId, name, state, reqMem, timelimit] = line.trim().split('|');
    if (jobId && name !== undefined && state !== undefined && reqMem !== undefined && timelimit !== undefined)
      rows.set(jobId, { jobId, name, state, reqMem, timelimit });
  }
  return rows;
}

/**
 * sacct until every job has a row that satisfies ok (slurmdbd records a job a moment after
 * slurmctld knows it); the last rows are returned either way, for the caller to assert on.
 */
export async function sacctUntil(
  transport: Transport,
  jobIds: readonly string[],
  ok: (row: AcctRow) => boolean,
  timeoutMs = 30_000,
): Promise<Map<string, AcctRow>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await sacctJobs(transport, jobIds);
    const done = jobIds.every((id) => {
      const row = rows.get(id);
      return row !== undefined && ok(row);
    });
    if (done || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** `scontrol show job -o ID` as key → value: what slurmctld holds for a job right now. */
export async function scontrolJob(transport: Transport, jobId: string): Promise<Record<string, string>> {
  const r = await transport.exec(['scontrol', '-o', 'show', 'job', jobId]);
  if (r.code !== 0) throw new Error(`scontrol show job ${jobId} failed: ${r.stderr}`);
  const fields: Record<string, string> = {};
  for (const word of r.stdout.trim().split(/\s+/)) {
    const at = word.indexOf('=');
    if (at > 0) fields[word.slice(0, at)] = word.slice(at + 1);
  }
  return fields;
}

/** Cancels every live job of alice's whose name starts with prefix; returns their ids. */
export async function cancelByPrefix(transport: Transport, prefix: string): Promise<string[]> {
  const r = await transport.exec(['squeue', '-h', '-o', '%i|%j']);
  if (r.code !== 0) throw new Error(`squeue failed: ${r.stderr}`);
  const ids = r.stdout
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter(([id, name]) => id && name?.startsWith(prefix))
    .map(([id]) => id as string);
  if (ids.length > 0) await transport.exec(['scancel', ...ids]);
  return ids;
}
