/**
 * Which conditions a relaunch run submits, and which it refuses, from the manifest (the source
 * of truth) and the payload (a filter). Pure. Two rules of the seeds apply here:
 * F3, a cause that needs a fix is not rerun on the digest that failed (unless forced), and the
 * canary split, which submits one representative per systemic cause and holds the rest.
 */
import { aggregateFailures, failuresByCause } from '../core/aggregate.js';
import type { Manifest, ResourcesRequested } from '../core/manifest.js';
import { currentCycle, findCondition, latestAttempt } from '../core/manifest-model.js';
import type { Policy } from '../core/policy.js';
import { buildRelaunchPlan, type RelaunchItem, relaunchVerdict } from '../core/relaunch-plan.js';
import type { AttemptResources, SweepSnapshot } from '../core/snapshot.js';
import { attemptStatus, effectiveCause, latestAttempt as latestView } from '../core/snapshot.js';
import type { RootCause } from '../core/types.js';

/** Causes a relaunch cannot fix without a change of code, config or environment (F3). */
export const NEEDS_FIX: ReadonlySet<RootCause> = new Set<RootCause>([
  'env_import',
  'config_error',
  'code_error',
  'nan_divergence',
]);

export interface Chosen {
  readonly conditionId: string;
  readonly rootCause: RootCause;
  readonly requested: ResourcesRequested | null;
}

export interface Selection {
  readonly submit: readonly Chosen[];
  readonly held: readonly string[];
  readonly heldCauses: readonly RootCause[];
  readonly refused: readonly { readonly conditionId: string; readonly reason: string }[];
  /** F3 refusals overridden by force. */
  readonly forced: readonly string[];
  readonly waiting: boolean;
}

/** Resources to record on the attempt: only when they differ from the template's. */
export function requestedOf(
  r: AttemptResources,
  template: { memoryMb: number | null; timeMinutes: number | null },
): ResourcesRequested | null {
  const memoryMb = r.memoryMb ?? null;
  const timeMinutes = r.timeMinutes ?? null;
  return memoryMb === template.memoryMb && timeMinutes === template.timeMinutes
    ? null
    : { memoryMb, timeMinutes };
}

export function systemicCauses(snapshot: SweepSnapshot, policy: Policy): RootCause[] {
  const { counts, groups } = aggregateFailures(snapshot, policy);
  return [...failuresByCause(groups)]
    .filter(([, n]) => counts.terminal > 0 && n / counts.terminal >= policy.bands.intervene)
    .map(([cause]) => cause);
}

export interface SelectInput {
  readonly manifest: Manifest;
  readonly snapshot: SweepSnapshot;
  readonly policy: Policy;
  readonly template: { memoryMb: number | null; timeMinutes: number | null };
  /** null: every condition of the plan. */
  readonly wanted: ReadonlySet<string> | null;
  /** A person asked: deterministic failures they name are rerun as they were (F3 still applies). */
  readonly person: boolean;
  readonly digest: string;
  readonly force: boolean;
}

/** The digest the condition's latest (failed) attempt ran: its cycle's. */
function failedDigest(m: Manifest, conditionId: string): string | null {
  const c = findCondition(m, conditionId);
  const a = c === null ? null : latestAttempt(c);
  return a === null ? null : (m.cycles.find((k) => k.cycle === a.cycle)?.digest ?? null);
}

/** F3 over candidate items: returns the refusal reason, or null when it may run. */
function fixCheck(input: SelectInput, item: { conditionId: string; rootCause: RootCause }): string | null {
  if (!NEEDS_FIX.has(item.rootCause)) return null;
  const failed = failedDigest(input.manifest, item.conditionId);
  if (failed === null || failed !== input.digest) return null;
  return `same_digest: ${item.rootCause} needs a fix, but this relaunch runs ${input.digest}, the digest that failed (pass force to override)`;
}

