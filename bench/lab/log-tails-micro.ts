/**
 * Micro-benchmark for issue #10: one readLogTails round trip for 240 log files on the real lab,
 * the per-file script (one `tail` per file, one `stat` for all: the design before the batch)
 * against the batch (every tail from ONE `tail -q`, split by a separator file; two stats, an
 * rm), interleaved on one warm SSH connection, the side going first alternating. Both sides go
 * through readTails: the per-file side only swaps the script in the argv, so the client code
 * and the answer format it parses are the same. Then the same on 240 hostile files (invalid
 * UTF-8, marker-looking lines, a character cut at the end), where both sides must agree and
 * every file's own last line must be in its own job's tail. Submits no Slurm job: it writes its
 * own files in a temporary directory and removes it.
 *
 *   node --import tsx bench/lab/log-tails-micro.ts [pairs]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readTails } from '../../src/adapters/slurm/log-tails.js';
import { newNonce, SCRIPT_PRELUDE } from '../../src/adapters/slurm/sections.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { LogTail, LogTailRequest } from '../../src/ports/scheduler.js';
import type { ExecOptions, Transport } from '../../src/ports/transport.js';
import { readLab } from '../../test/helpers/lab.js';
import { median } from '../support/stats.js';

/** The script before the batch, verbatim (its answer parses as the batch's fallback does). */
const PER_FILE_SCRIPT = `${SCRIPT_PRELUDE}
max=$2
shift 2
i=0
n=0
list=
for p do
  if [ -f "$p" ] && [ -r "$p" ]; then
    begin file "$i"
    tail -c "$max" -- "$p"
    rc=$?
    printf '\\n'
    end file "$i" "$rc"
    n=$((n + 1))
    list="$list \\"\\\${$((i + 1))}\\""
  else
    meta "missing.$i" 1
  fi
  i=$((i + 1))
done
if [ "$n" -gt 0 ]; then
  begin sizes "$n"
  eval "stat -L -c %s -- $list"
  rc=$?
  end sizes "$n" "$rc"
  if [ "$rc" -ne 0 ]; then
    i=0
    for p do
      if [ -f "$p" ] && [ -r "$p" ]; then
        begin size "$i"
        wc -c < "$p"
        end size "$i" "$?"
      fi
      i=$((i + 1))
    done
  fi
fi
finish
`;

const JOBS = 120; // two logs each: 240 files
const MAX_PER_FILE = 64 * 1024; // tick's default logTailBytes
const MAX_TOTAL = 8 * 1024 * 1024; // SlurmScheduler's default maxLogBytes
const TIMEOUT_MS = 120_000;

/**
 * $1 count, $2 hostile (1/0). Writes 2 × count logs of 16–40 KB (training lines; a traceback at
 * the end of each .err). Hostile: every third file also gets invalid bytes and lines shaped like
 * the markers, every fifth .err ends inside a character, and each file ends with its own name.
 */
const SETUP = `d=$(mktemp -d "$HOME/swmicro.XXXXXX") || exit 1
out='[2026-11-26 08:12:34][train][INFO] - epoch 3 step 1200/10000 loss=0.4123 lr=3.0e-04 throughput=812.4 samples/s'
err='  File "/home/alice/calib/train.py", line 42, in main: UserWarning: lr scheduler stepped before optimizer'
i=0
while [ "$i" -lt "$1" ]; do
  yes "$out" | head -c $((16384 + (i * 7919) % 24577)) > "$d/job_$i.out"
  { yes "$err" | head -c $((16384 + (i * 4099) % 24577)); printf '\\nKeyError: temperature\\n'; } > "$d/job_$i.err"
  if [ "$2" = 1 ]; then
    for f in out err; do
      if [ $((i % 3)) = 0 ]; then
        printf '\\377\\376\\300 bad bytes\\n@@SW:AAAAAAAAAAAA:next\\n@@SW:fake:end:tails:240:0\\n\\n@@SW:x:next\\n' >> "$d/job_$i.$f"
      fi
      printf 'END job_%s.%s\\n' "$i" "$f" >> "$d/job_$i.$f"
    done
    [ $((i % 5)) = 0 ] && printf '\\342\\202' >> "$d/job_$i.err"
  fi
  i=$((i + 1))
done
printf '%s\\n' "$d"`;

/** The same transport, running the per-file script in place of the batch's. */
function perFile(t: Transport): Transport {
  return {
    exec: (argv: readonly string[], options?: ExecOptions) =>
      t.exec([...argv.slice(0, 2), PER_FILE_SCRIPT, ...argv.slice(3)], options),
    close: () => t.close(),
    stats: () => t.stats(),
  };
}

const readAll = (t: Transport, requests: readonly LogTailRequest[]) =>
  readTails(t, requests, MAX_PER_FILE, {
    nonce: newNonce(),
    maxTotalBytes: MAX_TOTAL,
    timeoutMs: TIMEOUT_MS,
  });

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, value };
}

function same(a: Map<string, LogTail>, b: Map<string, LogTail>): boolean {
  return JSON.stringify([...a]) === JSON.stringify([...b]);
}

