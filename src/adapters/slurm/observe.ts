/**
 * observe(): every requested id in ONE remote call (observe-script.ts), parsed per source,
 * merged per job (merge.ts), then accounted per requested id: found, missing (every source
 * answered and none knows it) or unobserved (a source failed: the caller keeps the last state).
 */
import type { JobObservation } from '../../core/types.js';
import type { ObservationError, ObserveDiagnostic, ObserveResult } from '../../ports/scheduler.js';
import { type Transport, TransportError } from '../../ports/transport.js';
import { clip } from './fields.js';
import { arrayMaster, chunkIds, isValidJobId } from './job-ids.js';
import { mergeViews } from './merge.js';
import { observeArgv } from './observe-script.js';
import { parseSacct, sacctObservation } from './sacct-parse.js';
import { parseScontrol } from './scontrol-parse.js';
import { type Framed, parseFramed, type Section } from './sections.js';
import { parseSqueue } from './squeue-parse.js';

export interface ObserveOptions {
  readonly nonce: string;
  /** Max bytes of one comma-joined id list (one squeue/sacct call). */
  readonly chunkBytes: number;
  /** Max `scontrol show job` calls in the sacct-down fallback. */
  readonly fallbackCap: number;
  readonly timeoutMs: number;
  readonly maxStdoutBytes: number;
}

/** squeue exits 1 for a single unknown id ("Invalid job id specified"): that is "not found". */
const NOT_FOUND = /Invalid job id specified/i;

export async function observeJobs(
  transport: Transport,
  jobIds: readonly string[],
  options: ObserveOptions,
): Promise<ObserveResult> {
  const diagnostics: ObserveDiagnostic[] = [];
  const requested: string[] = [];
  const invalid: string[] = [];
  for (const id of new Set(jobIds)) {
    if (isValidJobId(id)) requested.push(id);
    else {
      invalid.push(id);
      diagnostics.push({ source: 'input', line: clip(id), why: 'not a Slurm job id; not queried' });
    }
  }
  if (requested.length === 0) {
    return { observations: new Map(), missing: invalid, unobserved: [], diagnostics, errors: [] };
  }
  const chunks = chunkIds(requested, options.chunkBytes);
  let framed: Framed;
  try {
    const result = await transport.exec(observeArgv(options.nonce, options.fallbackCap), {
      stdin: `${chunks.join('\n')}\n`,
      timeoutMs: options.timeoutMs,
      maxStdoutBytes: options.maxStdoutBytes,
    });
    framed = parseFramed(result.stdout, result.stderr, options.nonce);
    if (result.stdoutTruncated) framed = { ...framed, done: false };
  } catch (error) {
    // A refused host key or login is no outage: it must fail the run, not pass as a stale tick.
    if (!(error instanceof TransportError) || !error.transient) throw error;
    // Nothing was seen this tick: every job keeps its last known state.
    const errors: ObservationError[] = [{ kind: 'transport', source: 'transport', message: error.message }];
    return { observations: new Map(), missing: invalid, unobserved: requested, diagnostics, errors };
  }
  return assemble(framed, chunks, requested, invalid, diagnostics);
}

