/**
 * Sections 1-4 of the final report: what was watched, how the watching went, how the failures
 * were distributed against the thresholds, and what was decided and why.
 */

import type { ReportContext } from './final-report-context.js';
import { clock, duration, mb, minutes, pct } from './final-report-format.js';
import { cadenceOf, MAX_TIMELINE_ROWS, timelineRows } from './final-report-timeline.js';
import { code, escapeInline } from './report-escape.js';
import { ROOT_CAUSE_DOCS } from './root-cause-docs.js';

export function scopeSection(ctx: ReportContext): string[] {
  const { data } = ctx;
  const m = data.manifest;
  const t = data.template;
  const p = data.policy;
  const jobs = m.conditions.reduce((n, c) => n + c.attempts.filter((a) => a.jobId !== null).length, 0);
  const lines = [
    '## 1. Scope and jobs watched',
    '',
    `- Experiment ${code(m.experiment)} on the ${escapeInline(data.schedulerKind)} scheduler, sweep file ${code(m.sweepDigest.slice(0, 19))}…, launched ${m.createdAt}.`,
    `- ${m.conditions.length} conditions (the full factorial of ${m.factors.length} factors), ${jobs} jobs over ${m.cycles.length} cycle${m.cycles.length === 1 ? '' : 's'} (launch + ${m.cycles.length - 1} relaunch).`,
    `- Each job asked for ${mb(t.memoryMb)} of memory, ${minutes(t.timeMinutes)} of wall time, ${t.cpus ?? 1} CPU${(t.cpus ?? 1) === 1 ? '' : 's'}${t.gpus ? ` and ${t.gpus} GPU${t.gpus === 1 ? '' : 's'}` : ''}.`,
    `- Policy: degraded above ${pct(p.bands.watch)} failed, systemic at ${pct(p.bands.intervene)} of one root cause; at most ${p.maxRelaunchCycles} relaunch cycles; ${p.autoRelaunch ? 'automatic' : 'approved'} relaunches${p.canary ? ' with canaries' : ''}; escalation memory × ${p.escalation.memoryFactor}, time × ${p.escalation.timeFactor}.`,
    '',
    '| factor | levels |',
    '|---|---|',
    ...ctx.snapshot.factors.map((f) => `| ${escapeInline(f.name)} | ${f.levels.map(code).join(', ')} |`),
    '',
    '| cycle | jobs | job ids |',
    '|---|---|---|',
  ];
  for (const v of ctx.cycles) {
    const ids = m.conditions.flatMap((c) =>
      c.attempts.filter((a) => a.cycle === v.record.cycle && a.jobId !== null).map((a) => a.jobId ?? ''),
    );
    const shown =
      ids.length <= 12 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} … (${ids.length - 10} more)`;
    lines.push(`| ${v.record.cycle} | ${v.jobs} | ${escapeInline(shown)} |`);
  }
  return lines;
}

export function timelineSection(ctx: ReportContext): string[] {
  const rows = timelineRows(ctx.data.manifest);
  const cadence = cadenceOf(ctx.data.session);
  const lines = ['## 2. Monitoring timeline', ''];
  lines.push(
    cadence === null
      ? `- Cadence: this report was made apart from the session that watched; the manifest keeps ${ctx.data.manifest.decisions.length} decisions, recorded whenever one changed.`
      : `- Cadence: ${cadence.ticks} ticks, one every ${cadence.minSeconds === cadence.maxSeconds ? duration(cadence.minSeconds) : `${duration(cadence.minSeconds)} to ${duration(cadence.maxSeconds)} (median ${duration(cadence.medianSeconds)})`}, as each tick's recommended next poll said.`,
    `- Policy cadence (seconds): running ${ctx.data.policy.cadence.running.join('–')}, queue only ${ctx.data.policy.cadence.pendingOnly.join('–')}, degraded ${ctx.data.policy.cadence.degraded.join('–')}.`,
    '',
    '| time | transition |',
    '|---|---|',
  );
  for (const r of rows.slice(0, MAX_TIMELINE_ROWS))
    lines.push(`| ${clock(r.at, ctx.sameDay)} | ${escapeInline(r.what)} |`);
  if (rows.length > MAX_TIMELINE_ROWS)
    lines.push('', `… ${rows.length - MAX_TIMELINE_ROWS} later transitions are in the manifest.`);
  return lines;
}

