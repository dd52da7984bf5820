/**
 * The Action through main() for real: the default wiring (SSH to the lab, the real Slurm
 * scheduler), the real GitHub adapters pointed at the fake GitHub, a sweep file on disk and a
 * repository of its own on the fake. What the process-kill and injection suites share.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WIRING } from '../../../src/action/session.js';
import { createGitHubAdapters } from '../../../src/adapters/github/index.js';
import { loadSweepConfig } from '../../../src/config/sweep-config.js';
import { type Manifest, parseManifest } from '../../../src/core/manifest.js';
import { run } from '../../../src/main.js';
import type { FakeGitHub, RepoState } from '../fake-github/index.js';
import { fakeRuntime } from '../fake-runtime.js';
import type { LabWorld } from './lab-world.js';

let repos = 0;

export interface LabAction {
  readonly experiment: string;
  /** owner/name on the fake GitHub. */
  readonly repoName: string;
  /** The sweep file's path. */
  readonly file: string;
  /** The Action's inputs (SSH to the lab, the token, the sweep file). */
  readonly inputs: Readonly<Record<string, string>>;
  repo(): RepoState;
  /** The manifest on the state branch. */
  state(): Manifest | null;
  action(
    mode: string,
    event?: { name: string; payload: unknown },
  ): Promise<ReturnType<typeof fakeRuntime>['record']>;
}

export function labAction(
  gh: FakeGitHub,
  world: LabWorld,
  tag: string,
  yaml: (experiment: string) => string,
): LabAction {
  repos += 1;
  const owner = `lab${tag.replace(/[^a-z0-9]/g, '')}${repos}`;
  const repoName = `${owner}/sweeps`;
  gh.repo(owner, 'sweeps');
  const experiment = world.experimentId(tag);
  const file = join(mkdtempSync(join(tmpdir(), 'sw-lab-action-')), 'sweepwatch.yml');
  writeFileSync(file, yaml(experiment));
  const inputs = {
    config: file,
    'ssh-host': world.lab.ssh.host,
    'ssh-port': String(world.lab.ssh.port),
    'ssh-user': world.lab.ssh.user,
    'ssh-private-key': readFileSync(world.lab.ssh.privateKeyPath, 'utf8'),
    'ssh-known-hosts': world.lab.ssh.knownHostsLine,
    'github-token': gh.token,
  };
  return {
    experiment,
    repoName,
    file,
    inputs,
    repo: () => gh.repo(owner, 'sweeps'),
    state() {
      const text = gh.repo(owner, 'sweeps').readFile('sweepwatch-state', `sweepwatch/${experiment}.json`);
      return text === undefined ? null : parseManifest(text, { source: repoName });
    },
    async action(mode, event = { name: 'schedule', payload: {} }) {
      const { runtime, record } = fakeRuntime({ ...inputs, mode }, event.name, event.payload, {
        repository: repoName,
        apiUrl: gh.url,
      });
      await run(runtime, {
        ...DEFAULT_WIRING,
        createGitHub: (o) =>
          createGitHubAdapters({ ...o, writeSpacingMs: 0, notificationSpacingMs: 0, msPerSecond: 5 }),
        loadConfig: () => loadSweepConfig(file),
      });
      return record;
    },
  };
}

/** A sweep file on the lab for labAction: the experiment id is filled in by labAction. */
export function labSweepYaml(
  world: LabWorld,
  partition: string,
  command: readonly string[],
  factors: Readonly<Record<string, readonly (string | number)[]>>,
): (experiment: string) => string {
  return (experiment) => world.sweepYaml({ experiment, factors, command, partition });
}
