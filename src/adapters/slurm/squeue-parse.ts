/**
 * `squeue --noheader --array --states=all -o <SQUEUE_FORMAT>` → observations. squeue is the live
 * view: authoritative for pending/running state and pending reasons, and (with --states=all) it
 * still shows finished jobs for MinJobAge seconds, which is what the fallback lives on when
 * accounting is down. It has no exit codes; scontrol fills those in (scontrol-parse.ts).
 */
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import { clip, parseDuration, parseNodes, parseText, parseTimestamp, secondsBetween } from './fields.js';
import { expandArrayId } from './job-ids.js';
import { FIELD_SEPARATOR } from './sacct-parse.js';
import { isLiveState, normalizeSlurmState } from './states.js';

/**
 * The -o fields we ask for: id, raw id, state, reason, submit, start, end, time used, nodes,
 * user, name. The state must stay third: the observe script's fallback reads it by position.
 */
export const SQUEUE_FIELDS = ['%i', '%A', '%T', '%r', '%V', '%S', '%e', '%M', '%N', '%u', '%j'] as const;

export interface SqueueContext {
  /** The -o field codes in output order (default SQUEUE_FIELDS); other captures may differ. */
  readonly fields?: readonly string[];
  /** Only this user's rows are kept; squeue was already asked for them alone (defence in depth). */
  readonly user?: string;
  /** The cluster's clock (local time, like the timestamps) for pendingSeconds. */
  readonly remoteNow?: string;
}

export interface SqueueParse {
  readonly observations: readonly JobObservation[];
  readonly diagnostics: readonly ObserveDiagnostic[];
}

export function parseSqueue(lines: readonly string[], context: SqueueContext = {}): SqueueParse {
  const observations: JobObservation[] = [];
  const diagnostics: ObserveDiagnostic[] = [];
  const fields = context.fields ?? SQUEUE_FIELDS;
  const at = new Map(fields.map((code, i) => [code, i]));
  for (const line of lines) {
    if (line.trim() === '') continue;
    const f = line.split(FIELD_SEPARATOR);
    if (f.length !== fields.length) {
      diagnostics.push({
        source: 'squeue',
        line: clip(line),
        why: `expected ${fields.length} fields, got ${f.length}`,
      });
      continue;
    }
    const get = (code: string) => f[at.get(code) ?? -1] ?? '';
    const [id, raw, rawState, reasonText, submit, start, end, used, nodeText, user, nameText] =
      SQUEUE_FIELDS.map(get) as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
    const ids = expandArrayId(id.trim());
    if (ids === undefined) {
      diagnostics.push({ source: 'squeue', line: clip(line), why: `unreadable job id '${id}'` });
      continue;
    }
    if (rawState.trim() === '') {
      diagnostics.push({ source: 'squeue', line: clip(line), why: 'empty state' });
      continue;
    }
    if (context.user !== undefined && at.has('%u') && user.trim() !== context.user) {
      diagnostics.push({
        source: 'squeue',
        line: clip(line),
        why: `job of another user (${user.trim()}) ignored`,
      });
      continue;
    }
    const state = normalizeSlurmState(rawState);
    const pending = state === 'PENDING';
    const live = isLiveState(state);
    const reason = parseText(reasonText);
    const submittedAt = parseTimestamp(submit);
    // For a pending job %S is the *expected* start, for a running one %e the *expected* end.
    const startedAt = pending ? undefined : parseTimestamp(start);
    const endedAt = live ? undefined : parseTimestamp(end);
    const elapsedSeconds = pending ? undefined : parseDuration(used);
    const nodes = parseNodes(nodeText);
    const name = parseText(nameText);
    const pendingSeconds =
      pending && submittedAt !== undefined && context.remoteNow !== undefined
        ? secondsBetween(submittedAt, context.remoteNow)
        : undefined;
    for (const jobId of ids) {
      const jobIdRaw = ids.length === 1 ? raw.trim() : '';
      observations.push({
        jobId,
        state,
        rawState: rawState.trim(),
        source: 'squeue',
        ...(jobIdRaw !== '' && jobIdRaw !== jobId ? { jobIdRaw } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(submittedAt !== undefined ? { submittedAt } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(endedAt !== undefined ? { endedAt } : {}),
        ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
        ...(pendingSeconds !== undefined ? { pendingSeconds } : {}),
      });
    }
  }
  return { observations, diagnostics };
}
