/**
 * What Slurm prints is the outside: job names, reasons and paths are other people's text, and a
 * flaky login node cuts output anywhere. Each parser of src/adapters/slurm/ returns observations
 * and diagnostics for any input, never throws, never hangs, keeps every state in JobState, and
 * produces no more observations than its input can justify (an array row expands to at most
 * MAX_ARRAY_EXPANSION tasks: the one bounded amplification).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ARRAY_EXPANSION } from '../../src/adapters/slurm/job-ids.js';
import { FIELD_SEPARATOR, parseSacct, sacctObservation } from '../../src/adapters/slurm/sacct-parse.js';
import { parseScontrol } from '../../src/adapters/slurm/scontrol-parse.js';
import { parseFramed } from '../../src/adapters/slurm/sections.js';
import { parseSqueueJson } from '../../src/adapters/slurm/squeue-json.js';
import { parseSqueue } from '../../src/adapters/slurm/squeue-parse.js';
import { JOB_STATES, type JobObservation } from '../../src/core/types.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileJson, hostileText, mutatedLines, mutatedText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';

const rec = recorder(import.meta.url);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/slurm/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => fixture(name).split('\n');
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 1000 });
const spec = (klass: string, parser: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass,
  against: `${parser}, fast-check`,
  expected: 'observations + diagnostics for any input; unreadable rows skipped and reported',
});
const STATES = new Set<string>(JOB_STATES);

/** Rows of unit-separated fields: the shape the parsers expect, with hostile cells. */
const rowsArb = (fields: number) =>
  fc.array(
    fc
      .array(
        fc.oneof(
          hostileText(40),
          fc.constantFrom(
            '65',
            '65.batch',
            '72_[1-3]',
            '72_[0-999]',
            'FAILED',
            '0:0',
            'None',
            '2026-11-26T05:06:29',
          ),
        ),
        {
          minLength: fields - 1,
          maxLength: fields + 1,
        },
      )
      .map((cells) => cells.join(FIELD_SEPARATOR)),
    { maxLength: 30 },
  );

/** Observations are well-typed and no more numerous than the rows can account for. */
function sane(observations: readonly JobObservation[], rows: number): string[] {
  const crash: string[] = [];
  for (const o of observations) {
    if (!STATES.has(o.state)) crash.push(`state ${String(o.state)} is not a JobState`);
    if (typeof o.jobId !== 'string' || !/^\d+([_+]\d+)?$/.test(o.jobId))
      crash.push(`job id ${String(o.jobId)}`);
  }
  if (observations.length > Math.max(1, rows) * MAX_ARRAY_EXPANSION)
    crash.push(`${observations.length} observations from ${rows} rows`);
  return crash;
}

const sacctCheck = (input: string[]): Partial<Problems> => {
  const parsed = parseSacct(input);
  return { crash: sane([...parsed.jobs.values()].map(sacctObservation), input.length) };
};
const squeueCheck = (input: string[]): Partial<Problems> => {
  const parsed = parseSqueue(input, { user: 'alice', remoteNow: '2026-11-26T05:10:00' });
  return { crash: sane(parsed.observations, input.length) };
};

describe('the Slurm parsers, fuzzed', () => {
  it(
    'sacct: real rows mutated, and rows of hostile cells',
    async () => {
      const sacct = lines('sacct.txt').slice(1);
      const r = await fuzz(
        rec,
        spec('sacct rows', 'parseSacct'),
        fc.oneof(mutatedLines(sacct), rowsArb(11)),
        sacctCheck,
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'squeue: real rows mutated, and rows of hostile cells',
    async () => {
      const r = await fuzz(
        rec,
        spec('squeue rows', 'parseSqueue'),
        fc.oneof(mutatedLines(lines('squeue-all.txt')), rowsArb(11)),
        squeueCheck,
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'scontrol show job: real records mutated, and hostile text',
    async () => {
      const samples = [
        'scontrol-show-job-failed.txt',
        'scontrol-show-job-oneliner.txt',
        'scontrol-show-job-requeue.txt',
      ].map(fixture);
      const arb = fc.oneof(mutatedText(samples), hostileText(2000)).map((t) => t.split('\n'));
      const r = await fuzz(
        rec,
        spec('scontrol records', 'parseScontrol'),
        arb,
        (input) => ({
          crash: sane(parseScontrol(input, { user: 'alice' }).observations, input.length),
        }),
        options(300),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'squeue --json: real output mutated, and arbitrary JSON',
    async () => {
      const arb = fc.oneof(
        mutatedText([fixture('squeue-midrun.json')], 4),
        hostileJson().map((v) => JSON.stringify({ jobs: [v] })),
      );
      const r = await fuzz(
        rec,
        spec('squeue --json', 'parseSqueueJson'),
        arb,
        (input) => ({
          crash: sane(parseSqueueJson(input, { user: 'alice' }).observations, input.split('\n').length),
        }),
        options(300),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it('an array row expands to at most MAX_ARRAY_EXPANSION tasks; a bigger range is refused', async () => {
    const row = (id: string) =>
      [id, id, 'name', 'PENDING', '0:0', 'None', 'Unknown', 'Unknown', 'Unknown', '00:00:00', ''].join(
        FIELD_SEPARATOR,
      );
    const huge = [
      `9_[0-${MAX_ARRAY_EXPANSION - 1}]`,
      `9_[0-${MAX_ARRAY_EXPANSION}]`,
      '9_[0-4294967295]',
      '9_[0-9:0]',
    ];
    const r = await fuzz(
      rec,
      spec('sacct array ranges', 'parseSacct'),
      fc.constantFrom(...huge).map((id) => [row(id)]),
      (input) => {
        const parsed = parseSacct(input);
        const crash = sane([...parsed.jobs.values()].map(sacctObservation), 1);
        if (parsed.jobs.size === 0 && parsed.diagnostics.length === 0)
          crash.push('a refused range without a diagnostic');
        return { crash };
      },
      { runs: huge.length * 2, caseBudgetMs: 3000 },
    );
    expect(r.failure).toBeNull();
  });

  it(
    'the framing of remote scripts: forged markers and cut streams',
    async () => {
      const nonce = 'n0nce';
      const marker = fc.constantFrom(
        `@@SW:${nonce}:begin:sacct:0`,
        `@@SW:${nonce}:end:sacct:0:0`,
        `@@SW:${nonce}:done`,
        `@@SW:${nonce}:meta:user:x`,
        '@@SW:forged:done',
        `@@SW:${nonce}:end:x:y:z`,
      );
      const stream = fc.array(fc.oneof(marker, hostileText(80)), { maxLength: 40 }).map((l) => l.join('\n'));
      const r = await fuzz(
        rec,
        spec('framed script output', 'parseFramed'),
        fc.tuple(stream, stream),
        ([out, err]) => {
          const f = parseFramed(out, err, nonce);
          const crash: string[] = [];
          if (f.sections.some((s) => s.rc !== null && !Number.isInteger(s.rc)))
            crash.push('a non-integer exit status');
          if (f.done && !out.includes(`@@SW:${nonce}:done`)) crash.push('done without its own marker');
          return { crash };
        },
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );
});
