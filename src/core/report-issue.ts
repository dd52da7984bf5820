/**
 * The issue sweepwatch opens for one root-cause group that no automatic relaunch will fix:
 * the evidence, where it happens in the grid, the fix strategy and the options with a
 * recommendation. Deterministic in its input (no clock), so an unchanged group renders an
 * unchanged body and the ensure-write is a no-op.
 */
import type { FailureGroup } from './aggregate.js';
import type { Concentration } from './concentration.js';
import { chars, fitMarkdown, ISSUE_BODY_MAX_CHARS } from './report-budget.js';
import { code, escapeInline, fenced } from './report-escape.js';
import { FIX_GUIDES, recommendedOption } from './report-guide.js';
import { fnv1a64 } from './signature.js';
import type { SweepSnapshot } from './snapshot.js';
import { factorsById } from './snapshot.js';

/** Why the group goes to a person rather than to a relaunch. */
export type IssueWhy =
  | 'deterministic_cause'
  | 'repeated_signature'
  | 'escalation_impossible'
  | 'relaunch_budget_exhausted'
  | 'hard_stop'
  | 'kill_switch';

export interface IssueContext {
  readonly experiment: string;
  /** The hidden marker the issue is found by (ports/issue-tracker issueMarker). */
  readonly marker: string;
  readonly group: FailureGroup;
  readonly snapshot: SweepSnapshot;
  readonly concentration: readonly Concentration[];
  readonly why: IssueWhy;
  readonly relaunchCycles: number;
  readonly maxRelaunchCycles: number;
  /** Body limit in characters; default GitHub's. */
  readonly maxChars?: number;
}

/**
 * The group's stable id in markers and the manifest: `<root cause>.<signature>`, with the
 * characters markers refuse replaced, hashed when long.
 */
export function issueFingerprint(group: Pick<FailureGroup, 'rootCause' | 'signature'>): string {
  const sig = group.signature.replace(/[^A-Za-z0-9._-]/g, '_');
  return sig.length <= 64 ? `${group.rootCause}.${sig}` : `${group.rootCause}.${fnv1a64(group.signature)}`;
}

export function issueTitle(experiment: string, group: FailureGroup): string {
  const n = group.count === 1 ? '1 condition' : `${group.count} conditions`;
  return `sweepwatch: ${experiment}: ${group.rootCause} in ${n}`;
}

function whyText(ctx: IssueContext): string {
  const cause = `\`${ctx.group.rootCause}\``;
  switch (ctx.why) {
    case 'deterministic_cause':
      return `The policy sends ${cause} to a person: relaunching without a change would fail the same way.`;
    case 'repeated_signature':
      return 'These conditions failed identically after a relaunch; another one would not help.';
    case 'escalation_impossible':
      return 'The resources are already at the policy caps (or unknown), so escalation cannot help.';
    case 'relaunch_budget_exhausted':
      return `All ${ctx.maxRelaunchCycles} relaunch cycles are used (rule F4).`;
    case 'hard_stop':
      return 'A hard stop fired: the failure is systematic enough to stop the batch while it runs.';
    case 'kill_switch':
      return 'The kill switch fired: identical failures in a short window; the doomed jobs were cancelled.';
  }
}

/** Per factor, the levels the group's conditions have, most frequent first. */
function levelLines(ctx: IssueContext): string[] {
  const byId = factorsById(ctx.snapshot);
  const members = ctx.group.conditionIds.map((id) => byId.get(id)).filter((f) => f !== undefined);
  return ctx.snapshot.factors.map((factor) => {
    const counts = new Map<string, number>();
    for (const m of members) {
      const level = m[factor.name];
      if (level !== undefined) counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    const parts = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([level, n]) => `${escapeInline(level)} ×${n}`);
    const all = counts.size === factor.levels.length && factor.levels.length > 1 ? ' (every level)' : '';
    return `- **${escapeInline(factor.name)}**: ${parts.join(', ')}${all}`;
  });
}

const MAX_CONDITION_ROWS = 100;

function conditionRows(ctx: IssueContext): string[] {
  const { conditionIds, jobIds } = ctx.group;
  const rows = conditionIds.slice(0, MAX_CONDITION_ROWS).map((id, i) => {
    const job = jobIds[i];
    return `| ${code(id)} | ${job === undefined || job === '' ? '—' : code(job)} |`;
  });
  const more = conditionIds.length - rows.length;
  return [
    '| condition | job |',
    '|---|---|',
    ...rows,
    ...(more > 0 ? ['', `… and ${more} more conditions.`] : []),
  ];
}

const RERUNS_EXHAUSTED: ReadonlySet<IssueWhy> = new Set<IssueWhy>([
  'repeated_signature',
  'escalation_impossible',
  'relaunch_budget_exhausted',
]);

function optionLines(ctx: IssueContext): string[] {
  const guide = FIX_GUIDES[ctx.group.rootCause];
  const pick = recommendedOption(guide, RERUNS_EXHAUSTED.has(ctx.why));
  const lines = [
    '### Fix strategy',
    '',
    guide.strategy,
    '',
    '### Options',
    '',
    '| | option | pros | cons |',
    '|---|---|---|---|',
  ];
  guide.options.forEach((o, i) => {
    lines.push(`| ${i === pick?.index ? '⭐' : String(i + 1)} | ${o.name} | ${o.pros} | ${o.cons} |`);
  });
  if (pick !== null) lines.push('', `**Recommendation:** ${pick.option.name}: ${pick.why}.`);
  return lines;
}

export function renderIssueBody(ctx: IssueContext): string {
  const g = ctx.group;
  const finding = ctx.concentration.find((c) => c.target === g.rootCause)?.line;
  const seen =
    g.firstSeen !== undefined ? ` · first seen ${g.firstSeen}, last seen ${g.lastSeen ?? g.firstSeen}` : '';
  const lines = [
    ctx.marker,
    `## \`${g.rootCause}\` in ${g.count} condition${g.count === 1 ? '' : 's'} of ${escapeInline(ctx.experiment)}`,
    '',
    `${(100 * g.share).toFixed(1)} % of the terminal jobs · signature ${code(g.signature)} · confidence ${g.confidence.toFixed(2)}${seen}`,
    '',
    whyText(ctx),
    '',
    '### Evidence',
    '',
    g.evidence.length > 0
      ? fenced(g.evidence.join('\n'))
      : '_No log evidence: classified from the scheduler state._',
    '',
    '### Where in the grid',
    '',
    finding !== undefined
      ? `Concentration: ${escapeInline(finding)}`
      : 'No factor level is significantly over-represented.',
    '',
    ...levelLines(ctx),
    ...(g.affectedFiles.length > 0 ? ['', `Files: ${g.affectedFiles.map((f) => code(f)).join(', ')}`] : []),
    '',
    `### Affected conditions (${g.count})`,
    '',
    ...conditionRows(ctx),
    '',
    ...optionLines(ctx),
    '',
    `<sub>Maintained by sweepwatch: updated while the failure persists, closed when relaunches of these conditions succeed. Relaunch cycles used: ${ctx.relaunchCycles} of ${ctx.maxRelaunchCycles}.</sub>`,
  ];
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    ctx.maxChars ?? ISSUE_BODY_MAX_CHARS,
    (n) => `> ✂️ ${n} lines cut to fit GitHub's issue size limit; the manifest has the full list.`,
    chars,
  );
}
