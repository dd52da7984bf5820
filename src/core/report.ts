/**
 * The job summary of one tick, as markdown: health and decision first (what a person needs in
 * five seconds), then the states, the root causes, the heat map, what sweepwatch did, and when
 * it looks again. Pure and clock-free: the tick's time is an input, so snapshots are stable.
 */
import type { StateCounts } from './aggregate.js';
import type { Outcome } from './outcome.js';
import { fitMarkdown, STEP_SUMMARY_MAX_BYTES } from './report-budget.js';
import { code, escapeInline } from './report-escape.js';
import { type Bands, heatMap } from './report-heatmap.js';
import { rootCauseTable, statusTable } from './report-tables.js';
import type { SweepSnapshot } from './snapshot.js';
import type { HealthBand } from './types.js';

export { issueFingerprint, issueTitle, renderIssueBody } from './report-issue.js';

/** What a tick did, as the summary shows it (app/tick-result.ts builds it). */
export interface ReportedActions {
  readonly cancelled: readonly string[];
  readonly cancelRefused: readonly { readonly jobId: string; readonly reason: string }[];
  readonly issuesCreated: readonly number[];
  readonly issuesUpdated: readonly number[];
  readonly issuesClosed: readonly number[];
  readonly dispatch: {
    readonly cycle: number;
    readonly conditions: number;
    readonly release: boolean;
    readonly url: string | null;
  } | null;
  /** Why something that could have been done was not (awaiting approval, already dispatched…). */
  readonly notes: readonly string[];
  /** Actions that failed; the next tick tries again. */
  readonly errors: readonly string[];
}

export interface TickReport {
  readonly experiment: string;
  /** The tick's time, ISO 8601. */
  readonly at: string;
  readonly outcome: Pick<
    Outcome,
    'decision' | 'reason' | 'health' | 'counts' | 'groups' | 'concentration' | 'cadence' | 'nextPollSeconds'
  > & { readonly reasonCode: string };
  readonly previousCounts: StateCounts | null;
  readonly snapshot: SweepSnapshot;
  readonly bands: Bands;
  readonly observationErrors: readonly { readonly source: string; readonly message: string }[];
  readonly actions: ReportedActions;
  readonly changed: boolean;
}

export interface ReportOptions {
  /** Default: GitHub's 1 MiB step-summary limit. */
  readonly maxBytes?: number;
}

const BAND: Readonly<Record<HealthBand, string>> = {
  healthy: '🟩 healthy',
  degraded: '🟨 degraded',
  systemic: '🟥 systemic',
};

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

function actionLines(a: ReportedActions): string[] {
  const lines: string[] = [];
  if (a.cancelled.length > 0)
    lines.push(`- Cancelled ${a.cancelled.length} jobs: ${a.cancelled.map(code).join(', ')}`);
  for (const r of a.cancelRefused) lines.push(`- Did not cancel ${code(r.jobId)}: ${escapeInline(r.reason)}`);
  const issues = (label: string, ns: readonly number[]) =>
    ns.length > 0 ? [`- ${label} ${ns.map((n) => `#${n}`).join(', ')}`] : [];
  lines.push(...issues('Opened issue', a.issuesCreated), ...issues('Updated issue', a.issuesUpdated));
  lines.push(...issues('Closed resolved issue', a.issuesClosed));
  if (a.dispatch !== null) {
    const what = a.dispatch.release
      ? `released ${a.dispatch.conditions} held conditions of cycle ${a.dispatch.cycle}`
      : `relaunch cycle ${a.dispatch.cycle} of ${a.dispatch.conditions} conditions`;
    lines.push(`- Dispatched ${what}${a.dispatch.url !== null ? ` ([run](${a.dispatch.url}))` : ''}`);
  }
  lines.push(...a.notes.map((n) => `- ${escapeInline(n)}`));
  lines.push(...a.errors.map((e) => `- ⚠️ ${escapeInline(e)}`));
  return lines.length > 0 ? lines : ['- Nothing to do.'];
}

export function renderTickSummary(report: TickReport, options: ReportOptions = {}): string {
  const o = report.outcome;
  const lines = [
    `## sweepwatch · ${escapeInline(report.experiment)} · ${BAND[o.health.band]}`,
    '',
    `**Decision:** ${o.decision} (\`${o.reasonCode}\`): ${escapeInline(o.reason)}`,
    '',
    `**Health:** ${escapeInline(o.health.reason)} (\`${o.health.reasonCode}\`)`,
  ];
  if (!report.changed) lines.push('', '_No material change since the last tick._');
  for (const e of report.observationErrors) {
    lines.push(
      '',
      `> ⚠️ Observation error (${escapeInline(e.source)}): ${escapeInline(e.message)}. Last known states kept; nothing was marked failed.`,
    );
  }
  lines.push('', '### Jobs', '', ...statusTable(o.counts, report.previousCounts));
  lines.push('', '### Root causes', '', ...rootCauseTable(o.groups, report.snapshot, o.concentration));
  lines.push('', '### Factor heat map', '', ...heatMap(report.snapshot, report.bands));
  lines.push('', '### Actions', '', ...actionLines(report.actions));
  lines.push(
    '',
    `**Next poll:** in ${duration(o.nextPollSeconds)} (${escapeInline(o.cadence.reason)})`,
    '',
    `<sub>Tick at ${report.at}.</sub>`,
  );
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    options.maxBytes ?? STEP_SUMMARY_MAX_BYTES,
    (n) =>
      `> ✂️ Summary cut: ${n} lines left out to stay within the job summary size limit. The \`result\` output and the manifest hold everything.`,
  );
}
