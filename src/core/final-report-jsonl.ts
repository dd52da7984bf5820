/**
 * `outputs/factorial_run_<experiment>.jsonl`: one line per condition-attempt, the machine
 * record of the sweep (a person reads the markdown report; a notebook reads this). Stable
 * snake_case keys; metrics only on the attempt that produced them (the condition's latest,
 * when it succeeded).
 */
import { levelText } from './conditions.js';
import type { ConditionResult, TemplateResources } from './final-report-model.js';
import { elapsedFromTimes, type Manifest } from './manifest-model.js';

export interface RunLine {
  readonly experiment: string;
  readonly condition_id: string;
  readonly job_name: string;
  readonly factors: Readonly<Record<string, string>>;
  readonly attempt: number;
  readonly cycle: number;
  readonly latest: boolean;
  readonly job_id: string | null;
  readonly phase: string;
  readonly state: string | null;
  readonly root_cause: string | null;
  readonly signature: string | null;
  readonly confidence: number | null;
  readonly memory_mb: number | null;
  readonly time_minutes: number | null;
  readonly submitted_at: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly elapsed_seconds: number | null;
  readonly cpu_hours: number | null;
  readonly exit_code: number | null;
  readonly exit_signal: number | null;
  readonly outputs: string | null;
  readonly metrics: Readonly<Record<string, number | null>> | null;
}

export function runLines(
  m: Manifest,
  template: TemplateResources,
  results: readonly ConditionResult[],
): RunLine[] {
  const byId = new Map(results.map((r) => [r.conditionId, r]));
  const lines: RunLine[] = [];
  for (const c of m.conditions) {
    c.attempts.forEach((a, i) => {
      const latest = i === c.attempts.length - 1;
      const result = latest ? byId.get(c.id) : undefined;
      const elapsed = a.used?.elapsedSeconds ?? elapsedFromTimes(a.startedAt, a.endedAt);
      lines.push({
        experiment: m.experiment,
        condition_id: c.id,
        job_name: c.jobName,
        factors: Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, levelText(v)])),
        attempt: i,
        cycle: a.cycle,
        latest,
        job_id: a.jobId,
        phase: a.phase,
        state: a.state,
        root_cause: a.classification?.rootCause ?? (a.state === 'COMPLETED' ? 'none' : null),
        signature: a.classification?.signature ?? null,
        confidence: a.classification?.confidence ?? null,
        memory_mb: a.requested?.memoryMb ?? template.memoryMb,
        time_minutes: a.requested?.timeMinutes ?? template.timeMinutes,
        submitted_at: a.submittedAt,
        started_at: a.startedAt,
        ended_at: a.endedAt,
        elapsed_seconds: elapsed,
        cpu_hours: elapsed === null ? null : (elapsed * (template.cpus ?? 1)) / 3600,
        exit_code: a.exit?.code ?? null,
        exit_signal: a.exit?.signal ?? null,
        outputs: result?.status ?? null,
        metrics: result === undefined ? null : result.metrics,
      });
    });
  }
  return lines;
}

/** JSON Lines text; JSON has no NaN, so a non-finite metric is written as null (flagged in the report). */
export function renderRunJsonl(lines: readonly RunLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : '');
}
