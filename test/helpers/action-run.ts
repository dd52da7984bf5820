import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a bundled Action entry the way the runner does, and reads back what it wrote. */
export interface ActionRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** The event that started the run: GITHUB_EVENT_NAME and the JSON at GITHUB_EVENT_PATH. */
export interface ActionEvent {
  readonly name: string;
  readonly payload: unknown;
}

export interface ActionRunOptions {
  /**
   * More of the runner's environment, e.g. GITHUB_API_URL, GITHUB_SHA, GITHUB_ACTOR,
   * GITHUB_REF_NAME; it may override GITHUB_REPOSITORY (default `octo-org/sweeps`).
   */
  readonly env?: Readonly<Record<string, string>>;
  /** The process is killed after this long (default 120 s). */
  readonly timeoutMs?: number;
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` heredoc records (and plain `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

const DEFAULT_EVENT: ActionEvent = { name: 'workflow_dispatch', payload: { inputs: {} } };

/** The runner's files and environment for one run; `read()` collects what the run wrote. */
function prepare(inputs: Record<string, string>, event: ActionEvent, options: ActionRunOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-action-'));
  const files = {
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
    event: join(dir, 'event.json'),
  };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(event.payload));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'octo-org/sweeps',
    RUNNER_TEMP: dir,
    ...options.env,
  };
  // The runner passes inputs as INPUT_<NAME> with spaces → underscores, upper-cased; dashes stay.
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const read = (status: number | null, stdout: string, stderr: string): ActionRun => {
    const run = {
      status,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
    };
    rmSync(dir, { recursive: true, force: true });
    return run;
  };
  return { env, read };
}

export function runAction(
  nodeBinary: string,
  entry: string,
  inputs: Record<string, string>,
  event: ActionEvent = DEFAULT_EVENT,
  options: ActionRunOptions = {},
): ActionRun {
  const { env, read } = prepare(inputs, event, options);
  const child = spawnSync(nodeBinary, [entry], {
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  return read(child.status, child.stdout, child.stderr);
}

/**
 * runAction without blocking this process: needed when the run talks to a server that lives in
 * the test's own event loop (the fake GitHub), which spawnSync would starve.
 */
export function runActionAsync(
  nodeBinary: string,
  entry: string,
  inputs: Record<string, string>,
  event: ActionEvent = DEFAULT_EVENT,
  options: ActionRunOptions = {},
): Promise<ActionRun> {
  const { env, read } = prepare(inputs, event, options);
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, [entry], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(read(code, stdout, stderr)));
  });
}
