import { describe, expect, it } from 'vitest';
import {
  COMMAND_VERBS,
  type Command,
  type CommandErrorCode,
  closest,
  commandHelp,
  MAX_COMMENT_SCAN,
  parseCommand,
} from '../../src/core/commands.js';
import { explainRootCause, ROOT_CAUSE_DOCS } from '../../src/core/root-cause-docs.js';
import { ROOT_CAUSES } from '../../src/core/types.js';

function command(body: string): Command | undefined {
  const parsed = parseCommand(body);
  return parsed?.ok === true ? parsed.command : undefined;
}

describe('parseCommand: every verb', () => {
  it.each<[string, Command]>([
    ['/sweepwatch status', { verb: 'status' }],
    ['/sweepwatch relaunch', { verb: 'relaunch', filter: { kind: 'all' }, dryRun: false, force: false }],
    ['/sweepwatch relaunch all', { verb: 'relaunch', filter: { kind: 'all' }, dryRun: false, force: false }],
    [
      '/sweepwatch relaunch gpu_oom',
      { verb: 'relaunch', filter: { kind: 'root_cause', rootCause: 'gpu_oom' }, dryRun: false, force: false },
    ],
    [
      '/sweepwatch relaunch model=vit,fold=3',
      {
        verb: 'relaunch',
        filter: { kind: 'conditions', match: { model: 'vit', fold: '3' } },
        dryRun: false,
        force: false,
      },
    ],
    [
      '/sweepwatch relaunch --dry-run',
      { verb: 'relaunch', filter: { kind: 'all' }, dryRun: true, force: false },
    ],
    [
      '/sweepwatch relaunch --force timeout --dry-run',
      { verb: 'relaunch', filter: { kind: 'root_cause', rootCause: 'timeout' }, dryRun: true, force: true },
    ],
    ['/sweepwatch cancel all', { verb: 'cancel', filter: { kind: 'all' } }],
    ['/sweepwatch cancel lr=0.1', { verb: 'cancel', filter: { kind: 'conditions', match: { lr: '0.1' } } }],
    [
      '/sweepwatch cancel preempted',
      { verb: 'cancel', filter: { kind: 'root_cause', rootCause: 'preempted' } },
    ],
    ['/sweepwatch pause', { verb: 'pause' }],
    ['/sweepwatch resume', { verb: 'resume' }],
    ['/sweepwatch explain host_oom', { verb: 'explain', rootCause: 'host_oom' }],
    ['/sweepwatch help', { verb: 'help' }],
    ['/sweepwatch help cancel', { verb: 'help', topic: 'cancel' }],
    ['/sweepwatch', { verb: 'help' }],
  ])('%s', (body, expected) => {
    expect(parseCommand(body)).toEqual({ ok: true, command: expected, line: body });
  });
});

describe('parseCommand: forgiving where it is unambiguous', () => {
  it.each<[string, Command]>([
    ['/SweepWatch STATUS', { verb: 'status' }],
    ['   /sweepwatch   pause   ', { verb: 'pause' }],
    ['/sweepwatch\tresume', { verb: 'resume' }],
    ['/sweepwatch explain GPU_OOM', { verb: 'explain', rootCause: 'gpu_oom' }],
    ['/sweepwatch cancel ALL', { verb: 'cancel', filter: { kind: 'all' } }],
    // Factor levels are the user's own: their case is kept.
    [
      '/sweepwatch cancel Model=ViT',
      { verb: 'cancel', filter: { kind: 'conditions', match: { Model: 'ViT' } } },
    ],
    [
      '/sweepwatch relaunch model=vit, fold=3 --DRY-RUN',
      {
        verb: 'relaunch',
        filter: { kind: 'conditions', match: { model: 'vit', fold: '3' } },
        dryRun: true,
        force: false,
      },
    ],
    [
      '/sweepwatch relaunch —dry-run –force',
      { verb: 'relaunch', filter: { kind: 'all' }, dryRun: true, force: true },
    ],
    [
      '/sweepwatch relaunch --dry-run --dry-run',
      { verb: 'relaunch', filter: { kind: 'all' }, dryRun: true, force: false },
    ],
    ['/sweepwatch status\r\nthanks!', { verb: 'status' }],
    ['Morning all.\n\n/sweepwatch status\n/sweepwatch cancel all', { verb: 'status' }],
  ])('%j', (body, expected) => {
    expect(command(body)).toEqual(expected);
  });
});

