// Vitest globalSetup for the int and e2e projects: makes sure the real Slurm + SSH lab is
// up, running scripts/lab/up.sh (idempotent) unless the lab already answers. There is no
// teardown on purpose: the lab stays up for the next run (scripts/lab/down.sh stops it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_JSON, readLab } from './lab.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UP_SCRIPT = resolve(REPO_ROOT, 'scripts/lab/up.sh');
const UP_TIMEOUT_MS = 10 * 60_000;
const TAIL_LINES = 60;

/** True when sshd, slurmctld, slurmdbd and the node all answer, as alice over ssh. */
function labAnswers(): boolean {
  if (!existsSync(LAB_JSON)) return false;
  const { ssh } = readLab();
  const probe = 'sacct -n -X -j 1 >/dev/null && squeue -h >/dev/null && sinfo -h -N -p debug -o %t';
  const r = spawnSync(
    'ssh',
    [
      ...['-p', String(ssh.port), '-i', ssh.privateKeyPath, '-o', 'BatchMode=yes'],
      ...['-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes'],
      ...['-o', `UserKnownHostsFile=${ssh.knownHostsPath}`, '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR'],
      `${ssh.user}@${ssh.host}`,
      probe,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  return r.status === 0 && /^(idle|mix|alloc|comp)$/m.test(r.stdout);
}

/** Runs up.sh, echoing its output live; rejects with the output's tail on failure. */
function runUp(): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [UP_SCRIPT], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      process.stderr.write(chunk);
      tail.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGTERM'), UP_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`lab: could not run ${UP_SCRIPT}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolvePromise();
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(
        new Error(
          `lab: ${UP_SCRIPT} failed (${how}); the int/e2e tests need the Slurm lab ` +
            `(run as root: bash scripts/lab/up.sh). Last output:\n${tail.join('\n')}`,
        ),
      );
    });
  });
}

export default async function setup(): Promise<void> {
  if (labAnswers()) return;
  await runUp();
  if (!labAnswers()) throw new Error(`lab: up.sh succeeded but the lab does not answer (see ${LAB_JSON})`);
}
