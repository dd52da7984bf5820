import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, type RuleScans } from '../../src/core/root-cause.js';
import { ALL_RULES, RULES } from '../../src/core/rules/index.js';
import { type Hit, RuleSet } from '../../src/core/rules/scan.js';
import { loadCorpus } from '../helpers/log-corpus.js';
import { ReferenceRuleSet } from '../helpers/reference-rule-set.js';

/**
 * The rule engine skips most of a log (issue #10): it reads only lines holding a needle that
 * could still change the verdict, found with a skip loop. Its verdicts must be exactly those of
 * the engine that read every character (test/helpers/reference-rule-set.ts), on real log lines
 * mixed with noise built to sit near the needles.
 */

const REFERENCE: RuleScans = {
  all: new ReferenceRuleSet(RULES),
  healthy: new ReferenceRuleSet(RULES.filter((rule) => rule.evenWhenHealthy === true)),
};

/** The library's rules with the skip search on every log, short ones included (see scanLines). */
const SKIPPING = new RuleSet(RULES, { shortRegion: 0 });
const SKIPPING_SCANS: RuleScans = {
  all: SKIPPING,
  healthy: new RuleSet(
    RULES.filter((rule) => rule.evenWhenHealthy === true),
    { shortRegion: 0 },
  ),
};

const corpus = loadCorpus();
const corpusLines = [...new Set(corpus.flatMap((entry) => entry.log.split('\n')))];
const needles = [...new Set(RULES.flatMap((rule) => rule.needles))];

const TRAINING =
  '[2026-11-26 08:0:1][train][INFO] - epoch 0 step 25/10000 loss=0.8993 lr=3.0e-04 throughput=812.4 samples/s';

/** A needle cut, padded or glued to another: text that makes the prefilters work. */
const nearNeedle = fc
  .tuple(
    fc.constantFrom(...needles),
    fc.constantFrom(...needles),
    fc.nat(40),
    fc.nat(40),
    fc.string({ maxLength: 12 }),
  )
  .map(
    ([a, b, cut, keep, pad]) => `${pad}${a.slice(cut % a.length)}${b.slice(0, keep % (b.length + 1))}${pad}`,
  );

const line = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...corpusLines) },
  { weight: 3, arbitrary: nearNeedle },
  { weight: 2, arbitrary: fc.constant(TRAINING) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('', '\r', ' NCCL INFO NCCL error', 'nan', 'Xid', 'nccl') },
);

const log = fc
  .tuple(fc.array(line, { maxLength: 40 }), fc.boolean())
  .map(([lines, newline]) => lines.join('\n') + (newline ? '\n' : ''));

/** A long log: filler around a few claimed lines, so hits fall before, on and after block edges. */
const longLog = fc
  .tuple(
    fc.integer({ min: 0, max: 600 }),
    fc.array(fc.tuple(fc.nat(600), fc.oneof(fc.constantFrom(...corpusLines), nearNeedle)), { maxLength: 4 }),
  )
  .map(([count, inserts]) => {
    const lines = Array.from({ length: count }, () => TRAINING);
    for (const [at, text] of inserts) lines.splice(at % (lines.length + 1), 0, text);
    return lines.join('\n');
  });

const state = fc.constantFrom(
  null,
  'FAILED',
  'COMPLETED',
  'RUNNING',
  'OUT_OF_MEMORY',
  'TIMEOUT',
  'CANCELLED by 1000',
  'FAILED_SETUP',
  'NODE_FAIL',
);
const exit = fc.constantFrom<string | number | null>(null, '1:0', '0:0', '0:9', '0:11', 137, 1, 0);

const same = (hit: Hit | null) =>
  hit === null ? null : { rule: hit.rule.id, line: hit.line, at: hit.matchIndex, end: hit.lineEnd };

describe('the skipping rule engine gives the verdicts of the one that read every character', () => {
  it('on every log of the corpus', () => {
    for (const entry of corpus) {
      const input = { log: entry.log, schedulerState: entry.schedulerState, exitCode: entry.exitCode };
      expect(classify(input), entry.name).toEqual(classify(input, REFERENCE));
      expect(classify(input, SKIPPING_SCANS), entry.name).toEqual(classify(input, REFERENCE));
    }
  });

  it('on random mixes of corpus lines, near-needles, training output and noise', () => {
    fc.assert(
      fc.property(fc.oneof(log, longLog), state, exit, (text, schedulerState, exitCode) => {
        const input = { log: text, schedulerState, exitCode };
        expect(classify(input)).toEqual(classify(input, REFERENCE));
        expect(classify(input, SKIPPING_SCANS)).toEqual(classify(input, REFERENCE));
      }),
      { numRuns: 600 },
    );
  });

  it('with the claimed line at the top of the region a line limit allows', () => {
    fc.assert(
      fc.property(log, fc.integer({ min: -1, max: 1 }), (text, off) => {
        const newlines = text.split('\n').length - 1;
        const limits = { maxLines: Math.max(0, newlines + off), maxChars: 1 << 20 };
        expect(same(ALL_RULES.scan(text, limits))).toEqual(same(REFERENCE.all.scan(text, limits)));
        expect(same(SKIPPING.scan(text, limits))).toEqual(same(REFERENCE.all.scan(text, limits)));
      }),
      { numRuns: 600 },
    );
  });

  // The search runs in blocks of 1, 4 and 16 KiB from the bottom up: a needle on, just before or
  // just after an edge, short (indexOf) or long (skip loop), at the very top of the log or not
  // (the last three claims start with their needle).
  it('wherever a claimed line falls against the edges of the blocks searched', () => {
    const claims = [
      'ValueError: bad value',
      'Exception: bad value',
      'CUDA out of memory. Tried to allocate 2.00 GiB',
      'nan loss detected, stopping training',
    ];
    const filler = (n: number) => 'step 25 of 10000 ok\n'.repeat(Math.ceil(n / 20) + 1).slice(0, n);
    for (const edge of [1024, 1024 + 4096, 1024 + 4096 + 16_384]) {
      for (let distance = edge - 8; distance <= edge + 8; distance++) {
        for (const claim of claims) {
          // The claim starts `distance` characters from the end.
          const tail = `${claim}\n${filler(distance)}`.slice(0, distance);
          for (const text of [tail, `${filler(300)}\n${tail}`]) {
            const input = { log: text, schedulerState: 'FAILED', exitCode: '1:0' };
            const where = `${claim} at ${distance} from the end of ${text.length}`;
            expect(classify(input), where).toEqual(classify(input, REFERENCE));
            expect(same(ALL_RULES.scan(text)), where).toEqual(same(REFERENCE.all.scan(text)));
            expect(same(SKIPPING.scan(text)), where).toEqual(same(REFERENCE.all.scan(text)));
          }
        }
      }
    }
  });

  it('under any line and character limit', () => {
    fc.assert(
      fc.property(
        fc.oneof(log, longLog),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 70_000 }),
        (text, maxLines, maxChars) => {
          const limits = { maxLines, maxChars };
          expect(same(ALL_RULES.scan(text, limits))).toEqual(same(REFERENCE.all.scan(text, limits)));
          expect(same(SKIPPING.scan(text, limits))).toEqual(same(REFERENCE.all.scan(text, limits)));
          expect(same(SKIPPING.scan(text, limits))).toEqual(same(REFERENCE.all.scan(text, limits)));
        },
      ),
      { numRuns: 600 },
    );
  });
});
