// The CLI's front door for every subcommand: --help, bad flags, a missing sweep file and a
// corrupt manifest, each with its exit code, one clear line and a hint (and, with --json, the
// error as JSON). Nothing here starts a job.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { errorJson } from '../../src/cli/json-output.js';
import { EXIT, runCli } from '../../src/cli/main.js';

let dir = '';

async function run(
  args: readonly string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const input = new PassThrough();
  input.end(stdin);
  const o: string[] = [];
  const e: string[] = [];
  out.on('data', (c: Buffer) => o.push(c.toString('utf8')));
  err.on('data', (c: Buffer) => e.push(c.toString('utf8')));
  const code = await runCli(args, out, err, input, { env: {}, cwd: dir });
  return { code, stdout: o.join(''), stderr: e.join('') };
}

const NAMES = Object.keys(COMMANDS);
/** Commands that read the sweep file, and the extra arguments each needs to get that far. */
const NEEDS_SWEEP: Record<string, readonly string[]> = {
  launch: [],
  tick: [],
  watch: [],
  status: [],
  relaunch: [],
  cancel: ['--all'],
  report: [],
  preflight: [],
  replay: ['recording.jsonl'],
};

const SWEEP = `experiment: broken
scheduler: local
factors:
  seed: [1, 2]
template:
  command: [node, -e, '0']
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweepwatch-cli-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sweepwatch --help and usage', () => {
  it('lists every command and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(EXIT.ok);
    for (const name of NAMES) expect(r.stdout).toContain(`  ${name} `);
    expect(r.stdout).toContain('exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic');
  });

  it('without a command is a usage error', async () => {
    expect((await run([])).code).toBe(EXIT.usage);
  });

  it('an unknown command is a usage error with a hint', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(
      'sweepwatch: unknown command "frobnicate"\nhint: run `sweepwatch --help` for the list\n',
    );
  });

  it.each(NAMES)('%s --help prints its usage and exit codes', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(new RegExp(`^usage: sweepwatch ${name}`));
    expect(r.stdout).toMatch(/exit (codes|status):/i);
  });
});

describe('bad flags', () => {
  it.each(NAMES)('%s --no-such-flag: exit 2, one line and a hint', async (name) => {
    const r = await run([name, '--no-such-flag']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(
      `sweepwatch ${name}: Unknown option '--no-such-flag'\nhint: run \`sweepwatch ${name} --help\`\n`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['watch', ['--speed', '0'], '--speed must be a number > 0, got "0"'],
    ['watch', ['--max-ticks', 'x'], '--max-ticks must be an integer ≥ 1, got "x"'],
    ['demo', ['--minute', '0'], '--minute must be a number > 0, got "0"'],
    ['cancel', [], 'say what to cancel: --all, or --match factor=level'],
    ['replay', [], 'name the recording to replay'],
    ['status', ['extra'], 'unexpected argument "extra"'],
  ])('%s %j: %s', async (name, args, message) => {
    const r = await run([name, ...args]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.split('\n')[0]).toBe(`sweepwatch ${name}: ${message}`);
  });
});

describe('a missing sweep file', () => {
  it.each(Object.entries(NEEDS_SWEEP))(
    '%s: exit 1, says where it looked and what to do',
    async (name, extra) => {
      const r = await run([name, ...extra]);
      expect(r.code).toBe(EXIT.error);
      const [line, hint, rest] = r.stderr.split('\n');
      expect(line).toBe(`sweepwatch ${name}: no sweep file at .github/sweepwatch.yml`);
      expect(hint).toMatch(/^hint: pass --config <path>/);
      expect(rest).toBe('');
    },
  );

  it('--json also prints the error as JSON on stdout', async () => {
    const r = await run(['status', '--json']);
    const json = errorJson.parse(JSON.parse(r.stdout));
    expect(json).toMatchObject({ command: 'status', error: { code: 'config_missing' } });
  });

  it('--debug adds the stack', async () => {
    const r = await run(['status', '--debug']);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('a corrupt manifest', () => {
  const corrupt = '{"schema_version": 2, "experiment": "broken", "conditions": [\n';
  let state = '';
  beforeAll(() => {
    mkdirSync(join(dir, 'sweep'), { recursive: true });
    writeFileSync(join(dir, 'sweep', 'sweepwatch.yml'), SWEEP);
    state = join(dir, 'sweep', '.sweepwatch', 'broken.json');
    mkdirSync(join(dir, 'sweep', '.sweepwatch'), { recursive: true });
    writeFileSync(state, corrupt);
  });

  it.each(['status', 'tick', 'watch', 'launch', 'relaunch', 'report', 'cancel'])(
    '%s refuses it with a clear message and leaves it byte for byte',
    async (name) => {
      const before = readFileSync(state);
      const r = await run([
        name,
        '--workdir',
        'sweep',
        '--config',
        'sweepwatch.yml',
        ...(name === 'cancel' ? ['--all'] : []),
      ]);
      expect(r.code).toBe(EXIT.error);
      const [line, hint] = r.stderr.split('\n');
      expect(line).toMatch(
        /broken\.json: the manifest is truncated: it ends after \d+ bytes without its closing "\}"; sweepwatch left it untouched and will not overwrite it$/,
      );
      expect(hint).toMatch(/^hint: move the file aside to start over/);
      expect(readFileSync(state).equals(before)).toBe(true);
    },
  );
});

describe('classify keeps its contract', () => {
  it('classifies JSON Lines from stdin', async () => {
    const r = await run(
      ['classify'],
      '{"log": "FloatingPointError: Loss is nan", "scheduler_state": "FAILED", "exit_code": 1}\n',
    );
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ root_cause: 'nan_divergence' });
  });
});
