/**
 * observe(): every requested id in ONE remote call (observe-script.ts), read as it streams in
 * (observe-answer.ts) and parsed per source, merged per job (merge.ts), then accounted per
 * requested id: found, missing (every source answered and none knows it) or unobserved (a source
 * failed: the caller keeps the last state).
 */
import type { JobObservation } from '../../core/types.js';
import { execByLine } from '../../ports/exec-lines.js';
import type { ObservationError, ObserveDiagnostic, ObserveResult } from '../../ports/scheduler.js';
import { type Transport, TransportError } from '../../ports/transport.js';
import { clip } from './fields.js';
import { arrayMaster, chunkIds, isValidJobId } from './job-ids.js';
import { forEachMerged, type Views } from './merge.js';
import { ObserveAnswer } from './observe-answer.js';
import { observeArgv } from './observe-script.js';
import { sacctObservation } from './sacct-observation.js';
import type { SacctJob } from './sacct-parse.js';
import { parseScontrol } from './scontrol-parse.js';
import type { FramedHeads, SectionHead } from './sections.js';
import { SqueueReader } from './squeue-parse.js';

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
  /** Where each requested id sits in `requested` (found jobs are filed by it, see fileByRequest). */
  const position = new Map<string, number>();
  const invalid: string[] = [];
  const invalidSeen = new Set<string>();
  // Each id once, in the order first given.
  for (const id of jobIds) {
    if (position.has(id) || invalidSeen.has(id)) continue;
    if (isValidJobId(id)) {
      position.set(id, requested.length);
      requested.push(id);
    } else {
      invalidSeen.add(id);
      invalid.push(id);
      diagnostics.push({ source: 'input', line: clip(id), why: 'not a Slurm job id; not queried' });
    }
  }
  if (requested.length === 0) {
    return { observations: new Map(), missing: invalid, unobserved: [], diagnostics, errors: [] };
  }
  const chunks = chunkIds(requested, options.chunkBytes);
  // Read as it arrives: the answer is never held whole (observe-answer.ts).
  const answer = new ObserveAnswer(chunks.length, options.nonce);
  let framed: FramedHeads;
  try {
    const result = await execByLine(
      transport,
      observeArgv(options.nonce, options.fallbackCap),
      (line) => answer.add(line),
      {
        stdin: `${chunks.join('\n')}\n`,
        timeoutMs: options.timeoutMs,
        maxStdoutBytes: options.maxStdoutBytes,
      },
    );
    framed = answer.finish(result.stderr);
    if (result.stdoutTruncated) framed = { ...framed, done: false };
  } catch (error) {
    // A refused host key or login is no outage: it must fail the run, not pass as a stale tick.
    if (!(error instanceof TransportError) || !error.transient) throw error;
    // Nothing was seen this tick: every job keeps its last known state.
    const errors: ObservationError[] = [{ kind: 'transport', source: 'transport', message: error.message }];
    return { observations: new Map(), missing: invalid, unobserved: requested, diagnostics, errors };
  }
  return assemble(answer, framed, chunks, { requested, position, invalid }, diagnostics);
}

/** The ids asked for: valid ones (each once, in order, and where each sits) and the others. */
interface Asked {
  readonly requested: readonly string[];
  readonly position: ReadonlyMap<string, number>;
  readonly invalid: readonly string[];
}

