/**
 * `scontrol --oneliner show job <id>` → observations. The fallback source for what squeue lacks
 * when accounting is down: exit code, restart count, and the *expanded* StdOut/StdErr paths.
 * It knows a job only for MinJobAge seconds after its end, like squeue.
 */
import { ownText } from '../../core/own-text.js';
import type { JobObservation } from '../../core/types.js';
import type { ObserveDiagnostic } from '../../ports/scheduler.js';
import {
  clip,
  parseCount,
  parseDuration,
  parseExitCode,
  parseNodes,
  parseText,
  parseTimestamp,
  secondsBetween,
} from './fields.js';
import { expandArrayId } from './job-ids.js';
import { isLiveState, normalizeSlurmState } from './states.js';

/** `Key=value Key2=value with spaces …` → map. A value runs until the next ` Key=`. */
export function parseKeyValues(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_:/.]*)=/g;
  const hits = [...line.matchAll(re)];
  hits.forEach((hit, i) => {
    const key = hit[1] ?? '';
    const valueStart = (hit.index ?? 0) + hit[0].length;
    const next = hits[i + 1];
    const valueEnd = next ? (next.index ?? line.length) : line.length;
    if (!out.has(key)) out.set(key, line.slice(valueStart, valueEnd).trim());
  });
  return out;
}

/**
 * Records from either form of `scontrol show job`: --oneliner (one line per job) or the default
 * (a record over several indented lines, records separated by blank lines).
 */
export function scontrolRecords(lines: readonly string[]): string[] {
  const records: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('JobId=') || records.length === 0) records.push(t);
    else records[records.length - 1] += ` ${t}`;
  }
  return records;
}

export interface ScontrolContext {
  readonly user?: string;
  readonly remoteNow?: string;
}

export function parseScontrol(
  lines: readonly string[],
  context: ScontrolContext = {},
): { observations: JobObservation[]; diagnostics: ObserveDiagnostic[] } {
  const observations: JobObservation[] = [];
  const diagnostics: ObserveDiagnostic[] = [];
  for (const line of scontrolRecords(lines)) {
    const kv = parseKeyValues(line);
    const jobIdRaw = kv.get('JobId');
    const rawState = kv.get('JobState');
    if (!jobIdRaw || !/^\d+$/.test(jobIdRaw) || !rawState) {
      diagnostics.push({ source: 'scontrol', line: clip(line), why: 'no JobId or JobState' });
      continue;
    }
    const owner = /^([^(]*)/.exec(kv.get('UserId') ?? '')?.[1];
    if (context.user !== undefined && owner !== context.user) {
      diagnostics.push({
        source: 'scontrol',
        line: clip(line),
        why: `job of another user (${owner}) ignored`,
      });
      continue;
    }
    const master = kv.get('ArrayJobId');
    const task = kv.get('ArrayTaskId');
    const display =
      master && task && task !== 'N/A'
        ? /^\d+$/.test(task)
          ? `${master}_${task}`
          : `${master}_[${task}]`
        : jobIdRaw;
    const ids = expandArrayId(display);
    if (!ids) {
      diagnostics.push({ source: 'scontrol', line: clip(line), why: `unreadable array task '${display}'` });
      continue;
    }
    const state = normalizeSlurmState(rawState);
    const pending = state === 'PENDING';
    const live = isLiveState(state);
    const exit = live ? undefined : parseExitCode(kv.get('ExitCode') ?? '');
    const submittedAt = parseTimestamp(kv.get('SubmitTime') ?? '');
    const startedAt = pending ? undefined : parseTimestamp(kv.get('StartTime') ?? '');
    const endedAt = live ? undefined : parseTimestamp(kv.get('EndTime') ?? '');
    const elapsedSeconds = pending ? undefined : parseDuration(kv.get('RunTime') ?? '');
    const restarts = parseCount(kv.get('Restarts') ?? '');
    const nodes = parseNodes(kv.get('NodeList') ?? '');
    const reason = parseText(kv.get('Reason') ?? '');
    const name = parseText(kv.get('JobName') ?? '');
    const stdoutPath = parseText(kv.get('StdOut') ?? '');
    const stderrPath = parseText(kv.get('StdErr') ?? '');
    const pendingSeconds =
      pending && submittedAt && context.remoteNow
        ? secondsBetween(submittedAt, context.remoteNow)
        : undefined;
    for (const jobId of ids) {
      // Cut from the answer: kept, they must not hold it (own-text.ts).
      observations.push({
        jobId: ownText(jobId),
        state,
        rawState: ownText(rawState),
        source: 'scontrol',
        ...(ids.length === 1 && jobIdRaw !== jobId ? { jobIdRaw } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(exit !== undefined ? { exit } : {}),
        ...(submittedAt !== undefined ? { submittedAt } : {}),
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(endedAt !== undefined ? { endedAt } : {}),
        ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
        ...(nodes !== undefined ? { nodes } : {}),
        ...(restarts !== undefined ? { restarts } : {}),
        ...(stdoutPath !== undefined ? { stdoutPath } : {}),
        ...(stderrPath !== undefined ? { stderrPath } : {}),
        ...(pendingSeconds !== undefined ? { pendingSeconds } : {}),
      });
    }
  }
  return { observations, diagnostics };
}