function assemble(
  framed: Framed,
  chunks: readonly string[],
  requested: readonly string[],
  invalid: readonly string[],
  diagnostics: ObserveDiagnostic[],
): ObserveResult {
  const errors: ObservationError[] = [];
  const addError = (e: ObservationError) => {
    if (!errors.some((x) => x.kind === e.kind && x.source === e.source && x.message === e.message))
      errors.push(e);
  };
  const user = framed.meta.get('user');
  const remoteNow = framed.meta.get('now');
  const context = { ...(user ? { user } : {}), ...(remoteNow ? { remoteNow } : {}) };
  const section = (source: string, key: string): Section | undefined =>
    framed.sections.find((s) => s.source === source && s.key === key);

  const squeue = new Map<string, JobObservation>();
  const sacctLines: string[] = [];
  const scontrolLines: string[] = [];
  /** Ids of chunks whose every source answered completely. */
  const complete = new Set<string>();

  chunks.forEach((chunk, i) => {
    const q = section('squeue', String(i));
    const a = section('sacct', String(i));
    let ok = true;
    if (!q || q.rc === null) {
      ok = false;
      addError({ kind: 'incomplete_output', source: 'squeue', message: 'squeue output was cut short' });
    } else if (q.rc !== 0 && !NOT_FOUND.test(q.stderr)) {
      ok = false;
      addError({ kind: 'query_failed', source: 'squeue', message: firstError(q) });
    } else {
      const parsed = parseSqueue(q.lines, context);
      for (const o of parsed.observations) squeue.set(o.jobId, o);
      diagnostics.push(...parsed.diagnostics);
    }
    if (!a || a.rc === null) {
      ok = false;
      addError({ kind: 'incomplete_output', source: 'sacct', message: 'sacct output was cut short' });
    } else if (a.rc !== 0 || (a.lines.length === 0 && /error/i.test(a.stderr))) {
      ok = false;
      addError({ kind: 'sacct_unavailable', source: 'sacct', message: firstError(a) });
    } else {
      // A loop, not push(...lines): a chunk of 10,000 jobs is ~40,000 lines, near V8's argument limit.
      for (const line of a.lines) sacctLines.push(line);
    }
    if (ok) for (const id of chunk.split(',')) complete.add(id);
  });
  for (const s of framed.sections) {
    if (s.source === 'scontrol' && s.rc === 0) for (const line of s.lines) scontrolLines.push(line);
  }
  if (!framed.done) {
    addError({ kind: 'incomplete_output', source: 'script', message: scriptTrouble(framed) });
  }

  const sacct = parseSacct(sacctLines);
  diagnostics.push(...sacct.diagnostics);
  const scontrol = parseScontrol(scontrolLines, context);
  diagnostics.push(...scontrol.diagnostics);
  const merged = mergeViews({
    squeue,
    sacct: toObservations(sacct.jobs),
    scontrol: new Map(scontrol.observations.map((o) => [o.jobId, o])),
  });

  const observations = new Map<string, JobObservation>();
  const missing: string[] = [...invalid];
  const unobserved: string[] = [];
  const byKey = indexByRequestKeys(merged);
  for (const id of requested) {
    const found = byKey.get(id);
    if (found && found.length > 0) for (const o of found) observations.set(o.jobId, o);
    else if (complete.has(id) && framed.done) missing.push(id);
    else unobserved.push(id);
  }
  return { observations, missing, unobserved, diagnostics, errors };
}

function toObservations(jobs: ReturnType<typeof parseSacct>['jobs']): Map<string, JobObservation> {
  return new Map([...jobs].map(([id, job]) => [id, sacctObservation(job)]));
}

/** A requested id matches a job by its id, its raw id (an array task's own id), or its array master. */
function indexByRequestKeys(merged: ReadonlyMap<string, JobObservation>): Map<string, JobObservation[]> {
  const index = new Map<string, JobObservation[]>();
  const add = (key: string, o: JobObservation) => {
    const list = index.get(key);
    if (list === undefined) index.set(key, [o]);
    else list.push(o);
  };
  // Each job is added once per distinct key of its own, so no list holds it twice (and no
  // includes() scan is needed: an array master's list can hold thousands of tasks).
  for (const o of merged.values()) {
    add(o.jobId, o);
    const raw = o.jobIdRaw;
    if (raw !== undefined && raw !== o.jobId) add(raw, o);
    const master = arrayMaster(o.jobId);
    if (master !== undefined && master !== o.jobId && master !== raw) add(master, o);
  }
  return index;
}

function firstError(s: Section): string {
  const lines = s.stderr.split('\n').filter((l) => l.trim() !== '');
  const line = lines.find((l) => /error/i.test(l)) ?? lines[0];
  return clip(line ?? `${s.source} exited ${s.rc}`);
}

function scriptTrouble(framed: Framed): string {
  const err = framed.meta.get('error');
  if (err) return `observe script failed: ${err}`;
  const stray = framed.stray.find((l) => l.trim() !== '');
  return stray
    ? `observe script did not finish: ${clip(stray)}`
    : 'observe script did not finish (output cut short?)';
}
