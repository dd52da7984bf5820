/**
 * Anyone can comment. Whatever the comment body, parseCommand answers null (not a command), a
 * Command, or a CommandError with a known code and a one-line message that echoes at most a
 * clipped part of the comment. Only the first MAX_COMMENT_SCAN characters are read, so a
 * megabyte costs no more than a line, and a quoted or fenced command never runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_ERROR_CODES,
  COMMAND_VERBS,
  MAX_COMMENT_SCAN,
  parseCommand,
} from '../../src/core/commands.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';

const rec = recorder(import.meta.url);
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 500 });
const spec = (klass: string, expected: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass: `comment command: ${klass}`,
  against: 'parseCommand, fast-check',
  expected,
});
const FACTORS = ['model', 'loss', 'seed'];

function typed(body: string): Partial<Problems> {
  const parsed = parseCommand(body, { factorNames: FACTORS });
  const crash: string[] = [];
  if (parsed === null) return {};
  if (parsed.ok) {
    if (!(COMMAND_VERBS as readonly string[]).includes(parsed.command.verb))
      crash.push(`verb ${parsed.command.verb}`);
  } else {
    if (!(COMMAND_ERROR_CODES as readonly string[]).includes(parsed.error.code))
      crash.push(`code ${parsed.error.code}`);
    if (/[\r\n]/.test(parsed.error.message)) crash.push('a multi-line error message');
    if (parsed.error.message.length > 400) crash.push(`a ${parsed.error.message.length}-char error message`);
  }
  if (parsed.line.length > MAX_COMMENT_SCAN) crash.push(`a ${parsed.line.length}-char command line`);
  return { crash };
}

/** `/sweepwatch` followed by verbs, flags, filters and hostile tokens. */
const commandish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ...COMMAND_VERBS,
        '--dry-run',
        '--force',
        '—force',
        'all',
        'gpu_oom',
        'model=vit',
        'model=vit,',
        ',seed=1',
        'x=y=z',
        '=',
        ',',
      ),
      hostileText(40),
    ),
    { maxLength: 8 },
  )
  .map((tokens) => `/sweepwatch ${tokens.join(' ')}`);

/** A command inside a quote, a fence or an HTML comment: text about a command, not one. */
const quoted = fc
  .tuple(fc.constantFrom('> ', '    ', '```\n', '<!-- ', '~~~\n'), fc.constantFrom(...COMMAND_VERBS))
  .map(
    ([wrap, verb]) =>
      `${wrap}/sweepwatch ${verb}${wrap.startsWith('```') ? '\n```' : wrap.startsWith('~~~') ? '\n~~~' : wrap === '<!-- ' ? ' -->' : ''}`,
  );

describe('comment commands, fuzzed', () => {
  it(
    'arbitrary comment bodies',
    async () => {
      const r = await fuzz(
        rec,
        spec('arbitrary bodies', 'null, a Command, or a CommandError with a known code'),
        hostileText(6000),
        typed,
        options(500),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'command-shaped bodies with hostile arguments',
    async () => {
      const arb = fc
        .tuple(hostileText(200), commandish, hostileText(200))
        .map(([a, c, b]) => `${a}\n${c}\n${b}`);
      const r = await fuzz(
        rec,
        spec('hostile arguments', 'a Command or a one-line CommandError echoing ≤ 40 chars'),
        arb,
        typed,
        options(500),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'a megabyte of comment costs no more than its first 4 KiB',
    async () => {
      const arb = fc
        .tuple(commandish, fc.integer({ min: MAX_COMMENT_SCAN, max: 1 << 20 }))
        .map(([c, n]) => `${c}${'x'.repeat(n)}`);
      const r = await fuzz(
        rec,
        spec('giant bodies', 'too_long or a command; read in bounded time'),
        arb,
        typed,
        { runs: fuzzRuns(40), caseBudgetMs: 200 },
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'quoted, fenced or commented-out commands are never commands',
    async () => {
      const r = await fuzz(
        rec,
        spec('quoted commands', 'null: quoting an old command never runs it again'),
        quoted,
        (body) => (parseCommand(body) === null ? {} : { leak: [`ran ${JSON.stringify(body)}`] }),
        options(200),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );
});
