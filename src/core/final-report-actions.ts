/**
 * Sections 5 and 6 of the final report: what was fixed, cleaned up and resubmitted (with the
 * new job ids), and where the sweep ended: every condition's status and the integrity of the
 * outputs it was expected to leave.
 */
import type { ReportContext } from './final-report-context.js';
import { mb, minutes } from './final-report-format.js';
import type { OutputStatus } from './final-report-model.js';
import type { Attempt } from './manifest-model.js';
import { code, escapeInline } from './report-escape.js';
import { attemptStatus, currentConditions, effectiveCause } from './snapshot.js';

const MAX_ROWS = 30;

function resources(a: Attempt, ctx: ReportContext): string {
  const memory = a.requested?.memoryMb ?? ctx.data.template.memoryMb;
  const time = a.requested?.timeMinutes ?? ctx.data.template.timeMinutes;
  return `${mb(memory)}, ${minutes(time)}`;
}

export function resubmissionSection(ctx: ReportContext): string[] {
  const m = ctx.data.manifest;
  const lines = ['## 5. Fixes, clean-up and resubmissions', ''];
  if (m.cycles.length === 1) lines.push('No relaunch was needed or allowed.', '');
  for (const cycle of m.cycles.filter((c) => c.cycle > 0)) {
    lines.push(
      `### Relaunch cycle ${cycle.cycle}`,
      '',
      `Opened ${cycle.at} by ${escapeInline(cycle.requestedBy)} on digest ${code(cycle.digest.slice(0, 12))}: ${escapeInline(cycle.reason)}`,
      '',
      '| condition | failed as | old job | resources before → after | new job | now |',
      '|---|---|---|---|---|---|',
    );
    let rows = 0;
    for (const c of m.conditions) {
      c.attempts.forEach((a, i) => {
        const before = c.attempts[i - 1];
        if (a.cycle !== cycle.cycle || before === undefined || rows++ >= MAX_ROWS) return;
        const cause = before.classification?.rootCause ?? before.state ?? 'unknown';
        lines.push(
          `| ${code(c.id)} | ${code(cause)} | ${before.jobId ?? '—'} | ${resources(before, ctx)} → ${resources(a, ctx)} | ${a.jobId ?? '—'} | ${a.state ?? a.phase} |`,
        );
      });
    }
    if (rows > MAX_ROWS) lines.push('', `… ${rows - MAX_ROWS} more resubmissions are in the JSONL file.`);
    lines.push('');
  }
  lines.push(
    "- Clean-up: before a relaunch, the failed attempt's partial outputs are moved (never deleted) to `.sweepwatch-quarantine/<job name>/attempt-<n>/` in the working directory, so the new attempt neither resumes from them nor is judged by them.",
  );
  for (const e of ctx.data.session.filter((s) => s.kind === 'relaunch'))
    lines.push(`- ${e.at}: relaunch ${escapeInline(e.summary)}`);
  const issues = Object.entries(m.issues);
  if (issues.length > 0) {
    const where = ctx.data.runbook.issuesDir === null ? '' : ` (in ${code(ctx.data.runbook.issuesDir)})`;
    lines.push(
      `- Reported for a person${where}: ${issues.map(([fp, n]) => `#${n} (${code(fp)})`).join(', ')}.`,
    );
  }
  return lines;
}

const STATUS_WORDS: Readonly<Record<OutputStatus, string>> = {
  ok: 'present and finite',
  missing: 'missing',
  empty: 'empty',
  non_finite: 'NaN or inf inside',
  unreadable: 'unreadable or without numbers',
  not_checked: 'not checked',
};

export function completionSection(ctx: ReportContext): string[] {
  const current = currentConditions(ctx.snapshot);
  const first = current.filter((c) => c.status === 'succeeded' && c.condition.attempts.length === 1).length;
  const recovered = current.filter((c) => c.status === 'succeeded' && c.condition.attempts.length > 1).length;
  const failed = current.filter((c) => c.status === 'failed');
  const live = current.filter(
    (c) => c.status === 'pending' || c.status === 'running' || c.status === 'unknown',
  ).length;
  const cancelled = current.filter((c) => c.status === 'cancelled' || c.status === 'revoked').length;
  const total = ctx.data.manifest.conditions.length;
  const lines = [
    '## 6. Completion status and integrity of the artifacts',
    '',
    '| status | conditions |',
    '|---|---|',
    `| succeeded at the first attempt | ${first} |`,
    `| succeeded after a relaunch | ${recovered} |`,
    `| failed | ${failed.length} |`,
    `| cancelled | ${cancelled} |`,
    `| still live | ${live} |`,
    `| never launched | ${total - current.length} |`,
    `| **total** | **${total}** |`,
    '',
  ];
  for (const c of failed.slice(0, MAX_ROWS)) {
    const a = c.attempt;
    const evidence = a.classification?.evidence[0];
    lines.push(
      `- ✗ ${code(c.condition.id)}: ${code(effectiveCause(a))}, job ${a.jobId}${evidence === undefined ? '' : `: ${code(evidence)}`}`,
    );
  }
  if (failed.length > 0) lines.push('');
  const expected = ctx.data.expectedOutputs;
  if (expected.length === 0) {
    lines.push(
      'The sweep file declares no expected outputs (`outputs.expected`), so no artifact was checked.',
    );
    return lines;
  }
  const counts = new Map<OutputStatus, number>();
  for (const r of ctx.data.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  lines.push(
    `Expected outputs (${expected.map(code).join(', ')}) of the ${ctx.data.results.length} succeeded conditions: ${[...counts].map(([s, n]) => `${n} ${STATUS_WORDS[s]}`).join(', ') || 'none checked'}.`,
  );
  const bad = ctx.data.results.filter((r) => r.status !== 'ok');
  for (const r of bad.slice(0, MAX_ROWS)) {
    const files = r.files
      .filter((f) => f.status !== 'ok')
      .map((f) => `${code(f.path)} ${STATUS_WORDS[f.status]}`);
    lines.push(`- ⚠️ ${code(r.conditionId)} completed, but ${files.join('; ')}`);
  }
  const succeededIds = new Set(current.filter((c) => c.status === 'succeeded').map((c) => c.condition.id));
  const unchecked = [...succeededIds].filter(
    (id) => !ctx.data.results.some((r) => r.conditionId === id),
  ).length;
  if (unchecked > 0)
    lines.push(`- ${unchecked} succeeded conditions were not checked (the read budget ran out).`);
  const stale = current.filter(
    (c) => c.attempt.stale === true && attemptStatus(c.attempt) !== 'succeeded',
  ).length;
  if (stale > 0) lines.push(`- ${stale} conditions keep a last known state that could not be confirmed.`);
  return lines;
}
