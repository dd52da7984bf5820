/**
 * Sections 7 and 8 of the final report: what the sweep taught (patterns, what the relaunches
 * fixed, what needs a person, anomalies, and how sure we are), and the evidence runbook: the
 * commands that ran and the logs that were read, so anyone can check every claim above.
 */
import type { ReportContext } from './final-report-context.js';
import { clock, num, pct } from './final-report-format.js';
import { outliers } from './final-report-results.js';
import { code, escapeInline } from './report-escape.js';
import { ROOT_CAUSE_DOCS } from './root-cause-docs.js';
import { attemptStatus, currentConditions, effectiveCause } from './snapshot.js';
import { isTerminal, type RootCause } from './types.js';

const MAX_LOGS = 30;

function relaunchResults(ctx: ReportContext): string[] {
  const lines: string[] = [];
  const tally = new Map<string, { relaunched: number; succeeded: number }>();
  for (const c of ctx.snapshot.conditions) {
    c.attempts.forEach((a, i) => {
      const before = c.attempts[i - 1];
      if (i === 0 || before === undefined) return;
      const cause = effectiveCause(before);
      const t = tally.get(cause) ?? { relaunched: 0, succeeded: 0 };
      tally.set(cause, {
        relaunched: t.relaunched + 1,
        succeeded: t.succeeded + (attemptStatus(a) === 'succeeded' ? 1 : 0),
      });
    });
  }
  const esc = ctx.data.policy.escalation;
  for (const [cause, t] of tally) {
    const how =
      cause === 'host_oom' || cause === 'gpu_oom'
        ? `memory × ${esc.memoryFactor}`
        : cause === 'timeout'
          ? `time × ${esc.timeFactor}`
          : 'as it was';
    lines.push(`- ${code(cause)}: ${t.succeeded} of ${t.relaunched} relaunches (${how}) succeeded.`);
  }
  return lines;
}

export function learningsSection(ctx: ReportContext): string[] {
  const lines = ['## 7. Key learnings, anomalies and confidence', ''];
  const launch = ctx.cycles[0]?.outcome;
  for (const c of launch?.concentration ?? [])
    if (c.line !== undefined) lines.push(`- Pattern: ${escapeInline(c.line)}.`);
  lines.push(...relaunchResults(ctx));
  const failed = currentConditions(ctx.snapshot).filter((c) => c.status === 'failed');
  const byCause = new Map<RootCause, string[]>();
  for (const c of failed)
    byCause.set(effectiveCause(c.attempt), [
      ...(byCause.get(effectiveCause(c.attempt)) ?? []),
      c.condition.id,
    ]);
  for (const [cause, ids] of byCause) {
    lines.push(
      `- Needs a person: ${code(cause)} in ${ids.length} condition${ids.length === 1 ? '' : 's'} (${ids.slice(0, 3).map(code).join(', ')}${ids.length > 3 ? ', …' : ''}): ${ROOT_CAUSE_DOCS[cause].action}.`,
    );
  }
  const anomalies: string[] = [];
  for (const metric of ctx.metrics) {
    for (const o of outliers(ctx.data.results, metric).slice(0, 5)) {
      anomalies.push(
        `${code(o.conditionId)} has ${escapeInline(metric)} = ${num(o.value)} (robust z ${o.z.toFixed(1)})`,
      );
    }
  }
  for (const r of ctx.data.results.filter((x) => x.status === 'non_finite'))
    anomalies.push(`${code(r.conditionId)} completed with NaN/inf in its outputs`);
  const stale = ctx.data.manifest.conditions.filter((c) => c.attempts.at(-1)?.staleSince != null).length;
  if (stale > 0) anomalies.push(`${stale} conditions have a state that could not be confirmed at the end`);
  lines.push(
    anomalies.length > 0
      ? `- Anomalies: ${anomalies.join('; ')}.`
      : '- Anomalies: none found (no outlying, NaN or unconfirmed result).',
  );

  const classified = ctx.data.manifest.conditions.flatMap((c) =>
    c.attempts.filter((a) => a.classification !== null && a.state !== 'COMPLETED'),
  );
  const meanConfidence =
    classified.length === 0
      ? 1
      : classified.reduce((s, a) => s + (a.classification?.confidence ?? 0), 0) / classified.length;
  const allPass = ctx.checks.every((c) => c.pass);
  const outputsOk = ctx.data.results.every((r) => r.status === 'ok');
  const level =
    allPass && outputsOk && meanConfidence >= 0.8
      ? 'high'
      : allPass && meanConfidence >= 0.5
        ? 'medium'
        : 'low';
  lines.push(
    `- Confidence: **${level}**. The ${classified.length} failures were classified with a mean confidence of ${pct(meanConfidence)}; ${ctx.checks.filter((c) => c.pass).length} of ${ctx.checks.length} checklist rules pass; outputs ${outputsOk ? 'all check out' : 'have problems (section 6)'}.`,
  );
  return lines;
}

export function runbookSection(ctx: ReportContext): string[] {
  const { runbook } = ctx.data;
  const cmd = runbook.command;
  const base = `--config ${runbook.configPath} --state ${runbook.statePath}`;
  const lines = ['## 8. Evidence runbook', ''];
  const events = ctx.data.session;
  if (events.length > 0) {
    lines.push(
      'What this session ran (ticks shown when their verdict changed):',
      '',
      '| time | step | result |',
      '|---|---|---|',
    );
    let previous = '';
    let ticks = 0;
    for (const e of events) {
      if (e.kind === 'tick') {
        ticks++;
        const verdict = e.summary.replace(/;.*$/, '');
        if (verdict === previous) continue;
        previous = verdict;
      }
      lines.push(`| ${clock(e.at, ctx.sameDay)} | ${e.kind} | ${escapeInline(e.summary)} |`);
    }
    lines.push('', `${ticks} ticks in all.`, '');
  }
  lines.push('To check any of it again:', '', '```sh');
  lines.push(`${cmd} status ${base} --conditions`);
  if (runbook.recordingPath !== null)
    lines.push(`${cmd} replay ${runbook.recordingPath} --config ${runbook.configPath}`);
  lines.push(`${cmd} report ${base}`, '```', '');
  const failedAttempts = ctx.data.manifest.conditions.flatMap((c) =>
    c.attempts
      .filter((a) => a.state !== null && isTerminal(a.state) && a.state !== 'COMPLETED')
      .map((a) => ({ id: c.id, a })),
  );
  if (failedAttempts.length === 0) return lines;
  lines.push(
    'Logs read to diagnose each failure (the last 64 KiB of each, once, when the failure was first seen):',
    '',
  );
  lines.push('| condition | job | state | root cause | logs | evidence |', '|---|---|---|---|---|---|');
  for (const { id, a } of failedAttempts.slice(0, MAX_LOGS)) {
    const logs = [...new Set([a.stdoutPath, a.stderrPath].filter((p): p is string => p !== null))]
      .map(code)
      .join('<br>');
    const evidence = a.classification?.evidence[0];
    lines.push(
      `| ${code(id)} | ${a.jobId ?? '—'} | ${a.state ?? '—'} | ${code(a.classification?.rootCause ?? 'unclassified')} | ${logs || '—'} | ${evidence === undefined ? '—' : code(evidence)} |`,
    );
  }
  if (failedAttempts.length > MAX_LOGS)
    lines.push('', `… ${failedAttempts.length - MAX_LOGS} more failed attempts in the JSONL file.`);
  lines.push('', 'Read a log with `tail -n 50 <path>`; classify one again with `sweepwatch classify`.');
  return lines;
}
