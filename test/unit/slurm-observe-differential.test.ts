/**
 * observeJobs was rewritten for speed (frame once without a line array, read sacct and squeue
 * rows without a string per field or a row object per step, merge and index without
 * intermediate maps), then to read the answer as it streams in (sacct's rows read as they come,
 * taken back when sacct did not finish). Its results must not change at all: observations
 * (fields and their key order), missing, unobserved, diagnostics and errors, in order.
 *
 * The old path is too big to keep here as a live oracle, so its answers are recorded: random
 * observe outputs from a fixed seed (job groups with steps and requeued runs, pending array
 * ranges, hostile and placeholder cells, wrong field counts, failed, cut and repeated sections,
 * scontrol fallbacks, stray lines), run through the implementation of e44e492, one JSON line per
 * case in test/fixtures/slurm/observe-differential.jsonl. Each line starts with a hash of its
 * input: if the inputs drift (a fast-check upgrade changes what a seed draws), the hashes say so
 * and the file must be recorded again from a known-good implementation, not updated blindly.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observeJobs } from '../../src/adapters/slurm/observe.js';
import { markerPrefix } from '../../src/adapters/slurm/sections.js';
import { CappedOutput } from '../../src/adapters/ssh/capped-output.js';
import { createFakeTransport } from '../fakes/fake-transport.js';

const US = '\x1f';
const NONCE = 'n0nce';
const M = markerPrefix(NONCE);

const id = fc.constantFrom(
  '100',
  '101',
  '102',
  '103',
  '200_0',
  '200_1',
  '200_2',
  '200_7',
  '300+0',
  '2001',
  '2002',
);
const stamp = fc.constantFrom(
  '2026-11-26T04:54:27',
  '2026-11-26T04:54:28',
  '2026-11-26T05:00:00',
  ' 2026-11-26T04:54:27',
  'Unknown',
  'None',
  'N/A',
  '',
  '2026-11-26 04:54:27',
);
const cell = {
  name: fc.constantFrom('sw-a', 'sw-b', 'sw-a', 'sw-b', '', '(null)', 'N/A', ' n ', 'batch', 'x\x1fy'),
  state: fc.constantFrom(
    'COMPLETED',
    'FAILED',
    'OUT_OF_MEMORY',
    'OUT_OF_ME+',
    'CANCELLED by 1001',
    'RUNNING',
    'PENDING',
    'REQUEUED',
    'NODE_FAIL',
    'TIMEOUT',
    ' FAILED ',
    '',
    ' ',
    'CD',
    'OOM',
    'weird',
  ),
  exit: fc.constantFrom('0:0', '1:0', '0:9', '137:0', ' 0:0 ', '', 'x', '0:125'),
  reason: fc.constantFrom('None', '', 'n/a', '(null)', 'Priority', ' OutOfMemory ', 'JobArrayTaskLimit'),
  elapsed: fc.constantFrom('00:00:05', '1-02:03:04', '0:05', '12:34:56.789', 'INVALID', '', '1-02:03'),
  nodes: fc.constantFrom('vm', 'gpu-a001', 'None assigned', '(null)', '', ' vm ', 'UNKNOWN'),
  user: fc.constantFrom('alice', 'alice', 'bob', ' alice '),
};
const STEPS = ['.batch', '.extern', '.0', '.', ''];

/** Mostly `usual`, now and then one of `rare`: most outputs healthy, every fault still drawn. */
const often = <T>(usual: T, ...rare: T[]) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 8 }, { arbitrary: fc.constantFrom(...rare), weight: 1 });

