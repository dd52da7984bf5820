/**
 * The final report use case: loads the manifest, reads the expected outputs of every
 * succeeded condition (bounded: the first bytes of each file, up to a number of files), and
 * renders the report, the per-attempt JSONL and the heat map. Writes nothing itself: where the
 * files go is the caller's business (the CLI writes them beside the sweep).
 */
import { renderJob } from '../config/render-job.js';
import type { SweepConfig } from '../config/sweep-config.js';
import { levelText } from '../core/conditions.js';
import { type FinalReport, renderFinalReport } from '../core/final-report.js';
import type {
  ConditionResult,
  FinalReportData,
  OutputFileCheck,
  Prices,
  SessionEvent,
} from '../core/final-report-model.js';
import { parseOutput, worstStatus } from '../core/final-report-results.js';
import type { ConditionRecord, Manifest } from '../core/manifest.js';
import { manifestToSnapshot } from '../core/manifest-snapshot.js';
import { attemptStatus, latestAttempt } from '../core/snapshot.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { manifestMissing } from './errors.js';
import { NEEDS_FIX } from './relaunch-select.js';

/** Reads the first bytes of an output file (a port: local disk for the CLI). */
export interface OutputReader {
  read(
    path: string,
    maxBytes: number,
  ): Promise<
    | { readonly exists: false }
    | { readonly exists: true; readonly size: number; readonly text: string; readonly truncated: boolean }
  >;
}

export interface FinalReportDeps {
  readonly store: Pick<StateStore, 'load'>;
  /** null: the outputs are not reachable from here; they are reported as not checked. */
  readonly outputs: OutputReader | null;
  readonly clock: Clock;
}

export interface FinalReportInput {
  readonly config: SweepConfig;
  readonly session?: readonly SessionEvent[];
  readonly prices?: Partial<Prices>;
  readonly runbook: FinalReportData['runbook'];
  readonly artifacts: FinalReportData['artifacts'];
  readonly clockNote?: string | null;
  /** Bytes read per output file (default 64 KiB). */
  readonly maxBytesPerOutput?: number;
  /** Output files read at most (default 5000): a huge sweep is sampled, and says so. */
  readonly maxOutputFiles?: number;
}

export interface FinalReportResult extends FinalReport {
  readonly manifest: Manifest;
}

function gpuCount(gpus: SweepConfig['template']['resources']['gpus']): number | null {
  if (gpus === null) return null;
  if (typeof gpus === 'number') return gpus;
  const n = Number(gpus.split(':').at(-1));
  return Number.isFinite(n) ? n : null;
}

async function checkOutputs(
  reader: OutputReader,
  config: SweepConfig,
  condition: ConditionRecord,
  maxBytes: number,
): Promise<ConditionResult> {
  const job = renderJob(config, condition);
  const files: OutputFileCheck[] = [];
  const metrics: Record<string, number | null> = {};
  for (const path of job.expectedOutputs) {
    const full = path.startsWith('/') || job.workdir === null ? path : `${job.workdir}/${path}`;
    const read = await reader.read(full, maxBytes);
    if (!read.exists) {
      files.push({ path, status: 'missing', size: null });
      continue;
    }
    const parsed = parseOutput(read.text, path, read.truncated);
    files.push({ path, status: read.size === 0 ? 'empty' : parsed.status, size: read.size });
    for (const [k, v] of Object.entries(parsed.metrics)) if (!(k in metrics)) metrics[k] = v;
  }
  return { conditionId: condition.id, status: worstStatus(files.map((f) => f.status)), metrics, files };
}

export async function finalReport(
  deps: FinalReportDeps,
  input: FinalReportInput,
): Promise<FinalReportResult> {
  const { config } = input;
  const loaded = await deps.store.load();
  if (loaded === null) throw manifestMissing(config.experiment);
  const manifest = loaded.manifest;
  const now = deps.clock.now().toISOString();
  const r = config.template.resources;
  const snapshot = manifestToSnapshot(manifest, { now, defaults: r });
  const succeeded = new Set(
    snapshot.conditions
      .filter((c) => {
        const last = latestAttempt(c);
        return last !== undefined && attemptStatus(last) === 'succeeded';
      })
      .map((c) => c.id),
  );
  const results: ConditionResult[] = [];
  const budget = input.maxOutputFiles ?? 5000;
  let reads = 0;
  if (config.outputs.expected.length > 0) {
    for (const c of manifest.conditions.filter((x) => succeeded.has(x.id))) {
      if (deps.outputs === null) {
        results.push({ conditionId: c.id, status: 'not_checked', metrics: {}, files: [] });
        continue;
      }
      reads += config.outputs.expected.length;
      if (reads > budget) break;
      results.push(await checkOutputs(deps.outputs, config, c, input.maxBytesPerOutput ?? 64 * 1024));
    }
  }
  const data: FinalReportData = {
    experiment: config.experiment,
    generatedAt: now,
    manifest,
    factors: config.factors.map((f) => ({ name: f.name, levels: f.levels.map(levelText) })),
    policy: config.policy,
    schedulerKind: config.scheduler.kind,
    template: { memoryMb: r.memoryMb, timeMinutes: r.timeMinutes, cpus: r.cpus, gpus: gpuCount(r.gpus) },
    expectedOutputs: config.outputs.expected,
    results,
    prices: { cpuHour: input.prices?.cpuHour ?? null, gpuHour: input.prices?.gpuHour ?? null },
    session: input.session ?? [],
    needsFix: NEEDS_FIX,
    runbook: input.runbook,
    artifacts: input.artifacts,
    clockNote: input.clockNote ?? null,
  };
  return { ...renderFinalReport(data), manifest };
}
