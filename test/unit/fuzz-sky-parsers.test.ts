/**
 * `sky jobs queue` output, JSON (SkyPilot ≥ 0.12) or the text table (every version): a failure
 * reason or a job name is anyone's text, colours and wide characters shift columns, and a
 * controller that is down prints prose instead. Whatever the output, the parsers return jobs,
 * diagnostics and maybe a failure, never throw, never hang, never invent a job id.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQueueJson } from '../../src/adapters/skypilot/queue-json.js';
import { parseQueueTable } from '../../src/adapters/skypilot/queue-table.js';
import type { QueueParse } from '../../src/adapters/skypilot/sky-job.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileJson, hostileText, mutatedLines, mutatedText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';

const rec = recorder(import.meta.url);
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/skypilot/${name}`, import.meta.url), 'utf8');
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 1000 });
const spec = (klass: string, parser: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass,
  against: `${parser}, fast-check`,
  expected: 'jobs + diagnostics, or a failure with sky’s own words; unreadable records skipped',
});

/** Every job id is digits and came from the input; the failure text is bounded. */
function sane(parsed: QueueParse, input: string): Partial<Problems> {
  const crash: string[] = [];
  for (const job of parsed.jobs) {
    if (!/^\d+$/.test(job.jobId)) crash.push(`job id ${JSON.stringify(job.jobId)}`);
    else if (!input.includes(job.jobId)) crash.push(`job ${job.jobId} is not in the output`);
    if (!Number.isInteger(job.tasks) || job.tasks < 1) crash.push(`job ${job.jobId} has ${job.tasks} tasks`);
  }
  if ((parsed.failure?.length ?? 0) > 2000) crash.push(`a ${parsed.failure?.length}-char failure`);
  if (parsed.jobs.length > input.length) crash.push(`${parsed.jobs.length} jobs from ${input.length} chars`);
  return { crash };
}

describe('the SkyPilot queue parsers, fuzzed', () => {
  it(
    'JSON: real output mutated, arbitrary records, arbitrary text',
    async () => {
      const real = fixture('queue-v0.13-all-verbose.json');
      const records = fc
        .array(hostileJson(), { maxLength: 8 })
        .map((r) => `Fetching managed jobs...\n${JSON.stringify(r, null, 2)}`);
      const arb = fc.oneof(mutatedText([real]), records, hostileText(3000));
      const r = await fuzz(
        rec,
        spec('sky jobs queue JSON', 'parseQueueJson'),
        arb,
        (t) => sane(parseQueueJson(t), t),
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'text table: real tables (colours, pipelines) mutated, and arbitrary text',
    async () => {
      const tables = [
        'queue-v0.13-all-verbose.txt',
        'queue-v0.10-all-verbose.txt',
        'queue-v0.6-all.ansi.txt',
        'queue-newest-all-verbose.txt',
        'queue-connection-failure-v0.13.txt',
      ].map(fixture);
      const arb = fc.oneof(
        mutatedText(tables),
        fc.constantFrom(...tables).chain((t) => mutatedLines(t.split('\n')).map((l) => l.join('\n'))),
        hostileText(3000),
      );
      const r = await fuzz(
        rec,
        spec('sky jobs queue table', 'parseQueueTable'),
        arb,
        (t) => sane(parseQueueTable(t), t),
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );
});
