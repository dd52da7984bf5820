/**
 * Stopping a lab daemon for real (by its pid file) and bringing the lab back (scripts/lab/up.sh,
 * idempotent). Only the fault project may use this: it runs alone, after the other projects.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const UP = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'lab', 'up.sh');

export type LabDaemon = 'slurmctld' | 'slurmdbd';

const alive = (pid: string) => spawnSync('kill', ['-0', pid]).status === 0;

/** SIGTERMs the daemon and waits until its process is gone. */
export async function stopDaemon(daemon: LabDaemon): Promise<void> {
  const pid = readFileSync(`/run/slurm-lab/${daemon}.pid`, 'utf8').trim();
  const kill = spawnSync('kill', ['-TERM', pid], { encoding: 'utf8' });
  if (kill.status !== 0) throw new Error(`cannot stop ${daemon} (pid ${pid}): ${kill.stderr}`);
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`${daemon} (pid ${pid}) did not stop`);
}

/**
 * Restores every lab daemon; throws with up.sh's output when it cannot. The lab is shared, so
 * up.sh may lose a race with another suite's (its readiness job waits behind their jobs): it is
 * idempotent, and is run again before giving up.
 */
export function restoreLab(attempts = 3): void {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const up = spawnSync('bash', [UP], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (up.status === 0) return;
    last = `${up.stdout}\n${up.stderr}`.split('\n').slice(-30).join('\n');
  }
  throw new Error(`scripts/lab/up.sh failed ${attempts} times; last output:\n${last}`);
}
