/**
 * Micro-benchmark for issue #10: one readLogTails round trip for 240 log files on the real lab,
 * the script before the fix (four processes per file: a subshell, wc, tr, tail) against the
 * current one (one tail per file, one stat for all), interleaved on one warm SSH connection.
 * Submits no Slurm job: it writes its own files in a temporary directory and removes it.
 *
 *   node --import tsx bench/lab/log-tails-micro.ts [pairs]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readTails } from '../../src/adapters/slurm/log-tails.js';
import { newNonce, parseFramed, SCRIPT_PRELUDE } from '../../src/adapters/slurm/sections.js';
import { SshTransport } from '../../src/adapters/ssh/ssh-transport.js';
import type { LogTail, LogTailRequest } from '../../src/ports/scheduler.js';
import type { Transport } from '../../src/ports/transport.js';
import { readLab } from '../../test/helpers/lab.js';
import { median } from '../support/stats.js';

/** The script before the fix, verbatim, for the A side. */
const OLD_SCRIPT = `${SCRIPT_PRELUDE}
max=$2
shift 2
i=0
for p do
  if [ -f "$p" ] && [ -r "$p" ]; then
    size=$(wc -c < "$p" | tr -d ' ')
    begin file "$i:$size"
    tail -c "$max" -- "$p"
    rc=$?
    printf '\\n'
    end file "$i:$size" "$rc"
  else
    meta "missing.$i" 1
  fi
  i=$((i + 1))
done
finish
`;

const JOBS = 120; // two logs each: 240 files
const MAX_PER_FILE = 64 * 1024; // tick's default logTailBytes
const MAX_TOTAL = 8 * 1024 * 1024; // SlurmScheduler's default maxLogBytes
const TIMEOUT_MS = 120_000;

/** Writes 2 × JOBS logs of 16–40 KB (training lines; a traceback at the end of each .err). */
const SETUP = `d=$(mktemp -d "$HOME/swmicro.XXXXXX") || exit 1
out='[2026-11-26 08:12:34][train][INFO] - epoch 3 step 1200/10000 loss=0.4123 lr=3.0e-04 throughput=812.4 samples/s'
err='  File "/home/alice/calib/train.py", line 42, in main: UserWarning: lr scheduler stepped before optimizer'
i=0
while [ "$i" -lt "$1" ]; do
  yes "$out" | head -c $((16384 + (i * 7919) % 24577)) > "$d/job_$i.out"
  { yes "$err" | head -c $((16384 + (i * 4099) % 24577)); printf '\\nKeyError: temperature\\n'; } > "$d/job_$i.err"
  i=$((i + 1))
done
printf '%s\\n' "$d"`;

/** The old client side, as it was: exec the old script, sizes from the section keys. */
async function readTailsOld(
  t: Transport,
  requests: readonly LogTailRequest[],
): Promise<Map<string, LogTail>> {
  const paths = requests.flatMap((r) => r.paths);
  const perFile = Math.max(1, Math.min(MAX_PER_FILE, Math.floor(MAX_TOTAL / paths.length)));
  const nonce = newNonce();
  const out = await t.exec(
    ['sh', '-c', OLD_SCRIPT, 'sweepwatch-log-tails', nonce, String(perFile), ...paths],
    {
      timeoutMs: TIMEOUT_MS,
      maxStdoutBytes: paths.length * (perFile + 256) + 4096,
    },
  );
  const framed = parseFramed(out.stdout, out.stderr, nonce);
  const files = new Map<number, { text: string; size: number; complete: boolean }>();
  for (const s of framed.sections) {
    const [index = '', size = ''] = s.key.split(':');
    files.set(Number(index), { text: s.lines.join('\n'), size: Number(size), complete: s.rc === 0 });
  }
  const result = new Map<string, LogTail>();
  let i = 0;
  for (const r of requests) {
    const got = r.paths.map((path) => ({ path, file: files.get(i++) }));
    const tails = got.map(({ path, file }) => ({
      path,
      missing: file === undefined,
      size: file?.size ?? 0,
      truncated: file !== undefined && (file.size > perFile || !file.complete),
    }));
    const texts = got.flatMap(({ file }) => (file && file.text !== '' ? [file.text.replace(/\n$/, '')] : []));
    result.set(r.jobId, {
      text: texts.join('\n'),
      truncated: tails.some((x) => x.truncated),
      missing: tails.filter((x) => x.missing).map((x) => x.path),
      files: tails,
    });
  }
  return result;
}

