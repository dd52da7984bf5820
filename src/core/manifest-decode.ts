/**
 * Schema-2 wire object → Manifest: expands what the file leaves implicit (cycle = index,
 * submitted = the cycle's time, interned failures, the log pattern, elapsed from the times) and
 * checks what zod cannot: ids against the factors, cycle numbering, unique job ids.
 */
import { conditionValues, plainNames } from './condition-values.js';
import { levelText } from './conditions.js';
import { exitStatus } from './exit-status.js';
import { ATTEMPT_SLOTS, rememberJobSlots, rememberPositions } from './manifest-index.js';
import { type Attempt, elapsedFromTimes, MANIFEST_SCHEMA_VERSION, type Manifest } from './manifest-model.js';
import { logPathMaker } from './manifest-serialize.js';
import type { WireAttempt, WireCondition, WireManifest } from './manifest-wire.js';
import { TextPool } from './own-text.js';

/**
 * A tick's time (when an attempt was last seen, or went stale), one string per distinct time:
 * JSON.parse makes a string per occurrence, and every attempt of a 100,000-condition manifest
 * holds one of a few hundred tick times (~4 MB of the loaded manifest). Start and end times are
 * mostly distinct: looking them up would cost more than it saves.
 */
function tickTime(times: TextPool, at: string | undefined): string | null {
  return at === undefined ? null : times.own(at);
}

/** What every attempt of one decode shares. */
interface DecodeContext {
  readonly wire: Pick<WireManifest, 'cycles' | 'failures'>;
  readonly times: TextPool;
  /** The log pattern's expansion (logPathMaker), null without one. */
  readonly logPath: ((jobName: string, jobId: string) => string) | null;
}

function decodeAttempt(
  w: WireAttempt,
  ctx: DecodeContext,
  jobName: string,
  index: number,
  where: () => string,
): Attempt {
  const { wire, times } = ctx;
  const cycle = w.cycle ?? index;
  const submittedAt = w.submitted ?? wire.cycles[cycle]?.at;
  if (submittedAt === undefined) throw new Error(`${where()}: cycle ${cycle} was never recorded in cycles`);
  let classification: Attempt['classification'] = null;
  if (w.fail !== undefined) {
    const failure = Object.hasOwn(wire.failures, w.fail) ? wire.failures[w.fail] : undefined;
    if (failure === undefined) throw new Error(`${where()}.fail: "${w.fail}" is not in failures`);
    classification = {
      rootCause: failure.cause,
      signature: failure.sig,
      confidence: w.conf ?? failure.conf,
      evidence: w.ev ?? failure.ev,
    };
  }
  const implied = ctx.logPath === null || w.job === undefined ? null : ctx.logPath(jobName, w.job);
  const out = w.out === undefined ? implied : w.out;
  return {
    cycle,
    phase: w.phase ?? 'submitted',
    jobId: w.job ?? null,
    submittedAt,
    startedAt: w.started ?? null,
    endedAt: w.ended ?? null,
    state: w.state ?? null,
    rawState: w.raw === undefined ? (w.state ?? null) : w.raw,
    reason: w.reason ?? null,
    exit:
      w.exit === undefined
        ? null
        : typeof w.exit === 'number'
          ? exitStatus(w.exit, null)
          : exitStatus(w.exit[0], w.exit[1]),
    classification,
    requested:
      w.req === undefined ? null : { memoryMb: w.req.mem_mb ?? null, timeMinutes: w.req.time_min ?? null },
    used:
      w.used === undefined
        ? null
        : {
            elapsedSeconds:
              w.used.elapsed_s === undefined
                ? elapsedFromTimes(w.started ?? null, w.ended ?? null)
                : w.used.elapsed_s,
            maxRssMb: w.used.max_rss_mb ?? null,
            nodes: w.used.nodes ?? null,
            restarts: w.used.restarts ?? null,
          },
    stdoutPath: out,
    stderrPath: w.err === undefined ? out : w.err,
    submitError: w.error ?? null,
    image: w.img ?? null,
    observedAt: tickTime(times, w.seen),
    staleSince: tickTime(times, w.stale),
  };
}

