/**
 * The pass/fail checklist of the final report: the five rules sweepwatch promises, each
 * checked against the manifest rather than taken on trust.
 * F1 all conditions terminal before acting · F2 diagnosis aggregated once per cycle ·
 * F3 rebuild before relaunch · F4 at most 2 cycles · F5 a complete manifest.
 */
import { MAX_RELAUNCH_CYCLES, type Manifest, relaunchCyclesUsed } from './manifest-model.js';
import type { Policy } from './policy.js';
import { isTerminal, type RootCause } from './types.js';

export interface Check {
  readonly id: 'F1' | 'F2' | 'F3' | 'F4' | 'F5';
  readonly rule: string;
  readonly pass: boolean;
  readonly detail: string;
}

const ms = (t: string | null): number => (t === null ? Number.NaN : Date.parse(t));
/** A relaunch's ledger entry (app/ledger.ts), or the withdrawal of one whose dispatch failed. */
const DISPATCH_TOKEN =
  /\[(dispatched|withdrawn) cycle=(\d+) (?:at=([^\]\s]+)(?: claim=[^\]\s]+)?|of=dispatched)\]/g;

/** F1: every relaunch cycle opened after every attempt of the cycles before it had ended. */
function f1(m: Manifest): Check {
  const rule = 'all conditions terminal before acting';
  const early: string[] = [];
  for (const cycle of m.cycles.filter((c) => c.cycle > 0)) {
    const opened = ms(cycle.at);
    for (const c of m.conditions) {
      for (const a of c.attempts) {
        if (a.cycle >= cycle.cycle || a.phase !== 'submitted') continue;
        const ended = ms(a.endedAt);
        // A compact time drops the milliseconds: one second of slack, never more.
        if (!(ended <= opened + 1000)) early.push(`${c.id} (cycle ${a.cycle}) before cycle ${cycle.cycle}`);
      }
    }
  }
  const relaunches = m.cycles.length - 1;
  if (early.length > 0)
    return {
      id: 'F1',
      rule,
      pass: false,
      detail: `live when a relaunch opened: ${early.slice(0, 3).join('; ')}`,
    };
  return {
    id: 'F1',
    rule,
    pass: true,
    detail:
      relaunches === 0
        ? 'no relaunch was made'
        : `each of the ${relaunches} relaunch cycles opened after every earlier attempt had ended`,
  };
}

/** F2: each failed attempt was classified exactly once, and each cycle came from one decision. */
function f2(m: Manifest): Check {
  const rule = 'diagnosis aggregated once per cycle';
  const failed = m.conditions.flatMap((c) =>
    c.attempts.filter(
      (a) => a.phase === 'submitted' && a.state !== null && isTerminal(a.state) && a.state !== 'COMPLETED',
    ),
  );
  const unclassified = failed.filter((a) => a.classification === null).length;
  // A dispatch token is carried forward by later decisions; distinct times would mean two plans.
  // The tick that dispatched saved it with its claim (`claim=`); a dispatch that failed is
  // withdrawn, and its time no longer counts (the next tick dispatches the same plan again).
  const times = new Map<number, Set<string>>();
  const latest = new Map<number, string>();
  for (const d of m.decisions) {
    for (const [, kind, n, arg] of (d.note ?? '').matchAll(DISPATCH_TOKEN)) {
      const cycle = Number(n);
      const set = times.get(cycle) ?? new Set<string>();
      if (kind === 'withdrawn') set.delete(latest.get(cycle) ?? '');
      else {
        set.add(arg ?? '');
        latest.set(cycle, arg ?? '');
      }
      times.set(cycle, set);
    }
  }
  const replanned = [...times.entries()].filter(([, set]) => set.size > 1).map(([n]) => n);
  const pass = unclassified === 0 && replanned.length === 0;
  const detail = pass
    ? `${failed.length} failed attempts, each classified once; every relaunch cycle came from one aggregated plan`
    : [
        unclassified > 0 ? `${unclassified} failed attempts were never classified` : '',
        replanned.length > 0 ? `cycle ${replanned.join(', ')} was planned more than once` : '',
      ]
        .filter((s) => s !== '')
        .join('; ');
  return { id: 'F2', rule, pass, detail };
}