const readNew = (t: Transport, requests: readonly LogTailRequest[]) =>
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

async function main(): Promise<void> {
  const pairs = Math.max(15, Number(process.argv[2] ?? 21));
  const lab = readLab();
  const t = new SshTransport({
    host: lab.ssh.host,
    port: lab.ssh.port,
    user: lab.ssh.user,
    privateKey: readFileSync(lab.ssh.privateKeyPath),
    knownHosts: lab.ssh.knownHostsLine,
    execTimeoutMs: TIMEOUT_MS,
  });
  let dir = '';
  try {
    const made = await t.exec(['sh', '-c', SETUP, 'setup', String(JOBS)], { timeoutMs: TIMEOUT_MS });
    dir = made.stdout.trim();
    if (made.code !== 0 || !dir.startsWith('/')) throw new Error(`setup failed: ${made.stderr}`);
    const requests: LogTailRequest[] = Array.from({ length: JOBS }, (_, i) => ({
      jobId: String(i),
      paths: [`${dir}/job_${i}.out`, `${dir}/job_${i}.err`],
    }));
    // Warm-up pair, and proof that both sides answer the same.
    const [a, b] = [await readTailsOld(t, requests), await readNew(t, requests)];
    if (!same(a, b)) throw new Error('old and new scripts disagree on the tails');
    const bytes = [...b.values()].reduce((n, x) => n + Buffer.byteLength(x.text), 0);
    const truncated = [...b.values()].flatMap((x) => x.files).filter((f) => f.truncated).length;
    console.log(
      `${JOBS * 2} files in ${dir}; ${(bytes / 1e6).toFixed(2)} MB of tails, ${truncated} truncated`,
    );

    const olds: number[] = [];
    const news: number[] = [];
    const floors: number[] = [];
    const oneTail: number[] = [];
    const perFile = Math.min(MAX_PER_FILE, Math.floor(MAX_TOTAL / (JOBS * 2)));
    // The same bytes from ONE process (GNU tail -q, headers off): what moving the data costs.
    const allAtOnce = ['tail', '-q', '-c', String(perFile), '--', ...requests.flatMap((r) => r.paths)];
    for (let k = 0; k < pairs; k++) {
      // Alternate which side goes first, so neither always runs on a warmer cache.
      const order = k % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      for (const side of order) {
        const r = await timed(() => (side === 'old' ? readTailsOld(t, requests) : readNew(t, requests)));
        (side === 'old' ? olds : news).push(r.ms);
      }
      floors.push((await timed(() => t.exec(['sh', '-c', 'exit 0'], { timeoutMs: TIMEOUT_MS }))).ms);
      const cap = { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 2 * MAX_TOTAL };
      oneTail.push((await timed(() => t.exec(allAtOnce, cap))).ms);
    }
    const ratios = olds.map((o, k) => (news[k] ?? Number.NaN) / o);
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`pairs: ${pairs} (after one warm-up pair), old/new alternating first`);
    console.log(`old  (4 processes per file): median ${f(median(olds))}  (min ${f(Math.min(...olds))})`);
    console.log(`new  (1 per file + 1 stat):  median ${f(median(news))}  (min ${f(Math.min(...news))})`);
    console.log(`empty exec round trip:       median ${f(median(floors))}`);
    console.log(`same bytes, one tail process: median ${f(median(oneTail))}`);
    console.log(`new/old per pair: median ${median(ratios).toFixed(2)}`);
    console.log(
      `per file above the empty exec: old ${((median(olds) - median(floors)) / (JOBS * 2)).toFixed(2)} ms, ` +
        `new ${((median(news) - median(floors)) / (JOBS * 2)).toFixed(2)} ms`,
    );
  } finally {
    if (dir.startsWith('/')) await t.exec(['rm', '-rf', '--', dir], { timeoutMs: TIMEOUT_MS });
    await t.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
