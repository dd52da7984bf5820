import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_KEYS } from '../../src/action/io.js';
import { runAction } from '../helpers/action-run.js';
import { type LabInfo, readLab } from '../helpers/lab.js';
import { node24 } from '../helpers/node24.js';

// The committed bundle, run as the runner runs it, on the Node that ran npm (20 here) and on
// a real Node 24 (GitHub's runtime for `runs.using: node24`), against the real lab over SSH.
const ENTRY = 'dist/index.js';

let lab: LabInfo;
let key: string;
const runtimes: { name: string; bin: () => string }[] = [
  { name: 'Node 20', bin: () => process.execPath },
  { name: 'Node 24', bin: node24 },
];

beforeAll(() => {
  lab = readLab();
  key = readFileSync(lab.ssh.privateKeyPath, 'utf8');
});

function sshInputs(knownHosts: string): Record<string, string> {
  return {
    mode: 'preflight',
    'ssh-host': lab.ssh.host,
    'ssh-port': String(lab.ssh.port),
    'ssh-user': lab.ssh.user,
    'ssh-private-key': key,
    'ssh-known-hosts': knownHosts,
  };
}

describe.each(runtimes)('dist/index.js on $name', ({ bin }) => {
  it('checks the real cluster over SSH and writes every output and a summary', () => {
    const run = runAction(bin(), ENTRY, sshInputs(lab.ssh.hostKeySha256));
    expect(run.stderr).not.toContain('__dirname');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(Object.keys(run.outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
    expect(run.outputs['reason-code']).toBe('preflight_ok');
    const result = JSON.parse(run.outputs.result ?? '{}') as {
      version: number;
      details: { preflight: { user: string; versions: Record<string, string | null> } };
    };
    expect(result.version).toBe(1);
    expect(result.details.preflight.user).toBe(lab.ssh.user);
    expect(result.details.preflight.versions.sbatch).toMatch(/22\.05/);
    expect(run.summary).toContain('sweepwatch preflight: ✅ ready');
  });

  it('refuses a host whose key is not the pinned one, sets every output and fails the step', () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const run = runAction(bin(), ENTRY, sshInputs(wrong));
    expect(run.status).toBe(1);
    expect(run.outputs.decision).toBe('error');
    expect(run.outputs['reason-code']).toBe('ssh_host_key_rejected');
    expect(Object.keys(run.outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
    expect(run.stdout).toContain(lab.ssh.hostKeySha256);
    // The private key never reaches the log, the outputs or the summary.
    const keyBody = key.split('\n')[1] ?? key;
    // (The runner swallows its own ::add-mask:: commands; everything else is what a reader sees.)
    const log = run.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(run.stdout).toContain('::add-mask::');
    for (const text of [log, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
      expect(text).not.toContain(keyBody);
    }
  });

  it('names a bad input and still sets every output', () => {
    const run = runAction(bin(), ENTRY, { ...sshInputs(lab.ssh.hostKeySha256), 'ssh-port': 'twenty-two' });
    expect(run.status).toBe(1);
    expect(run.outputs['reason-code']).toBe('input_invalid');
    expect(run.stdout).toContain('input ssh-port: "twenty-two" is not a TCP port');
  });
});
