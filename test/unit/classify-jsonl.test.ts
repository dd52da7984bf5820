import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyJsonLine } from '../../src/core/classify-jsonl.js';

function run(line: string): Record<string, unknown> {
  return JSON.parse(classifyJsonLine(line)) as Record<string, unknown>;
}

describe('classify JSON Lines contract', () => {
  it('answers a valid line with exactly the contract fields, in order', () => {
    const line = JSON.stringify({
      log: 'slurmstepd: error: Detected 1 oom-kill event(s) in StepId=41.batch.',
      scheduler_state: 'OUT_OF_MEMORY',
      exit_code: '0:125',
    });
    const output = classifyJsonLine(line);
    expect(output).not.toContain('\n');
    const parsed = JSON.parse(output) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['root_cause', 'confidence', 'signature', 'evidence', 'rule']);
    expect(parsed).toMatchObject({ root_cause: 'host_oom', rule: 'slurm.oom_kill' });
    expect(parsed.signature).toMatch(/^[0-9a-f]{16}$/);
    expect(parsed.evidence).toEqual(['slurmstepd: error: Detected 1 oom-kill event(s) in StepId=41.batch.']);
  });

  it.each([
    ['Slurm code:signal', '137:0'],
    ['a bare number', 137],
    ['a numeric string', '137'],
  ])('accepts exit_code as %s', (_form, exitCode) => {
    expect(
      run(JSON.stringify({ log: 'Killed', scheduler_state: 'FAILED', exit_code: exitCode })),
    ).toMatchObject({
      root_cause: 'host_oom',
    });
  });

  it('accepts a null exit_code and a null scheduler_state', () => {
    expect(run('{"log": "", "scheduler_state": null, "exit_code": null}')).toMatchObject({
      root_cause: 'unknown',
    });
  });

  it('ignores pass-through fields, whatever they contain', () => {
    const base = { log: 'ValueError: x', scheduler_state: 'FAILED', exit_code: 1 };
    const plain = classifyJsonLine(JSON.stringify(base));
    const extra = classifyJsonLine(
      JSON.stringify({ ...base, job_id: 'j17', log_path: 42, nested: { a: [1] } }),
    );
    expect(extra).toBe(plain);
  });

  it('treats a missing log as empty and missing state/exit as null', () => {
    expect(run('{}')).toMatchObject({ root_cause: 'unknown', rule: 'unknown.no_evidence' });
    expect(run('{"scheduler_state": "TIMEOUT"}')).toMatchObject({ root_cause: 'timeout' });
  });

  it('tolerates CRLF line endings', () => {
    expect(run('{"log": "Killed", "exit_code": 137}\r')).toMatchObject({ root_cause: 'host_oom' });
  });

  it.each([
    ['not JSON', '{"log": ', /^invalid JSON: /],
    ['an empty line', '   ', /^empty line/],
    ['an array', '[1, 2]', /^expected a JSON object, got array$/],
    ['a string', '"log"', /^expected a JSON object, got string$/],
    ['null', 'null', /^expected a JSON object, got null$/],
    ['a numeric log', '{"log": 5}', /^"log" must be a string, got number$/],
    [
      'a boolean state',
      '{"log": "", "scheduler_state": true}',
      /^"scheduler_state" must be a string or null, got boolean$/,
    ],
    ['an object exit code', '{"log": "", "exit_code": {"code": 1}}', /^"exit_code" must be .* got object$/],
    [
      'a malformed exit code',
      '{"log": "", "exit_code": "SIGKILL"}',
      /^"exit_code" must be .* got "SIGKILL"$/,
    ],
    ['a fractional exit code', '{"log": "", "exit_code": 1.5}', /^"exit_code" must be .* got 1\.5$/],
  ])('answers %s with an error object naming the problem', (_name, line, message) => {
    const output = run(line);
    expect(Object.keys(output)).toEqual(['error']);
    expect(output.error).toMatch(message);
  });

  it('always answers with one line of JSON holding either an error or a root cause', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc
            .record({
              log: fc.string(),
              scheduler_state: fc.option(fc.string()),
              exit_code: fc.option(fc.integer()),
            })
            .map((value) => JSON.stringify(value)),
        ),
        (line) => {
          const output = classifyJsonLine(line);
          expect(output).not.toMatch(/\n/);
          const parsed = JSON.parse(output) as Record<string, unknown>;
          expect('error' in parsed || 'root_cause' in parsed).toBe(true);
        },
      ),
    );
  });
});
