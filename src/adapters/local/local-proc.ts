/**
 * What the kernel says about processes, read from /proc (Linux). Without /proc (macOS) the
 * backend still runs jobs, but identities fall back to bare pids, process groups are probed
 * with kill(-pgid, 0), and memory cannot be measured (preflight warns about it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { errorCode } from './local-layout.js';
import type { ProcessIdentity } from './local-records.js';

interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), … */
  readonly state: string;
  readonly pgrp: number;
  /** Start time in clock ticks after boot, as text: it can exceed 2^53 on a long-lived host. */
  readonly startTicks: string;
}

export function hasProc(): boolean {
  return existsSync('/proc/self/stat');
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of proc(5) (state); pgrp is field 5, starttime field 22.
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTicks = fields[19];
  if (state === undefined || startTicks === undefined || !Number.isInteger(pgrp)) return undefined;
  return { state, pgrp, startTicks };
}

let bootIdCache: string | null | undefined;

/** Pids and start times restart at boot: a record from before a reboot never names a live process. */
export function currentBootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache ?? undefined;
}

export function identify(pid: number): ProcessIdentity {
  const stat = readStat(pid);
  const boot = currentBootId();
  return {
    pid,
    ...(stat !== undefined ? { startTicks: stat.startTicks } : {}),
    ...(boot !== undefined ? { bootId: boot } : {}),
  };
}

/** The very process the identity was taken from is still running (a zombie runs nothing). */
export function isAlive(id: ProcessIdentity): boolean {
  const boot = currentBootId();
  if (id.bootId !== undefined && boot !== undefined && id.bootId !== boot) return false;
  if (hasProc()) {
    const stat = readStat(id.pid);
    if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
    return id.startTicks === undefined || stat.startTicks === id.startTicks;
  }
  try {
    process.kill(id.pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * The process group this leader founded still has live members. While any member lives, the
 * kernel does not give the group's number to a new process, so a different process under the
 * leader's pid means the group is gone; the leader itself may have exited before its children.
 */
export function groupSurvives(leader: ProcessIdentity): boolean {
  const boot = currentBootId();
  if (leader.bootId !== undefined && boot !== undefined && leader.bootId !== boot) return false;
  if (!hasProc()) return isAlive(leader);
  const stat = readStat(leader.pid);
  if (stat !== undefined && leader.startTicks !== undefined && stat.startTicks !== leader.startTicks)
    return false;
  return groupMembers(leader.pid).length > 0;
}

/** The live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!hasProc()) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readStat(pid);
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') {
      members.push(pid);
    }
  }
  return members;
}

/**
 * The sum of the members' resident set sizes. Pages shared between members (a fork's
 * copy-on-write memory) count once per member, so this errs high, as a cgroup limit would not.
 */
export function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // exited since it was listed
    }
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (m?.[1] !== undefined) total += Number(m[1]) * 1024;
  }
  return total;
}

/** Signals every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/** Waits until the group has no live member; false if some survive the timeout (stuck in D state). */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
