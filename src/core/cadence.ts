import type { Policy } from './policy.js';
import type { SweepSnapshot } from './snapshot.js';
import { currentConditions, elapsedSeconds, isLive, nowMs, toEpochMs } from './snapshot.js';
import type { HealthBand } from './types.js';

/**
 * When to look again. The range follows what the batch is doing (a queue changes slowly,
 * running jobs faster, a degraded batch needs a close eye); within the range the interval is
 * shorter the more jobs are about to change: near their time limit, or just started or ended.
 * Deterministic, so a replayed tick schedules the same poll.
 */

export type CadenceMode = 'idle' | 'pending_only' | 'running' | 'degraded';

export interface Cadence {
  readonly seconds: number;
  readonly mode: CadenceMode;
  /** 0 (nothing about to change: the range's maximum) … 1 (the range's minimum). */
  readonly urgency: number;
  readonly reason: string;
}

export interface CadenceContext {
  readonly band: HealthBand;
  /** Something looks off without moving the band: a pending problem, a near-firing kill switch. */
  readonly suspect?: boolean;
}

/** A running job whose remaining time is below this share of its limit is "near the limit". */
const NEAR_LIMIT_SHARE = 0.1;

export function nextPoll(snapshot: SweepSnapshot, policy: Policy, context: CadenceContext): Cadence {
  const now = nowMs(snapshot);
  const current = currentConditions(snapshot);
  const live = current.filter((c) => isLive(c.status));
  const running = live.filter((c) => c.status === 'running');
  let mode: CadenceMode;
  if (live.length === 0) mode = 'idle';
  else if (context.band !== 'healthy' || context.suspect === true) mode = 'degraded';
  else if (running.length > 0) mode = 'running';
  else mode = 'pending_only';
  // Idle: nothing changes by itself; poll slowly until a relaunch starts something.
  const [min, max] =
    mode === 'degraded'
      ? policy.cadence.degraded
      : mode === 'running'
        ? policy.cadence.running
        : policy.cadence.pendingOnly;
  if (mode === 'idle') return { seconds: max, mode, urgency: 0, reason: 'no live jobs' };

  const recentMs = max * 1000;
  const recent = (t: string | undefined): boolean => t !== undefined && now - toEpochMs(t) <= recentMs;
  let nearLimit = 0;
  for (const c of running) {
    const limit = c.attempt.resources?.timeMinutes;
    const elapsed = elapsedSeconds(c.attempt, now);
    if (limit === undefined || elapsed === undefined) continue;
    const remaining = limit * 60 - elapsed;
    if (remaining <= Math.max(NEAR_LIMIT_SHARE * limit * 60, max)) nearLimit++;
  }
  const started = live.filter((c) => recent(c.attempt.startedAt)).length;
  const ended = current.filter((c) => !isLive(c.status) && recent(c.attempt.endedAt)).length;
  const urgency = Math.min(1, (nearLimit + started + ended) / live.length);
  const seconds = Math.round(max - urgency * (max - min));
  const reason = `${mode.replace('_', ' ')}: ${live.length} live (${running.length} running), ${nearLimit} near their time limit, ${started + ended} changed in the last ${max} s`;
  return { seconds, mode, urgency, reason };
}
