/**
 * The lines worth keeping from a tick, for a person watching: each failure as it is seen
 * (with its root cause and the log line that gave it away), what was cancelled, reported and
 * relaunched. The status block says where the sweep is; these say what happened.
 */
import { getAttempt } from '../core/manifest-model.js';
import type { TickStep } from './tick-session.js';

/** More newly failed jobs than this in one tick are summarised, not listed. */
const MAX_FAILURE_LINES = 8;

export function stepEvents(step: TickStep, issuePath: (n: number) => string): string[] {
  const r = step.result;
  const lines: string[] = [];
  for (const ref of r.newlyFailed.slice(0, MAX_FAILURE_LINES)) {
    const a = getAttempt(r.manifest, ref);
    const cause = a?.classification?.rootCause ?? a?.state ?? 'unknown';
    const evidence = a?.classification?.evidence[0];
    lines.push(
      `✗ ${ref.conditionId}: ${cause} (job ${a?.jobId ?? '?'})${evidence === undefined ? '' : ` · ${evidence}`}`,
    );
  }
  if (r.newlyFailed.length > MAX_FAILURE_LINES) {
    lines.push(`✗ … and ${r.newlyFailed.length - MAX_FAILURE_LINES} more failures this tick`);
  }
  const a = r.actions;
  if (a.cancelled.length > 0) lines.push(`⊘ cancelled ${a.cancelled.length} jobs: ${a.cancelled.join(', ')}`);
  for (const n of a.issuesCreated) lines.push(`✎ reported issue #${n}: ${issuePath(n)}`);
  for (const n of a.issuesUpdated) lines.push(`✎ updated issue #${n}: ${issuePath(n)}`);
  for (const n of a.issuesClosed)
    lines.push(`✓ closed issue #${n}: every affected condition has since succeeded`);
  for (const rl of step.relaunches) {
    const jobs = rl.submitted.map((s) => s.jobId).join(', ');
    const what =
      rl.submitted.length > 0 ? `${rl.submitted.length} conditions resubmitted as jobs ${jobs}` : rl.reason;
    lines.push(`↻ relaunch cycle ${rl.cycle} (${rl.reasonCode}): ${what}`);
    if (rl.quarantined.length > 0)
      lines.push(`  moved the partial outputs of ${rl.quarantined.length} conditions aside`);
    for (const x of rl.refused) lines.push(`  not relaunched: ${x.conditionId} (${x.reason})`);
    for (const note of rl.notes) lines.push(`  note: ${note}`);
  }
  for (const e of step.relaunchErrors) lines.push(`⚠ ${e}`);
  for (const e of a.errors) lines.push(`⚠ ${e}`);
  for (const e of r.observationErrors) lines.push(`⚠ could not observe (${e.source}): ${e.message}`);
  return lines;
}