function assemble(
  answer: ObserveAnswer,
  framed: FramedHeads,
  chunks: readonly string[],
  asked: Asked,
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
  // The first section of each source and key is the one read (a repeated one is ignored).
  const first = new Map<string, SectionHead>();
  for (const s of framed.sections)
    if (!first.has(`${s.source}:${s.key}`)) first.set(`${s.source}:${s.key}`, s);

  // squeue's sections are read now, in chunk order; sacct's and scontrol's were as they came.
  const squeueReader = new SqueueReader(context);
  const sacctReader = answer.sacct;
  /** Whether every source of chunk i answered completely. */
  const complete: boolean[] = [];

  chunks.forEach((_, i) => {
    const q = first.get(`squeue:${i}`);
    const a = first.get(`sacct:${i}`);
    let ok = true;
    if (!q || q.rc === null) {
      ok = false;
      addError({ kind: 'incomplete_output', source: 'squeue', message: 'squeue output was cut short' });
    } else if (q.rc !== 0 && !NOT_FOUND.test(q.stderr)) {
      ok = false;
      addError({ kind: 'query_failed', source: 'squeue', message: firstError(q) });
    } else {
      for (const line of answer.squeueLines(i)) squeueReader.add(line);
    }
    if (!a || a.rc === null) {
      ok = false;
      addError({ kind: 'incomplete_output', source: 'sacct', message: 'sacct output was cut short' });
    } else if (a.rc !== 0 || (!answer.sacctHadLines(i) && /error/i.test(a.stderr))) {
      ok = false;
      addError({ kind: 'sacct_unavailable', source: 'sacct', message: firstError(a) });
    }
    complete.push(ok);
  });
  if (!framed.done) {
    addError({ kind: 'incomplete_output', source: 'script', message: scriptTrouble(framed) });
  }

  // A loop, not push(...list): these lists can be long enough to pass V8's argument limit.
  const squeue = new Map<string, JobObservation>();
  for (const o of squeueReader.observations) squeue.set(o.jobId, o);
  for (const d of squeueReader.diagnostics) diagnostics.push(d);
  for (const d of sacctReader.diagnostics) diagnostics.push(d);
  const scontrol = parseScontrol(answer.scontrolLines, context);
  for (const d of scontrol.diagnostics) diagnostics.push(d);
  const views = {
    squeue,
    sacct: sacctReader.jobs,
    scontrol: new Map(scontrol.observations.map((o) => [o.jobId, o])),
  };
  const byRequest = fileByRequest(views, asked.position, asked.requested.length);

  const observations = new Map<string, JobObservation>();
  const missing: string[] = [...asked.invalid];
  const unobserved: string[] = [];
  let chunkOf: Uint32Array | undefined;
  for (let i = 0; i < asked.requested.length; i++) {
    const id = asked.requested[i] ?? '';
    const found = byRequest[i];
    if (found === undefined) {
      // Worked out only when some id is not found, which is rare.
      chunkOf ??= chunkOfEach(chunks, asked.requested.length);
      if (complete[chunkOf[i] ?? -1] && framed.done) missing.push(id);
      else unobserved.push(id);
    } else if (Array.isArray(found)) for (const o of found) observations.set(o.jobId, o);
    else observations.set(found.jobId, found);
  }
  return { observations, missing, unobserved, diagnostics, errors };
}

/** The chunk of each requested id, by its place: chunkIds cuts the ids into chunks in order. */
function chunkOfEach(chunks: readonly string[], count: number): Uint32Array {
  const chunkOf = new Uint32Array(count);
  let i = 0;
  chunks.forEach((chunk, c) => {
    for (let comma = -1; i < count; i++) {
      chunkOf[i] = c;
      comma = chunk.indexOf(',', comma + 1);
      if (comma < 0) {
        i++;
        break;
      }
    }
  });
  return chunkOf;
}

/**
 * The merged jobs (merge.ts) filed under each requested id they match, by the id's place in the
 * request: a requested id names a job by its id, its raw id (an array task's own id), or its
 * array master. Only requested keys are filed (no index of every key of 100,000 jobs), and a
 * place with one job holds it alone, not in a list: nearly every place has one.
 */
function fileByRequest(
  views: Views<SacctJob>,
  position: ReadonlyMap<string, number>,
  count: number,
): (JobObservation | JobObservation[] | undefined)[] {
  const found = new Array<JobObservation | JobObservation[] | undefined>(count);
  const add = (key: string, o: JobObservation) => {
    const i = position.get(key);
    if (i === undefined) return;
    const seen = found[i];
    if (seen === undefined) found[i] = o;
    else if (Array.isArray(seen)) seen.push(o);
    else found[i] = [seen, o];
  };
  // Each job is added once per distinct key of its own, so no list holds it twice (and no
  // includes() scan is needed: an array master's list can hold thousands of tasks).
  forEachMerged(views, sacctObservation, (_, o) => {
    add(o.jobId, o);
    const raw = o.jobIdRaw;
    if (raw !== undefined && raw !== o.jobId) add(raw, o);
    // Only an array task has a master: no regex for the plain ids.
    const master = o.jobId.includes('_') ? arrayMaster(o.jobId) : undefined;
    if (master !== undefined && master !== o.jobId && master !== raw) add(master, o);
  });
  return found;
}

function firstError(s: SectionHead): string {
  const lines = s.stderr.split('\n').filter((l) => l.trim() !== '');
  const line = lines.find((l) => /error/i.test(l)) ?? lines[0];
  return clip(line ?? `${s.source} exited ${s.rc}`);
}

function scriptTrouble(framed: FramedHeads): string {
  const err = framed.meta.get('error');
  if (err) return `observe script failed: ${err}`;
  const stray = framed.stray.find((l) => l.trim() !== '');
  return stray
    ? `observe script did not finish: ${clip(stray)}`
    : 'observe script did not finish (output cut short?)';
}
