/**
 * What sweepwatch has set in motion but the manifest's model has no field for: a relaunch
 * dispatched for cycle N (so the next tick does not dispatch it again), a canary hold (the
 * conditions kept back until the canary of their root cause succeeds) and its release. They
 * are written as short tokens at the start of a decision record's note, and every tick that
 * records a decision carries the still-relevant ones forward, so they survive the trimming of
 * the decision history. (A dedicated manifest field would be cleaner; the model is owned
 * elsewhere, and this keeps the file format unchanged.)
 *
 * A tick saves its dispatch (or release) entry with compare-and-swap BEFORE it dispatches: the
 * entry is the claim on the cycle, so of two ticks running at once only the one whose save wins
 * dispatches; the other re-applies on top of the winner, sees the claim and does not. A dispatch
 * that then fails is taken back by a `withdrawn` entry, so the next tick dispatches again.
 */
import { currentCycle, type DecisionRecord, type Manifest } from '../core/manifest-model.js';
import { isRootCause, type RootCause } from '../core/types.js';

export interface Ledger {
  /** Cycle → when its relaunch was (last) dispatched. */
  readonly dispatched: ReadonlyMap<number, string>;
  /** Cycle → the root causes whose other conditions are held behind a canary. */
  readonly holds: ReadonlyMap<number, readonly RootCause[]>;
  /** Cycle → when its held conditions were released (dispatched). */
  readonly released: ReadonlyMap<number, string>;
}

export type LedgerEntry =
  | {
      readonly kind: 'dispatched' | 'released';
      readonly cycle: number;
      readonly at: string;
      readonly claim?: string;
    }
  | { readonly kind: 'hold'; readonly cycle: number; readonly causes: readonly RootCause[] }
  /** Takes back a `dispatched` or `released` entry whose dispatch failed. Never carried forward. */
  | { readonly kind: 'withdrawn'; readonly cycle: number; readonly of: 'dispatched' | 'released' };

/** The entry of a dispatch (a relaunch, or the release of held conditions). */
export type DispatchEntry = Extract<LedgerEntry, { readonly kind: 'dispatched' | 'released' }>;

/**
 * `claim=` marks the entry a tick saved before its dispatch (an id of that run, so two runs'
 * claims never save as the same bytes); later records carry the entry forward without it.
 */
const TOKEN =
  /\[(dispatched|hold|released|withdrawn) cycle=(\d+)(?: (?:at|causes|of)=([^\]\s]+))?(?: claim=[^\]\s]+)?\]/g;

export function readLedger(m: Manifest): Ledger {
  const dispatched = new Map<number, string>();
  const holds = new Map<number, RootCause[]>();
  const released = new Map<number, string>();
  for (const d of m.decisions) {
    for (const [, kind, n, arg] of (d.note ?? '').matchAll(TOKEN)) {
      const cycle = Number(n);
      if (kind === 'hold') holds.set(cycle, (arg ?? '').split('+').filter(isRootCause));
      else if (kind === 'withdrawn') {
        if (arg === 'dispatched') dispatched.delete(cycle);
        else if (arg === 'released') released.delete(cycle);
      }
      // A carried-forward token keeps its original time, so patience is measured from the dispatch.
      else if (kind === 'dispatched') dispatched.set(cycle, arg ?? d.at);
      else released.set(cycle, arg ?? d.at);
    }
  }
  return { dispatched, holds, released };
}

export function tokenOf(e: LedgerEntry): string {
  if (e.kind === 'hold') return `[hold cycle=${e.cycle} causes=${e.causes.join('+')}]`;
  if (e.kind === 'withdrawn') return `[withdrawn cycle=${e.cycle} of=${e.of}]`;
  return `[${e.kind} cycle=${e.cycle} at=${e.at}${e.claim !== undefined ? ` claim=${e.claim}` : ''}]`;
}

/** The entries that still matter: the current cycle's hold and release, dispatches not yet run. */
export function liveEntries(m: Manifest, ledger: Ledger = readLedger(m)): LedgerEntry[] {
  const cycle = currentCycle(m);
  const out: LedgerEntry[] = [];
  const causes = ledger.holds.get(cycle);
  if (causes !== undefined) out.push({ kind: 'hold', cycle, causes });
  const released = ledger.released.get(cycle);
  if (released !== undefined) out.push({ kind: 'released', cycle, at: released });
  for (const [n, at] of ledger.dispatched) if (n > cycle) out.push({ kind: 'dispatched', cycle: n, at });
  return out;
}

/**
 * A note that starts with the tokens (recordDecision bounds notes by cutting their end), with
 * `added` replacing carried entries of the same kind and cycle (a `withdrawn` one: the entry it
 * takes back).
 */
export function noteWithLedger(m: Manifest, added: readonly LedgerEntry[], text: string): string | null {
  const same = (a: LedgerEntry, b: LedgerEntry) =>
    a.cycle === b.cycle && (a.kind === 'withdrawn' ? a.of === b.kind : a.kind === b.kind);
  const carried = liveEntries(m).filter((e) => !added.some((a) => same(a, e)));
  const tokens = [...carried, ...added].map(tokenOf).join(' ');
  const note = [tokens, text].filter((s) => s !== '').join(' ');
  return note === '' ? null : note;
}

/** Whether a dispatch at `at` is recent enough to still be waited for. */
export function stillPending(at: string | undefined, now: string, patienceSeconds: number): boolean {
  if (at === undefined) return false;
  const age = (Date.parse(now) - Date.parse(at)) / 1000;
  return Number.isFinite(age) && age < patienceSeconds;
}

/** A decision record that only carries ledger entries (relaunch and cancel use it). */
export function ledgerRecord(
  m: Manifest,
  at: string,
  reasonCode: string,
  added: readonly LedgerEntry[],
  text: string,
): DecisionRecord {
  const last = m.decisions.at(-1);
  return {
    at,
    decision: 'intervene',
    band: last?.band ?? 'healthy',
    reasonCode,
    note: noteWithLedger(m, added, text),
  };
}
