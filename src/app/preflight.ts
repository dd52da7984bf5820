import type { PreflightReport, PreflightRequest, Scheduler } from '../ports/scheduler.js';

/**
 * Checks the cluster before anything is submitted: the scheduler's commands, the remote user,
 * the partitions, accounts and QOS the sweep names, writable directories, and accounting.
 */
export interface PreflightOutcome {
  readonly reasonCode: 'preflight_ok' | 'preflight_failed';
  readonly report: PreflightReport;
}

export async function preflight(
  scheduler: Pick<Scheduler, 'preflight'>,
  request: PreflightRequest,
): Promise<PreflightOutcome> {
  const report = await scheduler.preflight(request);
  return { reasonCode: report.ok ? 'preflight_ok' : 'preflight_failed', report };
}

/** The preflight as markdown for the job summary. */
export function preflightMarkdown(outcome: PreflightOutcome): string {
  const { report } = outcome;
  const lines = [
    `## sweepwatch preflight: ${report.ok ? '✅ ready' : '❌ not ready'}`,
    '',
    `Remote user: \`${report.user ?? 'unknown'}\` · accounting (sacct): ${report.accountingAvailable ? 'answers' : 'unavailable'}`,
    '',
    '| command | version |',
    '|---|---|',
    ...Object.entries(report.versions).map(([cmd, version]) => `| \`${cmd}\` | ${version ?? '— missing'} |`),
  ];
  if (report.problems.length > 0) {
    lines.push('', '| severity | problem | subject | detail |', '|---|---|---|---|');
    for (const p of report.problems)
      lines.push(`| ${p.severity} | ${p.code} | \`${p.subject}\` | ${p.message} |`);
  }
  return `${lines.join('\n')}\n`;
}
