/**
 * The short summaries of the use cases that submit or cancel (launch, relaunch, cancel): what
 * was asked, what the scheduler did with it, and what was refused and why.
 */
import { fitMarkdown, STEP_SUMMARY_MAX_BYTES } from './report-budget.js';
import { code, escapeInline } from './report-escape.js';

export interface SubmissionReport {
  readonly reasonCode: string;
  readonly reason: string;
  readonly submitted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly adopted: readonly { readonly conditionId: string; readonly jobId: string }[];
  readonly rejected: readonly { readonly conditionId: string; readonly message: string }[];
  readonly skipped?: number;
  readonly held?: readonly string[];
  readonly refused?: readonly { readonly conditionId: string; readonly reason: string }[];
  readonly preflight?: {
    readonly problems: readonly { readonly severity: string; readonly message: string }[];
  };
}

const MAX_ROWS = 200;

function rows(title: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, MAX_ROWS);
  const more = items.length - shown.length;
  return [
    '',
    `### ${title} (${items.length})`,
    '',
    ...shown.map((i) => `- ${i}`),
    ...(more > 0 ? [`- … and ${more} more`] : []),
  ];
}

function render(heading: string, r: SubmissionReport): string {
  const lines = [`## ${heading}`, '', `\`${r.reasonCode}\`: ${escapeInline(r.reason)}`];
  const problems = r.preflight?.problems ?? [];
  lines.push(
    ...rows(
      'Preflight problems',
      problems.map((p) => `${p.severity}: ${escapeInline(p.message)}`),
    ),
  );
  lines.push(
    ...rows(
      'Submitted',
      r.submitted.map((s) => `${code(s.conditionId)} → job ${code(s.jobId)}`),
    ),
  );
  lines.push(
    ...rows(
      'Adopted after an interrupted run',
      r.adopted.map((s) => `${code(s.conditionId)} → job ${code(s.jobId)}`),
    ),
  );
  lines.push(
    ...rows(
      'Rejected by the scheduler',
      r.rejected.map((s) => `${code(s.conditionId)}: ${escapeInline(s.message)}`),
    ),
  );
  lines.push(
    ...rows(
      'Refused',
      (r.refused ?? []).map((s) => `${code(s.conditionId)}: ${escapeInline(s.reason)}`),
    ),
  );
  lines.push(
    ...rows(
      'Held until the canary succeeds',
      (r.held ?? []).map((id) => code(id)),
    ),
  );
  if (r.skipped !== undefined && r.skipped > 0)
    lines.push('', `${r.skipped} conditions already had an attempt.`);
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    STEP_SUMMARY_MAX_BYTES,
    (n) => `> ✂️ ${n} lines cut to fit the summary limit.`,
  );
}

export function renderLaunchSummary(experiment: string, r: SubmissionReport): string {
  return render(`sweepwatch launch · ${escapeInline(experiment)}`, r);
}

export function renderRelaunchSummary(experiment: string, cycle: number, r: SubmissionReport): string {
  return render(`sweepwatch relaunch · ${escapeInline(experiment)} · cycle ${cycle}`, r);
}

export function renderCancelSummary(
  experiment: string,
  r: {
    readonly reason: string;
    readonly cancelled: readonly string[];
    readonly refused: readonly { readonly jobId: string; readonly reason: string }[];
  },
): string {
  const lines = [`## sweepwatch cancel · ${escapeInline(experiment)}`, '', escapeInline(r.reason)];
  lines.push(
    ...rows(
      'Cancelled',
      r.cancelled.map((id) => code(id)),
    ),
  );
  lines.push(
    ...rows(
      'Not cancelled',
      r.refused.map((x) => `${code(x.jobId)}: ${escapeInline(x.reason)}`),
    ),
  );
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    STEP_SUMMARY_MAX_BYTES,
    (n) => `> ✂️ ${n} lines cut to fit the summary limit.`,
  );
}
