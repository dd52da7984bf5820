/**
 * The final report of a sweep: a markdown file in the order a reviewer asks (1 scope, 2
 * timeline, 3 failure distribution, 4 decision, 5 resubmissions, 6 completion, 7 learnings,
 * 8 runbook; then results, cost, checklist, heat map), the per-attempt JSONL and the heat map
 * SVG. Pure: FinalReportData in, texts out.
 */

import { completionSection, resubmissionSection } from './final-report-actions.js';
import { checklistSection, costSection, heatMapSection, resultsSection } from './final-report-appendix.js';
import type { Check } from './final-report-checks.js';
import { type ReportContext, reportContext } from './final-report-context.js';
import { heatCells } from './final-report-cycles.js';
import { renderRunJsonl, runLines } from './final-report-jsonl.js';
import { learningsSection, runbookSection } from './final-report-learnings.js';
import type { FinalReportData } from './final-report-model.js';
import { decisionSection, failureSection, scopeSection, timelineSection } from './final-report-sections.js';
import { fitMarkdown } from './report-budget.js';
import { code, escapeInline } from './report-escape.js';
import { currentConditions } from './snapshot.js';
import { renderHeatMapSvg } from './svg-heatmap.js';

/** A report is read, not scrolled: 512 KiB is far past any sweep the row caps allow. */
export const FINAL_REPORT_MAX_BYTES = 512 * 1024;

export interface FinalReport {
  readonly markdown: string;
  readonly jsonl: string;
  readonly svg: string;
  readonly checks: readonly Check[];
  /** Final status of every condition, for the CLI's summary and tests. */
  readonly counts: {
    readonly conditions: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly live: number;
    readonly attempts: number;
  };
}

function header(ctx: ReportContext): string[] {
  const o = ctx.final;
  const causes = o.groups.map((g) => `${g.count} ${g.rootCause}`).join(', ');
  const passed = ctx.checks.filter((c) => c.pass).length;
  const lines = [
    `# sweepwatch final report · ${escapeInline(ctx.data.experiment)}`,
    '',
    `**Verdict:** ${o.health.band} · ${o.counts.succeeded} of ${ctx.data.manifest.conditions.length} conditions succeeded · ${o.counts.failed} failed${causes === '' ? '' : ` (${escapeInline(causes)})`} · ${o.relaunchCycle} relaunch cycle${o.relaunchCycle === 1 ? '' : 's'} · checklist ${passed}/${ctx.checks.length} pass.`,
    '',
    `Generated ${ctx.data.generatedAt} from ${code(ctx.data.runbook.statePath)}.`,
  ];
  if (ctx.data.clockNote !== null) lines.push('', `> ${escapeInline(ctx.data.clockNote)}`);
  return lines;
}

export function renderFinalReport(data: FinalReportData): FinalReport {
  const ctx = reportContext(data);
  const sections = [
    header(ctx),
    scopeSection(ctx),
    timelineSection(ctx),
    failureSection(ctx),
    decisionSection(ctx),
    resubmissionSection(ctx),
    completionSection(ctx),
    learningsSection(ctx),
    runbookSection(ctx),
    resultsSection(ctx),
    costSection(ctx),
    checklistSection(ctx),
    heatMapSection(ctx),
  ];
  const markdown = fitMarkdown(
    `${sections.map((s) => s.join('\n')).join('\n\n')}\n`,
    FINAL_REPORT_MAX_BYTES,
    (n) => `> ✂️ Report cut: ${n} lines left out to stay readable. The JSONL file holds every attempt.`,
  );
  const svg = renderHeatMapSvg({
    title: `${data.experiment}: final outcome per condition`,
    factors: ctx.snapshot.factors,
    cells: heatCells(ctx.snapshot, data.results, ctx.metrics[0] ?? null),
  });
  const current = currentConditions(ctx.snapshot);
  const count = (pred: (s: string) => boolean) => current.filter((c) => pred(c.status)).length;
  return {
    markdown,
    jsonl: renderRunJsonl(runLines(data.manifest, data.template, data.results)),
    svg,
    checks: ctx.checks,
    counts: {
      conditions: data.manifest.conditions.length,
      succeeded: count((s) => s === 'succeeded'),
      failed: count((s) => s === 'failed'),
      cancelled: count((s) => s === 'cancelled' || s === 'revoked'),
      live: count((s) => s === 'pending' || s === 'running' || s === 'unknown'),
      attempts: data.manifest.conditions.reduce((n, c) => n + c.attempts.length, 0),
    },
  };
}
