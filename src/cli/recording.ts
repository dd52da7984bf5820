/**
 * Recorded scheduler snapshots, for `sweepwatch replay`. `tick --record` and `watch --record`
 * append one JSON line per tick: the manifest the tick started from, what the scheduler
 * answered (observe, log tails) and what the tick decided. Replay feeds those answers back to
 * the same tick use case, so the same inputs must give the same decision; with another sweep
 * file (other thresholds) it shows what the bot would have done instead.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { JOB_STATES } from '../core/types.js';
import {
  type LogTail,
  OBSERVATION_ERROR_KINDS,
  type ObserveResult,
  type Scheduler,
  SchedulerError,
} from '../ports/scheduler.js';
import { CliError } from './errors.js';

const exitSchema = z.object({ code: z.int().nullable(), signal: z.int().nullable() });

const observationSchema = z.object({
  jobId: z.string(),
  state: z.enum(JOB_STATES),
  rawState: z.string(),
  reason: z.string().exactOptional(),
  exit: exitSchema.exactOptional(),
  submittedAt: z.string().exactOptional(),
  startedAt: z.string().exactOptional(),
  endedAt: z.string().exactOptional(),
  elapsedSeconds: z.number().exactOptional(),
  nodes: z.string().exactOptional(),
  restarts: z.number().exactOptional(),
  stdoutPath: z.string().exactOptional(),
  stderrPath: z.string().exactOptional(),
  name: z.string().exactOptional(),
  jobIdRaw: z.string().exactOptional(),
  pendingSeconds: z.number().exactOptional(),
  source: z.string().exactOptional(),
});

const observeSchema = z.union([
  z.object({
    observations: z.array(observationSchema).readonly(),
    missing: z.array(z.string()).readonly(),
    unobserved: z.array(z.string()).readonly(),
    diagnostics: z.array(z.object({ source: z.string(), line: z.string(), why: z.string() })).readonly(),
    errors: z
      .array(z.object({ kind: z.enum(OBSERVATION_ERROR_KINDS), source: z.string(), message: z.string() }))
      .readonly(),
  }),
  /** The observe call itself failed (the connection was down): replayed as the same failure. */
  z.object({ failed: z.object({ source: z.string(), message: z.string() }) }),
]);

const logTailSchema = z.object({
  text: z.string(),
  truncated: z.boolean(),
  missing: z.array(z.string()).readonly(),
  files: z
    .array(z.object({ path: z.string(), missing: z.boolean(), size: z.number(), truncated: z.boolean() }))
    .readonly(),
});

export const recordedTickSchema = z.object({
  version: z.literal(1),
  experiment: z.string(),
  /** The tick's time: the replayed tick runs at it. */
  at: z.string(),
  /** The manifest the tick started from, as its file text; absent: continue from the previous replayed tick. */
  manifest: z.string().exactOptional(),
  observe: observeSchema.nullable(),
  log_tails: z.record(z.string(), logTailSchema),
  decided: z.object({ decision: z.string(), reason_code: z.string(), band: z.string() }).exactOptional(),
});
export type RecordedTick = z.infer<typeof recordedTickSchema>;
type RecordedObserve = z.infer<typeof observeSchema>;

const recordingFileSchema = z.object({ ticks: z.array(recordedTickSchema) });

/** Captures what the scheduler answers during one tick; reads and writes go through untouched. */
export class SchedulerTape {
  private observed: RecordedObserve | null = null;
  private tails: Record<string, LogTail> = {};

  wrap(inner: Scheduler): Scheduler {
    return {
      prepare: () => inner.prepare?.(),
      observe: async (ids) => {
        try {
          const result = await inner.observe(ids);
          this.observed = { ...result, observations: [...result.observations.values()] };
          return result;
        } catch (error) {
          const source = error instanceof SchedulerError ? error.source : 'transport';
          this.observed = {
            failed: { source, message: error instanceof Error ? error.message : String(error) },
          };
          throw error;
        }
      },
      readLogTails: async (requests, max) => {
        const tails = await inner.readLogTails(requests, max);
        for (const [jobId, tail] of tails) this.tails[jobId] = tail;
        return tails;
      },
      submit: (request) => inner.submit(request),
      cancel: (ids, scope) => inner.cancel(ids, scope),
      preflight: (request) => inner.preflight(request),
      findByName: (prefix) => inner.findByName(prefix),
    };
  }

  /** What was captured since the last take. */
  take(): { observe: RecordedObserve | null; log_tails: Record<string, LogTail> } {
    const out = { observe: this.observed, log_tails: this.tails };
    this.observed = null;
    this.tails = {};
    return out;
  }
}

export async function appendRecord(path: string, tick: RecordedTick): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(tick)}\n`);
}

/** A recording: JSON Lines as `--record` writes them, or one JSON object `{ticks: [...]}`. */
export async function readRecording(path: string): Promise<RecordedTick[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(
      `cannot read the recording ${path}`,
      'record one with `sweepwatch watch --record <file>`',
      'recording_missing',
    );
  }
  const bad = (where: string, why: string) =>
    new CliError(
      `${path}${where}: not a sweepwatch recording (${why})`,
      'record one with `sweepwatch watch --record <file>`',
      'recording_invalid',
    );
  const trimmed = text.trim();
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    // Several lines of JSON: JSON Lines, read line by line below.
  }
  if (typeof whole === 'object' && whole !== null && 'ticks' in whole) {
    const parsed = recordingFileSchema.safeParse(whole);
    if (!parsed.success) throw bad('', parsed.error.issues[0]?.message ?? 'invalid');
    if (parsed.data.ticks.length === 0) throw bad('', 'no ticks');
    return parsed.data.ticks;
  }
  return parseLines(trimmed.split('\n'), bad);
}

function parseLines(lines: readonly string[], bad: (where: string, why: string) => Error): RecordedTick[] {
  const ticks: RecordedTick[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw bad(`:${i + 1}`, 'invalid JSON');
    }
    const parsed = recordedTickSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw bad(`:${i + 1}`, `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`);
    }
    ticks.push(parsed.data);
  }
  if (ticks.length === 0) throw bad('', 'no ticks');
  return ticks;
}

/** A scheduler that answers from one recorded tick; it can neither submit nor cancel. */
export function replayScheduler(tick: RecordedTick): Scheduler {
  const refuse = (what: string) => () => Promise.reject(new Error(`replay: the recording cannot ${what}`));
  return {
    async observe(): Promise<ObserveResult> {
      const o = tick.observe;
      if (o === null)
        return { observations: new Map(), missing: [], unobserved: [], diagnostics: [], errors: [] };
      if ('failed' in o) throw new SchedulerError(o.failed.source, o.failed.message);
      return { ...o, observations: new Map(o.observations.map((obs) => [obs.jobId, obs])) };
    },
    async readLogTails(requests) {
      const out = new Map<string, LogTail>();
      for (const r of requests) {
        const tail = tick.log_tails[r.jobId];
        if (tail !== undefined) out.set(r.jobId, tail);
      }
      return out;
    },
    submit: refuse('submit'),
    cancel: refuse('cancel'),
    preflight: refuse('run a preflight'),
    findByName: refuse('look jobs up'),
  };
}
