/**
 * The wiring every subcommand shares: where the sweep and its state are, and the adapters the
 * use cases get (file manifest, scheduler, local issue folder, in-process relaunches). This is
 * the CLI's counterpart of the Action's main(): argv and the environment stop here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FileStateStore } from '../adapters/local/file-state-store.js';
import { LocalFiles } from '../adapters/local/local-files.js';
import { createScheduler } from '../adapters/schedulers.js';
import { createTransport } from '../adapters/transports.js';
import { DEFAULT_SWEEP_FILE, loadSweepConfig, type SweepConfig } from '../config/sweep-config.js';
import type { Scheduler } from '../ports/scheduler.js';
import { intFlag } from './args.js';
import type { CliIo } from './commands.js';
import { type ConnectionFlags, sshTargetFrom } from './connection.js';
import { CliError } from './errors.js';
import { inWorkdir } from './job-workdir.js';
import { supervisorCommand } from './supervisor-command.js';

export interface SweepFlags {
  readonly config?: string | undefined;
  readonly workdir?: string | undefined;
  readonly state?: string | undefined;
}

export interface SweepPaths {
  /** Where jobs run and relative paths of the sweep file are taken from. */
  readonly workdir: string;
  readonly config: string;
  /** The manifest. */
  readonly state: string;
  /** The local backend's state directory (its jobs, their logs). */
  readonly localState: string;
  /** The CLI's issue folder (there is no GitHub here). */
  readonly issues: string;
}

export interface Sweep {
  readonly config: SweepConfig;
  readonly paths: SweepPaths;
  readonly store: FileStateStore;
}

/** A path as the person typed it: relative to where they are when it is inside. */
export function shown(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export async function openSweep(flags: SweepFlags, io: CliIo): Promise<Sweep> {
  const workdir = resolve(io.cwd, flags.workdir ?? '.');
  const configPath = resolve(workdir, flags.config ?? DEFAULT_SWEEP_FILE);
  if (!existsSync(configPath)) {
    throw new CliError(
      `no sweep file at ${shown(io, configPath)}`,
      'pass --config <path> (or --workdir), or try `sweepwatch demo` for a sweep that works out of the box',
      'config_missing',
    );
  }
  const config = await loadSweepConfig(configPath);
  const stateBase = flags.workdir !== undefined ? workdir : dirname(configPath);
  const state =
    flags.state !== undefined
      ? resolve(io.cwd, flags.state)
      : join(stateBase, '.sweepwatch', `${config.experiment}.json`);
  const paths: SweepPaths = {
    workdir,
    config: configPath,
    state,
    localState: join(dirname(state), 'local'),
    issues: join(dirname(state), 'issues'),
  };
  return { config, paths, store: new FileStateStore({ path: state, experiment: config.experiment }) };
}

export interface Backend {
  readonly scheduler: Scheduler;
  /** Moves partial outputs aside before a relaunch: only where the outputs are on this machine. */
  readonly files: LocalFiles | undefined;
  close(): Promise<void>;
}

export interface BackendFlags extends ConnectionFlags {
  readonly concurrency?: string | undefined;
}

export function openBackend(sweep: Sweep, flags: BackendFlags, io: CliIo): Backend {
  const kind = sweep.config.scheduler.kind;
  const ssh = kind === 'local' ? null : sshTargetFrom(flags, io.env, sweep.config.scheduler, io.cwd);
  const transport = createTransport(ssh);
  try {
    const base = createScheduler(kind, {
      transport,
      config: sweep.config,
      localStateDir: sweep.paths.localState,
      supervisorCommand: supervisorCommand(),
      localConcurrency: intFlag('concurrency', flags.concurrency, 1, 4),
    });
    const scheduler = kind === 'local' ? inWorkdir(base, sweep.paths.workdir) : base;
    return {
      scheduler,
      files: ssh === null ? new LocalFiles(sweep.paths.workdir) : undefined,
      close: () => transport.close(),
    };
  } catch (error) {
    void transport.close();
    throw error;
  }
}

/** The commit the jobs run, for rule F3: `--digest`, else the work tree's git HEAD. */
export function digestOf(flag: string | undefined, workdir: string): string {
  if (flag !== undefined && flag !== '') return flag;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: workdir,
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^[0-9a-f]{7,64}$/.test(head) ? head : 'unversioned';
  } catch {
    return 'unversioned';
  }
}

export function whoAmI(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}