/** F3: no condition whose failure needs a fix was rerun on the digest that failed. */
function f3(m: Manifest, needsFix: ReadonlySet<RootCause>): Check {
  const rule = 'rebuild before relaunch';
  const digest = new Map(m.cycles.map((c) => [c.cycle, c.digest]));
  const forced = new Map(m.cycles.map((c) => [c.cycle, /F3 overridden with force/.test(c.reason)]));
  const violations: string[] = [];
  let checked = 0;
  for (const c of m.conditions) {
    c.attempts.forEach((a, i) => {
      const previous = i > 0 ? c.attempts[i - 1] : undefined;
      const cause = previous?.classification?.rootCause;
      if (previous === undefined || cause === undefined || !needsFix.has(cause)) return;
      checked++;
      if (digest.get(a.cycle) === digest.get(previous.cycle) && forced.get(a.cycle) !== true) {
        violations.push(`${c.id} (${cause})`);
      }
    });
  }
  if (violations.length > 0)
    return {
      id: 'F3',
      rule,
      pass: false,
      detail: `rerun on the same digest: ${violations.slice(0, 3).join('; ')}`,
    };
  return {
    id: 'F3',
    rule,
    pass: true,
    detail:
      checked === 0
        ? 'no failure that needs a fix was relaunched (those were reported instead)'
        : `${checked} reruns of fix-needing failures ran on a new digest (or were forced, and say so)`,
  };
}

/** F4: at most two relaunch cycles, and no condition with more attempts than cycles allow. */
function f4(m: Manifest, policy: Policy): Check {
  const rule = 'at most 2 relaunch cycles';
  const limit = Math.min(policy.maxRelaunchCycles, MAX_RELAUNCH_CYCLES);
  const used = relaunchCyclesUsed(m);
  const over = m.conditions.filter((c) => new Set(c.attempts.map((a) => a.cycle)).size > used + 1);
  const pass = used <= limit && over.length === 0;
  return {
    id: 'F4',
    rule,
    pass,
    detail: pass
      ? `${used} of ${limit} relaunch cycles used`
      : `${used} cycles used against a limit of ${limit}`,
  };
}

/** F5: every condition has a final, observed, terminal attempt with a job id. */
function f5(m: Manifest): Check {
  const rule = 'a complete manifest';
  const problems: string[] = [];
  for (const c of m.conditions) {
    const last = c.attempts.at(-1);
    if (last === undefined) problems.push(`${c.id}: never launched`);
    else if (last.phase === 'submitting') problems.push(`${c.id}: submission in flight`);
    else if (last.phase === 'submitted' && (last.state === null || !isTerminal(last.state)))
      problems.push(`${c.id}: not terminal`);
    else if (last.phase === 'submitted' && last.jobId === null) problems.push(`${c.id}: no job id`);
    else if (last.staleSince !== null) problems.push(`${c.id}: state not confirmed since ${last.staleSince}`);
  }
  const attempts = m.conditions.reduce((n, c) => n + c.attempts.length, 0);
  if (problems.length > 0) {
    return {
      id: 'F5',
      rule,
      pass: false,
      detail: `${problems.length} incomplete: ${problems.slice(0, 3).join('; ')}`,
    };
  }
  return {
    id: 'F5',
    rule,
    pass: true,
    detail: `${m.conditions.length} conditions, ${attempts} attempts, all terminal with job ids`,
  };
}

export function checklist(m: Manifest, policy: Policy, needsFix: ReadonlySet<RootCause>): Check[] {
  return [f1(m), f2(m), f3(m, needsFix), f4(m, policy), f5(m)];
}