/** A job line, then its steps; sometimes again (a requeued run); sometimes a broken row. */
const sacctGroup = fc
  .record({
    id: fc.oneof(
      { arbitrary: id, weight: 6 },
      fc.constantFrom('200_[3-5]', '200_[1,3%2]', '200_[3-5]', '200_[9-3]', 'x;y', ' 100'),
    ),
    raw: fc.constantFrom('', 'same', '2000001', '2000001.batch'),
    runs: fc.array(
      fc.record({
        name: cell.name,
        state: cell.state,
        exit: cell.exit,
        reason: cell.reason,
        submit: stamp,
        start: stamp,
        end: stamp,
        elapsed: cell.elapsed,
        nodes: cell.nodes,
        steps: fc.array(fc.tuple(fc.constantFrom(...STEPS), cell.state), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    skipJobLine: often(false, true),
    width: often(11, 10, 12),
  })
  .map((g) =>
    g.runs.flatMap((r, n) => {
      const row = (jobId: string, state: string) => {
        const cells = [jobId, g.raw === 'same' ? jobId : g.raw, r.name, state, r.exit, r.reason];
        cells.push(r.submit, r.start, r.end, r.elapsed, r.nodes);
        return cells
          .slice(0, g.width)
          .concat(g.width > 11 ? ['extra'] : [])
          .join(US);
      };
      const job = g.skipJobLine && n === 0 ? [] : [row(g.id, r.state)];
      return [...job, ...r.steps.map(([step, state]) => row(`${g.id}${step}`, state))];
    }),
  );
const sacctRows = fc
  .array(fc.oneof({ arbitrary: sacctGroup, weight: 8 }, fc.constantFrom([''], ['  '], ['garbage'])), {
    maxLength: 10,
  })
  .chain((groups) => fc.shuffledSubarray(groups, { minLength: groups.length }))
  .map((groups) => groups.flat());

const squeueRow = fc
  .record({
    id: fc.oneof({ arbitrary: id, weight: 6 }, fc.constantFrom('200_[3-5]', 'x', ' 101 ')),
    raw: fc.constantFrom('', 'same', '2000001'),
    state: fc.constantFrom(
      'PENDING',
      'RUNNING',
      'COMPLETING',
      'COMPLETED',
      'FAILED',
      'CANCELLED',
      'PD',
      'R',
      '',
    ),
    reason: cell.reason,
    submit: stamp,
    start: stamp,
    end: stamp,
    used: fc.constantFrom('0:00', '1:23', '00:09:46', '1-00:00:00', 'INVALID'),
    nodes: cell.nodes,
    user: cell.user,
    name: cell.name,
    width: often(11, 10),
  })
  .map((r) => {
    const raw = r.raw === 'same' ? r.id : r.raw;
    const cells: string[] = [
      r.id,
      raw,
      r.state,
      r.reason,
      r.submit,
      r.start,
      r.end,
      r.used,
      r.nodes,
      r.user,
      r.name,
    ];
    return cells.slice(0, r.width).join(US);
  });

const section = (rows: fc.Arbitrary<string[]>) =>
  fc.record({
    rows,
    rc: often<number | null>(0, 1, null),
    stderr: fc.constantFrom(
      '',
      'squeue: error: Invalid job id specified',
      'sacct: error: Problem talking to the database',
      'warning',
    ),
    repeat: often(false, true),
  });

const scontrolLine = fc
  .tuple(id, cell.state, cell.exit)
  .map(
    ([job, state, exit]) =>
      `JobId=${job} JobName=sw UserId=alice(1001) JobState=${state.trim() || 'X'} Reason=None ExitCode=${exit || '0:0'} Restarts=1 RunTime=00:00:05 SubmitTime=2026-11-26T04:54:27 StartTime=2026-11-26T04:54:28 EndTime=2026-11-26T04:55:00 StdOut=/o/${job}.out StdErr=/o/${job}.err`,
  );

const observeCase = fc.record({
  requested: fc.uniqueArray(
    fc.oneof({ arbitrary: id, weight: 6 }, fc.constantFrom('200', '2000001', 'x;y', '999')),
    {
      maxLength: 12,
    },
  ),
  chunkBytes: fc.constantFrom(8, 20, 1000),
  chunks: fc.array(
    fc.record({ squeue: section(fc.array(squeueRow, { maxLength: 8 })), sacct: section(sacctRows) }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  scontrol: fc.array(fc.tuple(id, fc.array(scontrolLine, { maxLength: 1 }), fc.constantFrom(0, 1)), {
    maxLength: 2,
  }),
  user: fc.constantFrom('alice', 'alice', ''),
  stray: fc.array(fc.constantFrom('sh: oops', '', 'stray'), { maxLength: 1 }),
  done: often(true, false),
  truncated: often(false, true),
});

type Case = typeof observeCase extends fc.Arbitrary<infer T> ? T : never;

/** The observe script's output for a case, framed as observe-script.ts frames it. */
function render(c: Case): { stdout: string; stderr: string } {
  const out = [
    ...c.stray,
    ...(c.user ? [`${M}meta:user:${c.user}`] : []),
    `${M}meta:now:2026-11-26T05:00:00`,
  ];
  const err: string[] = [];
  c.chunks.forEach((chunk, i) => {
    for (const [source, s] of [
      ['squeue', chunk.squeue],
      ['sacct', chunk.sacct],
    ] as const) {
      for (let k = 0; k < (s.repeat ? 2 : 1); k++) {
        out.push(`${M}begin:${source}:${i}`, ...s.rows);
        if (s.rc !== null) out.push(`${M}end:${source}:${i}:${s.rc}`);
        err.push(`${M}begin:${source}:${i}`, ...(s.stderr ? [s.stderr] : []));
      }
    }
  });
  for (const [job, lines, rc] of c.scontrol)
    out.push(`${M}begin:scontrol:${job}`, ...lines, `${M}end:scontrol:${job}:${rc}`);
  if (c.done) out.push(`${M}done`);
  return { stdout: `${out.join('\n')}\n`, stderr: `${err.join('\n')}\n` };
}

/**
 * The answer as a streaming transport gives it: through the SSH transport's CappedOutput, which
 * hands stdout over line by line (ExecOptions.onStdoutLine), in pieces cut at every 7th byte.
 */
function streamed(stdout: string, stderr: string, truncated: boolean) {
  return createFakeTransport((_argv, options) => {
    const out = new CappedOutput(Number.MAX_SAFE_INTEGER, options.onStdoutLine);
    const bytes = Buffer.from(stdout, 'utf8');
    for (let at = 0; at < bytes.length; at += 7) out.push(bytes.subarray(at, at + 7));
    return { stdout: out.text(), stderr, stdoutTruncated: truncated };
  });
}

async function observeLine(c: Case, stream: boolean): Promise<string> {
  const { stdout, stderr } = render(c);
  const transport = stream
    ? streamed(stdout, stderr, c.truncated)
    : createFakeTransport(() => ({ stdout, stderr, stdoutTruncated: c.truncated }));
  const options = {
    nonce: NONCE,
    chunkBytes: c.chunkBytes,
    fallbackCap: 5,
    timeoutMs: 1000,
    maxStdoutBytes: 1 << 20,
  };
  const result = await observeJobs(transport, c.requested, options);
  const input = createHash('sha256')
    .update(JSON.stringify([c.requested, c.chunkBytes, c.truncated, stdout, stderr]))
    .digest('hex');
  const line = JSON.stringify([input.slice(0, 12), { ...result, observations: [...result.observations] }]);
  // The separator as one visible character rather than JSON's six: the file stays readable and small.
  return line.replaceAll('\\u001f', '␟');
}

describe('observeJobs answers as the implementation it replaced', () => {
  it.each([
    ['given whole', false],
    ['streamed line by line as it arrives', true],
  ])('on 200 random observe outputs, %s, recorded from e44e492', async (_, stream) => {
    const cases = fc.sample(observeCase, { seed: 20261126, numRuns: 200 });
    const lines: string[] = [];
    for (const c of cases) lines.push(await observeLine(c, stream));
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('../fixtures/slurm/observe-differential.jsonl');
  });
});