export function failureSection(ctx: ReportContext): string[] {
  const p = ctx.data.policy;
  const lines = ['## 3. Failure distribution and threshold assessment', ''];
  for (const v of ctx.cycles) {
    const o = v.outcome;
    const label = v.record.cycle === 0 ? 'launch' : `relaunch ${v.record.cycle}`;
    lines.push(
      `### Cycle ${v.record.cycle} (${label}), as of ${v.endedAt === null ? 'now (still running)' : clock(v.endedAt, ctx.sameDay)}`,
      '',
    );
    lines.push(
      `${o.counts.failed} of ${o.counts.terminal} terminal conditions failed (${pct(o.counts.terminal === 0 ? 0 : o.counts.failed / o.counts.terminal)}); ${o.counts.succeeded} succeeded, ${o.counts.cancelled} cancelled, ${o.counts.live} live.`,
      '',
    );
    if (o.groups.length > 0) {
      lines.push(
        '| root cause | count | share of terminal | threshold | policy action | signature |',
        '|---|---|---|---|---|---|',
      );
      for (const g of o.groups) {
        const verdict =
          g.share >= p.bands.intervene
            ? `≥ ${pct(p.bands.intervene)}: systemic`
            : g.share > p.bands.watch
              ? `> ${pct(p.bands.watch)}: degraded`
              : 'within band';
        lines.push(
          `| ${code(g.rootCause)} | ${g.count} | ${pct(g.share)} | ${verdict} | ${g.action} | ${code(g.signature)} |`,
        );
      }
      lines.push('');
    }
    for (const c of o.concentration) if (c.line !== undefined) lines.push(`- ⚑ ${escapeInline(c.line)}`);
    lines.push(
      `- Health: **${o.health.band}** (\`${o.health.reasonCode}\`): ${escapeInline(o.health.reason)}`,
      '',
    );
  }
  return lines;
}

export function decisionSection(ctx: ReportContext): string[] {
  const lines = ['## 4. Intervention decision and rationale', ''];
  for (const v of ctx.cycles) {
    const o = v.outcome;
    lines.push(
      `- End of cycle ${v.record.cycle}: **${o.decision}** (\`${o.reasonCode}\`): ${escapeInline(o.reason)}`,
    );
    const plan = o.relaunchPlan;
    if (plan === null) continue;
    const byCause = new Map<
      string,
      { relaunch: number; escalated: boolean; issue: number; skipped: number }
    >();
    const bump = (cause: string) =>
      byCause.get(cause) ?? { relaunch: 0, escalated: false, issue: 0, skipped: 0 };
    for (const i of [...plan.relaunch, ...plan.deferred]) {
      const e = bump(i.rootCause);
      byCause.set(i.rootCause, { ...e, relaunch: e.relaunch + 1, escalated: e.escalated || i.escalated });
    }
    for (const i of plan.issues)
      byCause.set(i.rootCause, { ...bump(i.rootCause), issue: bump(i.rootCause).issue + 1 });
    for (const i of plan.skipped)
      byCause.set(i.rootCause, { ...bump(i.rootCause), skipped: bump(i.rootCause).skipped + 1 });
    for (const [cause, e] of byCause) {
      const doc = ROOT_CAUSE_DOCS[cause as keyof typeof ROOT_CAUSE_DOCS];
      const what =
        e.relaunch > 0
          ? `relaunch ${e.relaunch}${e.escalated ? ' with escalated resources' : ' as they were'}`
          : e.issue > 0
            ? `report ${e.issue} as an issue, no relaunch`
            : `leave ${e.skipped} alone`;
      const refused = plan.refused === undefined ? '' : ` (refused now: \`${plan.refused}\`)`;
      lines.push(
        `  - ${code(cause)}: ${what}${refused}. Why: ${doc?.happened ?? 'see the root-cause table'}; ${doc?.action ?? ''}.`,
      );
    }
  }
  const acted = ctx.data.manifest.decisions.filter((d) => d.decision === 'intervene');
  if (acted.length > 0) {
    lines.push('', 'Recorded interventions (from the manifest):', '');
    for (const d of acted.slice(-10)) {
      const note = (d.note ?? '').replace(/\[[^\]]*\]\s*/g, '');
      lines.push(
        `- ${clock(d.at, ctx.sameDay)} \`${d.reasonCode}\` (${d.band})${note === '' ? '' : `: ${escapeInline(note.slice(0, 200))}`}`,
      );
    }
  }
  return lines;
}
