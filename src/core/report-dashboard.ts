/**
 * The dashboard issue of one experiment: live states, the factor heat map, the history of the
 * health band, the current decision and, when a relaunch waits for a person, an approval
 * checkbox the next tick reads back. Pure and clock-free: every line is a function of the
 * manifest's state (no "updated 3 s ago"), so an unchanged tick renders an unchanged body and
 * the ensure-write is a no-op.
 */
import type { StateCounts } from './aggregate.js';
import type { DecisionRecord } from './manifest-model.js';
import { chars, fitMarkdown, ISSUE_BODY_MAX_CHARS } from './report-budget.js';
import { code, escapeInline } from './report-escape.js';
import { type Bands, heatMap } from './report-heatmap.js';
import { fnv1a64 } from './signature.js';
import type { SweepSnapshot } from './snapshot.js';
import type { Decision, HealthBand } from './types.js';

/** A relaunch plan proposed but held for a person (policy auto_relaunch off). */
export interface PendingApproval {
  readonly cycle: number;
  /** The condition ids the relaunch would submit (relaunch and deferred). */
  readonly conditionIds: readonly string[];
  /** Root cause → how many of those conditions. */
  readonly rootCauses: Readonly<Record<string, number>>;
  /** Ticked: approved (by the checkbox or otherwise), or already dispatched. */
  readonly approved: boolean;
}

export interface DashboardInput {
  readonly experiment: string;
  /** The hidden marker the issue is found by (ports/issue-tracker issueMarker). */
  readonly marker: string;
  readonly counts: StateCounts;
  readonly snapshot: SweepSnapshot;
  readonly bands: Bands;
  /** The manifest's decision history, oldest first. */
  readonly decisions: readonly DecisionRecord[];
  readonly current: {
    readonly decision: Decision;
    readonly band: HealthBand;
    readonly reasonCode: string;
    readonly reason: string;
  };
  readonly approval: PendingApproval | null;
  readonly paused: boolean;
  /** Body limit in characters; default GitHub's. */
  readonly maxChars?: number;
}

const BAND: Readonly<Record<HealthBand, string>> = {
  healthy: '🟩 healthy',
  degraded: '🟨 degraded',
  systemic: '🟥 systemic',
};

type CountKey = 'pending' | 'running' | 'unknown' | 'succeeded' | 'failed' | 'cancelled' | 'revoked';
const STATES: readonly { key: CountKey; label: string }[] = [
  { key: 'pending', label: '⏳ pending' },
  { key: 'running', label: '▶️ running' },
  { key: 'unknown', label: '❔ unknown' },
  { key: 'succeeded', label: '✅ succeeded' },
  { key: 'failed', label: '❌ failed' },
  { key: 'cancelled', label: '🚫 cancelled' },
  { key: 'revoked', label: '↩️ revoked' },
];

function statusLines(counts: StateCounts): string[] {
  return [
    '| status | jobs |',
    '|---|---:|',
    ...STATES.map((s) => `| ${s.label} | ${counts[s.key]} |`),
    `| **total** | **${counts.total}** |`,
  ];
}

/** One line per band change (the first record counts as one), oldest first. */
function bandLines(decisions: readonly DecisionRecord[]): string[] {
  const lines: string[] = [];
  let band: HealthBand | null = null;
  for (const d of decisions) {
    if (d.band === band) continue;
    band = d.band;
    lines.push(`- ${d.at} · ${BAND[d.band]} · ${code(d.reasonCode)}`);
  }
  return lines.length > 0 ? lines : ['_No decision recorded yet._'];
}

/** The approval's identity: its cycle and a digest of the exact conditions it would relaunch. */
export function approvalKey(approval: Pick<PendingApproval, 'cycle' | 'conditionIds'>): string {
  return `cycle=${approval.cycle} plan=${fnv1a64([...approval.conditionIds].sort().join('\n'))}`;
}