/**
 * Wire → model. Throws Error with the path of the first inconsistency. Each of `conditions` is
 * taken through `read` (which checks it, or parses and checks it) just before it is decoded, so
 * that what `read` makes of one condition can die before the next is read.
 */
export function decodeManifest<C>(
  wire: Omit<WireManifest, 'conditions'>,
  conditions: Iterable<C>,
  read: (condition: C) => WireCondition,
): Manifest {
  const names = wire.factors.map((f) => f.name);
  const levelByText = new Map(
    wire.factors.map((f) => [f.name, new Map(f.levels.map((l) => [levelText(l), l]))]),
  );
  wire.cycles.forEach((c, i) => {
    if (c.cycle !== i) throw new Error(`cycles[${i}]: expected cycle ${i}, found ${c.cycle}`);
  });
  const lastCycle = wire.cycles.length - 1;
  // Built to find duplicates, and handed over as the manifest's indexes (manifest-index.ts).
  const positions = new Map<string, number>();
  const slots = new Map<string, number>();
  const ctx: DecodeContext = {
    wire,
    times: new TextPool(),
    logPath: wire.log_pattern === null ? null : logPathMaker(wire.log_pattern),
  };
  const plain = plainNames(names);
  const decoded: Manifest['conditions'][number][] = [];
  for (const raw of conditions) {
    const ci = decoded.length;
    const c = read(raw);
    // Where a problem is, named only when there is one (100,000 conditions have none).
    const where = () => `conditions[${ci}] (condition ${c.id})`;
    if (positions.has(c.id)) throw new Error(`${where()}: duplicate condition id`);
    positions.set(c.id, ci);
    const values = conditionValues(c.id, names, levelByText, plain);
    if (values === null) {
      throw new Error(`${where()}: the id does not match the factors ${names.join(', ')} and their levels`);
    }
    const attempts = c.attempts.map((w, ai) => {
      const at = () => `${where()}.attempts[${ai}]`;
      if ((w.cycle ?? ai) > lastCycle)
        throw new Error(`${at()}: cycle ${w.cycle ?? ai} was never recorded in cycles`);
      if ((w.job !== undefined) !== (w.phase === undefined)) {
        throw new Error(`${at()}: a job id is required exactly when the attempt was submitted`);
      }
      if (w.job !== undefined) {
        if (slots.has(w.job)) throw new Error(`${at()}: job ${w.job} already belongs to another attempt`);
        slots.set(w.job, ci * ATTEMPT_SLOTS + ai);
      }
      return decodeAttempt(w, ctx, c.job, ai, at);
    });
    decoded.push({ id: c.id, jobName: c.job, values, attempts });
  }
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    experiment: wire.experiment,
    sweepDigest: wire.sweep_digest,
    createdAt: wire.created_at,
    observedAt: wire.observed_at,
    paused: wire.paused,
    factors: wire.factors,
    cycles: wire.cycles.map((c) => ({
      cycle: c.cycle,
      digest: c.digest,
      reason: c.reason,
      requestedBy: c.requested_by,
      at: c.at,
    })),
    issues: wire.issues,
    ...(wire.dashboard_issue !== undefined ? { dashboardIssue: wire.dashboard_issue } : {}),
    decisions: wire.decisions.map((d) => ({
      at: d.at,
      decision: d.decision,
      band: d.band,
      reasonCode: d.reason_code,
      note: d.note ?? null,
    })),
    conditions: decoded,
  };
  rememberPositions(manifest, positions);
  // More attempts than slots would alias: jobSlots() refuses such a manifest when asked.
  if (decoded.every((c) => c.attempts.length <= ATTEMPT_SLOTS)) rememberJobSlots(manifest, slots);
  return manifest;
}