export function selectForNewCycle(input: SelectInput): Selection {
  const { snapshot, policy, wanted } = input;
  const plan = buildRelaunchPlan(snapshot, policy, {
    systemicCauses: systemicCauses(snapshot, policy),
    requestedBy: input.person ? 'person' : 'policy',
  });
  const none = { submit: [], held: [], heldCauses: [], refused: [], forced: [] };
  if (plan.refused === 'waiting_for_terminal') return { ...none, waiting: true };
  const inScope = (id: string) => wanted === null || wanted.has(id);
  const byPerson: RelaunchItem[] = input.person
    ? plan.issues
        .filter(
          (i) =>
            inScope(i.conditionId) &&
            (i.reason === 'deterministic_cause' || i.reason === 'repeated_signature'),
        )
        .map((i) => {
          const view = snapshot.conditions.find((c) => c.id === i.conditionId);
          const resources = view?.attempts.at(-1)?.resources ?? {};
          return { ...i, previousJobId: '', resources, escalated: false, canary: false };
        })
    : [];
  const refused: { conditionId: string; reason: string }[] = [];
  const forced: string[] = [];
  const admit = (item: RelaunchItem): boolean => {
    const problem = fixCheck(input, item);
    if (problem === null) return true;
    if (input.force) {
      forced.push(item.conditionId);
      return true;
    }
    refused.push({ conditionId: item.conditionId, reason: problem });
    return false;
  };
  const submit = [...plan.relaunch, ...byPerson].filter((i) => inScope(i.conditionId)).filter(admit);
  const deferred = plan.deferred.filter((i) => inScope(i.conditionId)).filter(admit);
  const chosen = new Set([...submit, ...deferred].map((i) => i.conditionId));
  const why = new Map<string, string>([
    ...plan.issues.map((i): [string, string] => [i.conditionId, i.reason]),
    ...plan.skipped.map((i): [string, string] => [i.conditionId, i.reason]),
  ]);
  for (const id of wanted ?? []) {
    if (!chosen.has(id) && !refused.some((r) => r.conditionId === id)) {
      refused.push({ conditionId: id, reason: why.get(id) ?? 'not_failed' });
    }
  }
  if (plan.refused === 'relaunch_budget_exhausted') return { ...none, refused, waiting: false };
  return {
    submit: submit.map((i) => ({
      conditionId: i.conditionId,
      rootCause: i.rootCause,
      requested: requestedOf(i.resources, input.template),
    })),
    held: deferred.map((i) => i.conditionId),
    heldCauses: [...new Set(deferred.map((i) => i.rootCause))],
    refused,
    forced,
    waiting: false,
  };
}

/**
 * A run for the cycle already recorded: the release of conditions held behind canaries of
 * `holdCauses`, and the resubmission of this cycle's submissions that never became jobs.
 * Resources are what the plan gave them when the cycle opened (verdict with the cycles used
 * before it).
 */
export function selectForResume(input: SelectInput, holdCauses: readonly RootCause[]): Selection {
  const n = currentCycle(input.manifest);
  const held = new Set(holdCauses);
  const submit: Chosen[] = [];
  const refused: { conditionId: string; reason: string }[] = [];
  const forced: string[] = [];
  for (const view of input.snapshot.conditions) {
    const explicit = input.wanted?.has(view.id) === true;
    if (input.wanted !== null && !explicit) continue;
    const record = findCondition(input.manifest, view.id);
    const last = record === null ? null : latestAttempt(record);
    const current = latestView(view);
    if (last === null || current === undefined) continue;
    if (last.cycle === n && last.phase === 'submit_failed') {
      submit.push({ conditionId: view.id, rootCause: 'submission_rejected', requested: last.requested });
      continue;
    }
    const status = attemptStatus(current);
    const cause = effectiveCause(current);
    if (last.cycle >= n || (status !== 'failed' && status !== 'cancelled') || !held.has(cause)) {
      if (explicit) refused.push({ conditionId: view.id, reason: 'not_held' });
      continue;
    }
    const verdict = relaunchVerdict(view, input.policy, n - 1);
    if (verdict.kind !== 'relaunch') {
      refused.push({ conditionId: view.id, reason: verdict.reason });
      continue;
    }
    const problem = fixCheck(input, { conditionId: view.id, rootCause: cause });
    if (problem !== null && !input.force) {
      refused.push({ conditionId: view.id, reason: problem });
      continue;
    }
    if (problem !== null) forced.push(view.id);
    submit.push({
      conditionId: view.id,
      rootCause: cause,
      requested: requestedOf(verdict.resources, input.template),
    });
  }
  return { submit, held: [], heldCauses: [], refused, forced, waiting: false };
}
