/**
 * The final report's closing parts: the results (metrics by factor level and by cell, with
 * flags), the cost per cycle, the pass/fail checklist and the heat map.
 */
import type { ReportContext } from './final-report-context.js';
import { hours, num } from './final-report-format.js';
import { byCell, byLevel, outliers, type Stats } from './final-report-results.js';
import { code, escapeInline } from './report-escape.js';

const MAX_CELLS = 60;

const meanSd = (s: Stats | null): string => (s === null ? '—' : `${num(s.mean)} ± ${num(s.sd)}`);

export function resultsSection(ctx: ReportContext): string[] {
  const lines = ['## Results', ''];
  const { results } = ctx.data;
  if (results.length === 0) {
    lines.push('No results were collected (no succeeded condition with declared outputs).');
    return lines;
  }
  if (ctx.metrics.length === 0) {
    lines.push(
      'The outputs hold no named numbers to summarise (only their presence and finiteness were checked).',
    );
    return lines;
  }
  const spread = ctx.replicate === null ? 'conditions' : `${escapeInline(ctx.replicate)} replicates`;
  lines.push(
    `Metrics read from the expected outputs of ${results.length} succeeded conditions (at most 64 KiB and ${8} numbers per file). Values are mean ± standard deviation over ${spread}.`,
    '',
  );
  const factors = ctx.snapshot.factors.filter((f) => f.name !== ctx.replicate);
  lines.push(
    `| factor level | n | ${ctx.metrics.map((m) => escapeInline(m)).join(' | ')} |`,
    `|---|---|${ctx.metrics.map(() => '---').join('|')}|`,
  );
  const perMetric = ctx.metrics.map((m) => byLevel(results, factors, ctx.factorsOf, m));
  (perMetric[0] ?? []).forEach((row, i) => {
    const cells = perMetric.map((groups) => meanSd(groups[i]?.stats ?? null));
    lines.push(`| ${code(row.key)} | ${row.stats?.n ?? 0} | ${cells.join(' | ')} |`);
  });
  const names = ctx.snapshot.factors.map((f) => f.name);
  const cells = ctx.metrics.map((m) => byCell(results, names, ctx.replicate, ctx.factorsOf, m));
  const first = cells[0] ?? [];
  lines.push(
    '',
    `By cell (${first.length} cells):`,
    '',
    `| cell | n | ${ctx.metrics.map((m) => escapeInline(m)).join(' | ')} |`,
    `|---|---|${ctx.metrics.map(() => '---').join('|')}|`,
  );
  first.slice(0, MAX_CELLS).forEach((row, i) => {
    lines.push(
      `| ${code(row.key)} | ${row.stats?.n ?? 0} | ${cells.map((g) => meanSd(g[i]?.stats ?? null)).join(' | ')} |`,
    );
  });
  if (first.length > MAX_CELLS) lines.push('', `… ${first.length - MAX_CELLS} more cells in the JSONL file.`);
  const flags: string[] = [];
  for (const r of results.filter((x) => x.status !== 'ok'))
    flags.push(`${code(r.conditionId)}: outputs ${r.status.replace('_', '-')}`);
  for (const m of ctx.metrics)
    for (const o of outliers(results, m))
      flags.push(
        `${code(o.conditionId)}: ${escapeInline(m)} = ${num(o.value)} is an outlier (robust z ${o.z.toFixed(1)})`,
      );
  const failed = ctx.final.failedConditions;
  for (const id of failed.slice(0, 20)) flags.push(`${code(id)}: no result (the condition failed)`);
  lines.push('', flags.length > 0 ? 'Flagged:' : 'Flagged: nothing (no NaN, missing or outlying result).');
  if (flags.length > 0) lines.push('', ...flags.slice(0, 40).map((f) => `- ${f}`));
  return lines;
}

export function costSection(ctx: ReportContext): string[] {
  const c = ctx.cost;
  const dollars = (d: number | null) => (d === null ? '—' : `$${d.toFixed(2)}`);
  const lines = [
    '## Cost',
    '',
    '| cycle | attempts | wall time | CPU-hours | GPU-hours | of which failed (CPU-h) | dollars |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of [...c.cycles, c.total]) {
    const name = r.cycle < 0 ? '**total**' : String(r.cycle);
    lines.push(
      `| ${name} | ${r.attempts} | ${Math.round(r.elapsedSeconds)} s | ${hours(r.cpuHours)} | ${hours(r.gpuHours)} | ${hours(r.failedCpuHours)} | ${dollars(r.dollars)} |`,
    );
  }
  lines.push('', "CPU-hours are elapsed × CPUs per job from the scheduler's records; GPU-hours likewise.");
  for (const note of c.notes) lines.push(`- ${note}`);
  return lines;
}

export function checklistSection(ctx: ReportContext): string[] {
  const lines = ['## Checklist', '', '| | rule | result | detail |', '|---|---|---|---|'];
  for (const c of ctx.checks)
    lines.push(`| ${c.id} | ${c.rule} | ${c.pass ? '✅ pass' : '❌ fail'} | ${escapeInline(c.detail)} |`);
  return lines;
}

export function heatMapSection(ctx: ReportContext): string[] {
  return [
    '## Factor heat map',
    '',
    `![factor heat map: one cell per condition, coloured by its final outcome](${ctx.data.artifacts.svg})`,
    '',
    `Rows and columns are the factor levels; green succeeded, light green succeeded after a relaunch, red failed (with its root cause). The same data, one line per attempt: [${escapeInline(ctx.data.artifacts.jsonl)}](${ctx.data.artifacts.jsonl}).`,
  ];
}