const approvalMarker = (key: string) => `<!-- sweepwatch-approve ${key} -->`;

function approvalLines(a: PendingApproval): string[] {
  const causes = Object.entries(a.rootCauses)
    .sort(([x, nx], [y, ny]) => ny - nx || x.localeCompare(y))
    .map(([cause, n]) => `${code(cause)} ×${n}`)
    .join(', ');
  const box = a.approved ? '[x]' : '[ ]';
  return [
    `- ${box} Approve relaunch cycle ${a.cycle}: ${a.conditionIds.length} conditions (${causes}) ${approvalMarker(approvalKey(a))}`,
    '',
    a.approved
      ? '_Approved: sweepwatch dispatches this relaunch once._'
      : '_auto\\_relaunch is off: tick the box to approve; the next tick dispatches the relaunch. Only this cycle and exactly these conditions are approved._',
  ];
}

/**
 * The approval keys ticked in a dashboard body (`- [x] …<!-- sweepwatch-approve … -->`).
 * Whoever can edit the body can approve: the issue is the bot's, so that is a collaborator
 * with triage or write access (issue authors can edit their own issues; here the author is
 * sweepwatch).
 */
export function checkedApprovals(body: string): Set<string> {
  const keys = new Set<string>();
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*[-*+] \[[xX]\] .*<!-- sweepwatch-approve (cycle=\d+ plan=[0-9a-f]+) -->\s*$/.exec(line);
    if (m?.[1] !== undefined) keys.add(m[1]);
  }
  return keys;
}

export function dashboardTitle(experiment: string): string {
  return `sweepwatch dashboard: ${experiment}`;
}

export function renderDashboard(input: DashboardInput): string {
  const c = input.current;
  const lines = [
    input.marker,
    `## sweepwatch dashboard · ${escapeInline(input.experiment)} · ${BAND[c.band]}`,
    '',
    `**Decision:** ${c.decision} (${code(c.reasonCode)}): ${escapeInline(c.reason)}`,
    ...(input.paused ? ['', '⏸️ **Paused:** sweepwatch observes but does not act.'] : []),
  ];
  if (input.approval !== null) lines.push('', '### Approval', '', ...approvalLines(input.approval));
  lines.push('', '### Jobs', '', ...statusLines(input.counts));
  lines.push('', '### Health band history', '', ...bandLines(input.decisions));
  lines.push('', '### Factor heat map', '', ...heatMap(input.snapshot, input.bands));
  lines.push(
    '',
    '<sub>Maintained by sweepwatch: rewritten only when the sweep changes. Edit nothing but the approval box; other edits are overwritten.</sub>',
  );
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    input.maxChars ?? ISSUE_BODY_MAX_CHARS,
    (n) => `> ✂️ ${n} lines cut to fit GitHub's issue size limit; the manifest has everything.`,
    chars,
  );
}

/** The comment posted on the dashboard when a tick cancels jobs (kill switch or hard stop). */
export function renderCancelComment(input: {
  readonly reasonCode: string;
  readonly reason: string;
  readonly cancelled: readonly string[];
  readonly refused: readonly { readonly jobId: string; readonly reason: string }[];
  readonly maxChars?: number;
}): string {
  const lines = [
    `🛑 **Cancelled ${input.cancelled.length} job${input.cancelled.length === 1 ? '' : 's'}** (${code(input.reasonCode)}): ${escapeInline(input.reason)}`,
    '',
    ...input.cancelled.map((id) => `- ${code(id)}`),
    ...input.refused.map((r) => `- not cancelled: ${code(r.jobId)}: ${escapeInline(r.reason)}`),
  ];
  return fitMarkdown(
    `${lines.join('\n')}\n`,
    input.maxChars ?? ISSUE_BODY_MAX_CHARS,
    (n) => `> ✂️ ${n} lines cut to fit GitHub's comment size limit; the tick's \`result\` lists every job.`,
    chars,
  );
}
