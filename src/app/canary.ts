/**
 * Canary holds, read from the snapshot. A relaunch cycle N that ran canaries submitted one
 * representative per systemic root cause and held the other conditions of those causes back.
 * Canaries are the conditions whose cycle-N attempt follows a failure of a held cause; held
 * conditions are the failures of those causes that have no cycle-N attempt yet.
 */
import type { ConditionView, SweepSnapshot } from '../core/snapshot.js';
import { attemptStatus, effectiveCause, isLive, latestAttempt } from '../core/snapshot.js';
import type { RootCause } from '../core/types.js';

export interface HoldView {
  readonly cycle: number;
  readonly causes: readonly RootCause[];
  /** Per held cause: its canaries' outcome. */
  readonly canaries: ReadonlyMap<RootCause, { succeeded: number; failed: number; live: number }>;
  /** Held condition ids per cause. */
  readonly held: ReadonlyMap<RootCause, readonly string[]>;
}

function previousCause(c: ConditionView, cycle: number): RootCause | null {
  const at = c.attempts.findIndex((a) => a.cycle === cycle);
  const before = at > 0 ? c.attempts[at - 1] : undefined;
  return before === undefined ? null : effectiveCause(before);
}

export function holdView(snapshot: SweepSnapshot, cycle: number, causes: readonly RootCause[]): HoldView {
  const wanted = new Set(causes);
  const canaries = new Map<RootCause, { succeeded: number; failed: number; live: number }>();
  const held = new Map<RootCause, string[]>();
  for (const c of snapshot.conditions) {
    const latest = latestAttempt(c);
    if (latest === undefined) continue;
    const status = attemptStatus(latest);
    if (latest.cycle === cycle) {
      const cause = previousCause(c, cycle);
      if (cause === null || !wanted.has(cause)) continue;
      const tally = canaries.get(cause) ?? { succeeded: 0, failed: 0, live: 0 };
      if (status === 'succeeded') tally.succeeded++;
      else if (isLive(status)) tally.live++;
      else tally.failed++;
      canaries.set(cause, tally);
    } else if (latest.cycle < cycle && (status === 'failed' || status === 'cancelled')) {
      const cause = effectiveCause(latest);
      if (wanted.has(cause)) held.set(cause, [...(held.get(cause) ?? []), c.id]);
    }
  }
  return { cycle, causes, canaries, held };
}

/** Held conditions whose causes' canaries all finished and succeeded: ready to be released. */
export function releasable(view: HoldView): string[] {
  const out: string[] = [];
  for (const [cause, ids] of view.held) {
    const t = view.canaries.get(cause);
    if (t !== undefined && t.succeeded > 0 && t.failed === 0 && t.live === 0) out.push(...ids);
  }
  return out;
}

/** Every held condition, whatever its canaries did. */
export function allHeld(view: HoldView): string[] {
  return [...view.held.values()].flat();
}