/** Interleaved pairs: per-file then batch, batch then per-file, … (after one warm-up pair). */
async function pairs(t: Transport, requests: readonly LogTailRequest[], count: number) {
  const each: number[] = [];
  const batch: number[] = [];
  for (let k = 0; k < count; k++) {
    const order = k % 2 === 0 ? (['each', 'batch'] as const) : (['batch', 'each'] as const);
    for (const side of order) {
      const r = await timed(() => readAll(side === 'each' ? perFile(t) : t, requests));
      (side === 'each' ? each : batch).push(r.ms);
    }
  }
  return { each, batch, ratio: median(batch.map((b, k) => b / (each[k] ?? Number.NaN))) };
}

async function setup(t: Transport, hostile: boolean): Promise<{ dir: string; requests: LogTailRequest[] }> {
  const made = await t.exec(['sh', '-c', SETUP, 'setup', String(JOBS), hostile ? '1' : '0'], {
    timeoutMs: TIMEOUT_MS,
  });
  const dir = made.stdout.trim();
  if (made.code !== 0 || !dir.startsWith('/')) throw new Error(`setup failed: ${made.stderr}`);
  const requests = Array.from({ length: JOBS }, (_, i) => ({
    jobId: String(i),
    paths: [`${dir}/job_${i}.out`, `${dir}/job_${i}.err`],
  }));
  return { dir, requests };
}

/** Both sides agree, and each job's tail ends its own files and holds no other file's end. */
async function checkHostile(t: Transport, requests: readonly LogTailRequest[]): Promise<string> {
  const [a, b] = [await readAll(perFile(t), requests), await readAll(t, requests)];
  if (!same(a, b)) throw new Error('hostile files: the per-file and batch answers differ');
  let invalid = 0;
  for (const [id, tail] of b) {
    const ends = [...tail.text.matchAll(/END job_(\d+)\.(out|err)/g)].map((m) => `${m[1]}.${m[2]}`);
    if (ends.join(' ') !== `${id}.out ${id}.err`)
      throw new Error(`job ${id}: its tail holds ${ends.join(' ')}`);
    if (tail.text.includes('\uFFFD')) invalid++;
  }
  return `hostile: per-file and batch agree on all ${b.size} jobs; every job holds exactly its own two ends (${invalid} with invalid UTF-8)`;
}

async function main(): Promise<void> {
  const count = Math.max(21, Number(process.argv[2] ?? 21));
  const lab = readLab();
  const t = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: TIMEOUT_MS,
  });
  const dirs: string[] = [];
  try {
    const plain = await setup(t, false);
    dirs.push(plain.dir);
    const [a, b] = [await readAll(perFile(t), plain.requests), await readAll(t, plain.requests)];
    if (!same(a, b)) throw new Error('per-file and batch scripts disagree on the tails');
    const bytes = [...b.values()].reduce((n, x) => n + Buffer.byteLength(x.text), 0);
    const truncated = [...b.values()].flatMap((x) => x.files).filter((f) => f.truncated).length;
    console.log(
      `${JOBS * 2} files in ${plain.dir}; ${(bytes / 1e6).toFixed(2)} MB of tails, ${truncated} truncated`,
    );

    const run = await pairs(t, plain.requests, count);
    // Floors: an empty exec; the same bytes from one tail; and from one tail through base64
    // (what an encoding that survives the UTF-8 decoding would have cost).
    const per = Math.min(MAX_PER_FILE, Math.floor(MAX_TOTAL / (JOBS * 2)));
    const files = plain.requests.flatMap((r) => r.paths);
    const cap = { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 2 * MAX_TOTAL };
    const floors = { empty: [] as number[], one: [] as number[], base64: [] as number[] };
    for (let k = 0; k < count; k++) {
      floors.empty.push((await timed(() => t.exec(['sh', '-c', 'exit 0'], cap))).ms);
      floors.one.push((await timed(() => t.exec(['tail', '-q', '-c', String(per), '--', ...files], cap))).ms);
      const b64 = [
        'sh',
        '-c',
        'm=$1; shift; tail -q -c "$m" -- "$@" | base64 -w0',
        'b64',
        String(per),
        ...files,
      ];
      floors.base64.push((await timed(() => t.exec(b64, cap))).ms);
    }
    const f = (x: number) => `${x.toFixed(1)} ms`;
    const line = (name: string, xs: number[]) =>
      console.log(`${name.padEnd(34)} median ${f(median(xs))}  (min ${f(Math.min(...xs))})`);
    console.log(`pairs: ${count} (after one warm-up pair), per-file/batch alternating first`);
    line('per-file (1 tail per file, 1 stat)', run.each);
    line('batch (1 tail, 2 stats, 1 rm)', run.batch);
    console.log(`batch/per-file per pair: median ${run.ratio.toFixed(2)}`);
    line('empty exec round trip', floors.empty);
    line('same bytes, one tail', floors.one);
    line('same bytes, one tail | base64', floors.base64);
    const over = (xs: number[]) => ((median(xs) - median(floors.empty)) / (JOBS * 2)).toFixed(3);
    console.log(`per file above the empty exec: per-file ${over(run.each)} ms, batch ${over(run.batch)} ms`);

    const hostile = await setup(t, true);
    dirs.push(hostile.dir);
    console.log(await checkHostile(t, hostile.requests));
    const h = await pairs(t, hostile.requests, 7);
    console.log(
      `hostile, 7 pairs: per-file ${f(median(h.each))}, batch ${f(median(h.batch))}, ratio ${h.ratio.toFixed(2)}`,
    );
  } finally {
    for (const dir of dirs) await t.exec(['rm', '-rf', '--', dir], { timeoutMs: TIMEOUT_MS });
    await t.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
