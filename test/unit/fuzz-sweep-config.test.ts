/**
 * The sweep file is the outside too (any writer of the repository, or a pull request that edits
 * it): whatever its text, parseSweepConfig returns a SweepConfig or throws a ConfigError that
 * lists the problems with their lines. Never another error, never a hang, never an error message
 * that grows without bound.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { parseSweepConfig, type SweepConfig } from '../../src/config/sweep-config.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileJson, hostileText, mutatedLines, mutatedText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';

const rec = recorder(import.meta.url);
const samples = ['slurm-full.yml', 'skypilot-minimal.yml', 'local-demo.yml'].map((f) =>
  readFileSync(new URL(`../fixtures/config/${f}`, import.meta.url), 'utf8'),
);
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 1500 });
const spec = (klass: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass: `sweep file: ${klass}`,
  against: 'parseSweepConfig, fast-check',
  expected: 'a SweepConfig or a ConfigError listing each problem with its line',
});

/** Typed: a config, or a ConfigError that lists at least one issue. */
function typed(text: string): Partial<Problems> {
  let config: SweepConfig;
  try {
    config = parseSweepConfig(text, 'sweepwatch.yml');
  } catch (error) {
    if (!(error instanceof ConfigError)) return { crash: [`untyped ${String(error)}`] };
    return error.issues.length === 0 ? { crash: ['a ConfigError with no issue'] } : {};
  }
  return typeof config.experiment === 'string' && config.factors.length > 0
    ? {}
    : { crash: ['a config without factors'] };
}

/**
 * The error's size. Its message goes to the job summary, the step's failure and the log, so it
 * is bounded whatever the file: 64 KiB (GitHub's summary holds 1 MiB in all).
 */
function bounded(text: string): Partial<Problems> {
  try {
    parseSweepConfig(text, 'sweepwatch.yml');
    return {};
  } catch (error) {
    if (!(error instanceof ConfigError)) return typed(text);
    const size = error.message.length;
    return size > 64 * 1024
      ? { crash: [`a ${size}-char message (${error.issues.length} issues) for ${text.length} chars`] }
      : {};
  }
}

describe('the sweep file, fuzzed', () => {
  it(
    'arbitrary text',
    async () => {
      const r = await fuzz(rec, spec('arbitrary text'), hostileText(4000), typed, options(300));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'YAML of arbitrary values',
    async () => {
      const r = await fuzz(
        rec,
        spec('YAML of arbitrary values'),
        hostileJson().map((v) => stringify(v)),
        typed,
        options(300),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'real sweep files, edited character by character',
    async () => {
      const r = await fuzz(
        rec,
        spec('real files, character edits'),
        mutatedText(samples),
        typed,
        options(300),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'real sweep files, lines dropped, repeated or replaced',
    async () => {
      const lines = samples.map((s) => s.split('\n'));
      const arb = fc.constantFrom(...lines).chain((l) => mutatedLines(l).map((m) => m.join('\n')));
      const r = await fuzz(rec, spec('real files, line edits'), arb, typed, options(300));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'error messages stay bounded, whatever the file',
    async () => {
      const nested = fc.tuple(
        fc.constantFrom('[', '{', '- ', '? '),
        fc.integer({ min: 1, max: 250 }),
        hostileText(100),
      );
      const arb = fc.oneof(
        hostileText(4000),
        nested.map(([open, n, tail]) => open.repeat(n) + tail),
      );
      const r = await fuzz(
        rec,
        { ...spec('error size'), expected: 'a ConfigError of at most 64 KiB' },
        arb,
        bounded,
        options(200),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it('YAML aliases: an undefined anchor or an alias bomb is a ConfigError', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, name] of [...'bcdefghi'].entries())
      laughs.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`);
    const inputs = [laughs.join('\n'), 'experiment: *undefined_anchor', 'factors: {a: [*x]}'];
    const r = await fuzz(rec, spec('YAML aliases'), fc.constantFrom(...inputs), typed, {
      runs: 6,
      caseBudgetMs: 1500,
    });
    expect(r.failure).toBeNull();
  });

  it('deep nesting and giant files are refused in bounded time, with a bounded message', async () => {
    const giants = [
      // Nested complex keys: 600 bytes that YAML turns into ever longer stringified keys.
      '? '.repeat(300),
      '['.repeat(1000),
      `experiment: x\nfactors:\n${Array.from({ length: 2000 }, (_, i) => `  f${i}: [${i}]`).join('\n')}`,
      `experiment: ${'x'.repeat(200_000)}`,
      `factors:\n  a: [${Array.from({ length: 20_000 }, (_, i) => i).join(',')}]`,
    ];
    const check = (text: string) => {
      const t = typed(text);
      return (t.crash?.length ?? 0) > 0 ? t : bounded(text);
    };
    const r = await fuzz(rec, spec('deep nesting and giants'), fc.constantFrom(...giants), check, {
      runs: 10,
      caseBudgetMs: 1500,
    });
    expect(r.failure).toBeNull();
  });
});
