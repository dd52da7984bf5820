/**
 * The tables of the tick summary: states with their change since the last tick, and the root
 * causes with where they happen and what they printed.
 */
import type { FailureGroup, StateCounts } from './aggregate.js';
import type { Concentration } from './concentration.js';
import { clipText, code, escapeInline } from './report-escape.js';
import type { SweepSnapshot } from './snapshot.js';
import { factorsById, sharedFactors } from './snapshot.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

type CountKey = 'pending' | 'running' | 'unknown' | 'succeeded' | 'failed' | 'cancelled' | 'revoked';
const STATUS_ROWS: readonly { key: CountKey; label: string; always: boolean }[] = [
  { key: 'pending', label: '⏳ pending', always: true },
  { key: 'running', label: '▶️ running', always: true },
  { key: 'unknown', label: '❔ unknown', always: false },
  { key: 'succeeded', label: '✅ succeeded', always: true },
  { key: 'failed', label: '❌ failed', always: true },
  { key: 'cancelled', label: '🚫 cancelled', always: false },
  { key: 'revoked', label: '↩️ revoked', always: false },
];

function delta(now: number, before: number | undefined): string {
  if (before === undefined) return '—';
  const d = now - before;
  return d === 0 ? '·' : d > 0 ? `+${d}` : `−${-d}`;
}

export function statusTable(counts: StateCounts, previous: StateCounts | null): string[] {
  const lines = ['| status | jobs | since last tick |', '|---|---:|---:|'];
  for (const row of STATUS_ROWS) {
    const now = counts[row.key];
    const before = previous?.[row.key];
    if (!row.always && now === 0 && (before ?? 0) === 0) continue;
    lines.push(`| ${row.label} | ${now} | ${delta(now, before)} |`);
  }
  lines.push(`| **total** | **${counts.total}** | ${delta(counts.total, previous?.total)} |`);
  const raw = Object.entries(counts.byState)
    .filter(([, n]) => n !== undefined && n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, n]) => `${state} ${n}`);
  if (raw.length > 0) lines.push('', `Scheduler states: ${raw.join(' · ')}`);
  return lines;
}

/** Where a group happens: the concentration finding of its cause, else what its conditions share. */
export function affectedLevels(
  group: FailureGroup,
  snapshot: SweepSnapshot,
  concentration: readonly Concentration[],
): string {
  const finding = concentration.find((c) => c.target === group.rootCause)?.headline;
  if (finding !== undefined) return finding.levels.map((l) => `${l.factor}=${l.level}`).join(' and ');
  const byId = factorsById(snapshot);
  const members = group.conditionIds.map((id) => byId.get(id)).filter((f) => f !== undefined);
  const shared = Object.entries(sharedFactors(members));
  if (members.length > 1 && shared.length > 0) return shared.map(([k, v]) => `${k}=${v}`).join(', ');
  return members.length === 1 ? 'one condition' : 'spread over the grid';
}

const MAX_GROUP_ROWS = 50;
const EVIDENCE_CHARS = 160;

export function rootCauseTable(
  groups: readonly FailureGroup[],
  snapshot: SweepSnapshot,
  concentration: readonly Concentration[],
): string[] {
  if (groups.length === 0) return ['No failures.'];
  const lines = [
    '| root cause | jobs | share | signature | affected factor levels | evidence |',
    '|---|---:|---:|---|---|---|',
  ];
  for (const g of groups.slice(0, MAX_GROUP_ROWS)) {
    const evidence = g.evidence[0];
    const cells = [
      `\`${g.rootCause}\``,
      String(g.count),
      pct(g.share),
      code(clipText(g.signature, 40)),
      escapeInline(affectedLevels(g, snapshot, concentration)),
      evidence === undefined ? '—' : code(clipText(evidence, EVIDENCE_CHARS)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (groups.length > MAX_GROUP_ROWS) lines.push('', `… and ${groups.length - MAX_GROUP_ROWS} more groups.`);
  const found = concentration.flatMap((c) => (c.line !== undefined ? [c.line] : []));
  if (found.length > 0) lines.push('', ...found.map((line) => `- Concentration: ${escapeInline(line)}`));
  return lines;
}