describe('parseCommand: not a command', () => {
  it.each([
    '',
    'LGTM',
    'run /sweepwatch status please',
    '/sweepwatchstatus',
    '/sweep status',
    '`/sweepwatch relaunch`',
    '    /sweepwatch cancel all',
    '> /sweepwatch cancel all',
    '>/sweepwatch cancel all',
    '> quoted\n/sweepwatch cancel all',
    '```\n/sweepwatch cancel all\n```',
    '~~~~\n/sweepwatch cancel all\n```\n~~~~',
    '```\nnever closed\n/sweepwatch cancel all',
    '<!-- template\n/sweepwatch cancel all\n-->',
    '<!--\n/sweepwatch cancel all',
  ])('%j', (body) => {
    expect(parseCommand(body)).toBeNull();
  });

  it.each([
    ['> /sweepwatch cancel all\n\n/sweepwatch status', 'status'],
    ['> /sweepwatch cancel all\n> more\n\nok:\n/sweepwatch status', 'status'],
    ['```\n/sweepwatch cancel all\n```\n/sweepwatch pause', 'pause'],
    ['````\n```\n/sweepwatch cancel all\n````\n/sweepwatch resume', 'resume'],
    ['<!-- /sweepwatch cancel all --> /sweepwatch status', 'status'],
  ])('skips the quoted or fenced command in %j', (body, verb) => {
    expect(command(body)?.verb).toBe(verb);
  });
});

describe('parseCommand: errors, word for word', () => {
  it.each<[string, CommandErrorCode, string]>([
    ['/sweepwatch relanch', 'unknown_verb', 'unknown command "relanch"; did you mean "relaunch"?'],
    ['/sweepwatch cancle all', 'unknown_verb', 'unknown command "cancle"; did you mean "cancel"?'],
    ['/sweepwatch deploy', 'unknown_verb', 'unknown command "deploy"'],
    ['/sweepwatch help relanch', 'unknown_verb', 'unknown command "relanch"; did you mean "relaunch"?'],
    [
      '/sweepwatch relaunch --dryrun',
      'unknown_flag',
      'unknown flag "--dryrun" for relaunch; did you mean "--dry-run"?',
    ],
    ['/sweepwatch relaunch --yes', 'unknown_flag', 'unknown flag "--yes" for relaunch'],
    ['/sweepwatch status --force', 'unknown_flag', 'unknown flag "--force": status takes no flags'],
    ['/sweepwatch cancel all --dry-run', 'unknown_flag', 'unknown flag "--dry-run": cancel takes no flags'],
    [
      '/sweepwatch cancel',
      'missing_argument',
      'cancel needs a filter: all, a root-cause id or a filter like model=vit,fold=3',
    ],
    ['/sweepwatch explain', 'missing_argument', 'explain needs a root-cause id'],
    ['/sweepwatch status now', 'too_many_arguments', 'status takes no arguments, got 1: "now"'],
    ['/sweepwatch pause a b', 'too_many_arguments', 'pause takes no arguments, got 2: "a" "b"'],
    [
      '/sweepwatch explain gpu_oom timeout',
      'too_many_arguments',
      'explain takes one argument, got 2: "gpu_oom" "timeout"',
    ],
    [
      '/sweepwatch relaunch model=vit fold=3',
      'too_many_arguments',
      'relaunch takes one argument, got 2: "model=vit" "fold=3"; join filter terms with commas',
    ],
    [
      '/sweepwatch explain gpu-oom',
      'unknown_root_cause',
      'unknown root cause "gpu-oom"; did you mean "gpu_oom"?',
    ],
    [
      '/sweepwatch explain nan',
      'unknown_root_cause',
      'unknown root cause "nan"; did you mean "nan_divergence"?',
    ],
    ['/sweepwatch explain oom', 'unknown_root_cause', 'unknown root cause "oom"'],
    [
      '/sweepwatch relaunch timeuot',
      'unknown_root_cause',
      'unknown root cause "timeuot"; did you mean "timeout"?',
    ],
    [
      '/sweepwatch cancel everything',
      'unknown_root_cause',
      'unknown root cause "everything" (expected all, a root-cause id or a filter like model=vit,fold=3)',
    ],
    [
      '/sweepwatch relaunch model=',
      'malformed_filter',
      'malformed filter "model=": bad filter term: model= (expected factor=level)',
    ],
    [
      '/sweepwatch cancel model=vit,,fold=3',
      'malformed_filter',
      'malformed filter "model=vit,,fold=3": bad filter term:  (expected factor=level)',
    ],
    [
      '/sweepwatch relaunch a=b=c',
      'malformed_filter',
      'malformed filter "a=b=c": bad filter term: a=b=c (expected factor=level)',
    ],
  ])('%s → %s', (body, code, message) => {
    const parsed = parseCommand(body);
    expect(parsed).toMatchObject({ ok: false, error: { code, message }, line: body });
  });

  it('checks factor names when it knows them', () => {
    expect(parseCommand('/sweepwatch relaunch modle=vit', { factorNames: ['model', 'fold'] })).toMatchObject({
      ok: false,
      error: { code: 'malformed_filter', message: 'malformed filter "modle=vit": unknown factor: modle' },
    });
    expect(command('/sweepwatch relaunch modle=vit')).toBeDefined();
  });

  it('answers an unknown verb with every verb, and a bad argument with the verb’s usage', () => {
    const unknown = parseCommand('/sweepwatch deploy');
    expect(unknown?.ok === false && unknown.error.help).toBe(commandHelp());
    for (const verb of COMMAND_VERBS) expect(commandHelp()).toContain(`/sweepwatch ${verb}`);
    const flag = parseCommand('/sweepwatch relaunch --yes');
    expect(flag?.ok === false && flag.error.help).toBe(commandHelp('relaunch'));
    expect(commandHelp('relaunch')).toContain('--dry-run');
    const cause = parseCommand('/sweepwatch explain oom');
    expect(cause?.ok === false && cause.error.help).toContain('`host_oom`');
  });

  it('clips what it echoes of a long token', () => {
    const parsed = parseCommand(`/sweepwatch ${'x'.repeat(500)}`);
    expect(parsed?.ok === false && parsed.error.message).toBe(`unknown command "${'x'.repeat(39)}…"`);
  });
});

describe('parseCommand: cost is capped', () => {
  it('parses a command followed by a megabyte of text', () => {
    const body = `/sweepwatch status\n${'lorem ipsum '.repeat(90_000)}`;
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(command(body)).toEqual({ verb: 'status' });
  });

  it('ignores a command that starts past the cap', () => {
    expect(parseCommand(`${'a\n'.repeat(MAX_COMMENT_SCAN)}/sweepwatch cancel all`)).toBeNull();
  });

  it('refuses a command line the cap cuts, rather than guess its end', () => {
    const body = `/sweepwatch relaunch model=${'v'.repeat(1_000_000)}`;
    const started = performance.now();
    expect(parseCommand(body)).toMatchObject({
      ok: false,
      error: { code: 'too_long', message: 'command too long: only the first 4096 characters are read' },
    });
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('stays fast on a megabyte of quotes, fences and comment markers', () => {
    const body = '> q\n```\n<!--\n'.repeat(80_000);
    const started = performance.now();
    expect(parseCommand(body)).toBeNull();
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('closest', () => {
  it.each([
    ['stats', ['status', 'pause'], 'status'],
    ['explian', ['explain'], 'explain'],
    ['rel', ['relaunch', 'resume'], 'relaunch'],
    ['re', ['relaunch', 'resume'], undefined],
    ['zzz', ['status'], undefined],
  ] as const)('%s → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});

describe('explainRootCause', () => {
  it.each(ROOT_CAUSES)('%s has what happened, the evidence and the usual action', (cause) => {
    const text = explainRootCause(cause);
    expect(text).toContain(`\`${cause}\``);
    expect(text).toContain(ROOT_CAUSE_DOCS[cause].happened);
    expect(text).toMatch(/Typical evidence: .+\nUsual action: .+\.$/);
  });
});
