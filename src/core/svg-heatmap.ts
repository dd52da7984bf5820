/**
 * The factor heat map as an SVG we draw ourselves (pure string building, no browser): one cell
 * per condition, rows the combinations of the first half of the factors, columns the rest.
 * A cell's colour is its final outcome (succeeded at once, succeeded after a relaunch, failed
 * by root cause, cancelled, still live); its text says the cause and the attempts. Every piece
 * of text is XML-escaped: factor names and levels come from the user's sweep file.
 */

export type CellOutcome = 'succeeded' | 'recovered' | 'failed' | 'cancelled' | 'live' | 'not_run';

export interface HeatCell {
  readonly conditionId: string;
  readonly factors: Readonly<Record<string, string>>;
  readonly outcome: CellOutcome;
  /** The root cause of the failure (failed), or of the first failure (recovered). */
  readonly cause: string | null;
  readonly attempts: number;
  /** A short value to show (a metric), or null. */
  readonly value: string | null;
}

export interface HeatMapInput {
  readonly title: string;
  readonly factors: readonly { readonly name: string; readonly levels: readonly string[] }[];
  readonly cells: readonly HeatCell[];
}

export const OUTCOME_COLORS: Readonly<Record<CellOutcome, string>> = {
  succeeded: '#2da44e',
  recovered: '#9be9a8',
  failed: '#cf222e',
  cancelled: '#8c959f',
  live: '#d4a72c',
  not_run: '#eaeef2',
};

const LEGEND: readonly [CellOutcome, string][] = [
  ['succeeded', 'succeeded'],
  ['recovered', 'succeeded after relaunch'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
  ['live', 'live'],
];

/** Rows or columns past this are left out (the title says how many): a poster is not a heat map. */
export const MAX_AXIS = 40;
const CELL_W = 150;
const CELL_H = 44;
const HEADER_H = 40;
const TITLE_H = 36;
const LEGEND_H = 40;
const LEGEND_STEP = 170;
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

export function escapeXml(text: string): string {
  // Characters XML 1.0 forbids outright are dropped: they cannot be escaped.
  const allowed = text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
  return allowed.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function combos(factors: HeatMapInput['factors']): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const f of factors)
    out = out.flatMap((partial) => f.levels.map((level) => ({ ...partial, [f.name]: level })));
  return out;
}

const label = (combo: Record<string, string>) =>
  Object.entries(combo)
    .map(([k, v]) => `${k}=${v}`)
    .join(' · ');

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function cellText(cell: HeatCell | undefined): [string, string] {
  if (cell === undefined) return ['not run', ''];
  const tries = cell.attempts > 1 ? `try ${cell.attempts}` : '1 try';
  switch (cell.outcome) {
    case 'succeeded':
      return ['ok', cell.value ?? tries];
    case 'recovered':
      return [
        `ok after ${cell.cause ?? 'failure'}`,
        cell.value === null ? tries : `${cell.value} · ${tries}`,
      ];
    case 'failed':
      return [cell.cause ?? 'failed', tries];
    case 'cancelled':
      return ['cancelled', tries];
    case 'live':
      return ['running', tries];
    default:
      return ['not run', ''];
  }
}

export function renderHeatMapSvg(input: HeatMapInput): string {
  const split = Math.ceil(input.factors.length / 2);
  const rowFactors = input.factors.slice(0, split);
  const colFactors = input.factors.slice(split);
  const allRows = combos(rowFactors);
  const allCols = combos(colFactors);
  const rows = allRows.slice(0, MAX_AXIS);
  const cols = allCols.slice(0, MAX_AXIS);
  const rowLabelW = Math.max(120, 7 * Math.max(...rows.map((r) => label(r).length), 4) + 16);
  const width = Math.max(rowLabelW + cols.length * CELL_W + 16, 16 + LEGEND.length * LEGEND_STEP);
  const height = TITLE_H + HEADER_H + rows.length * CELL_H + LEGEND_H + 8;
  const byKey = new Map(
    input.cells.map((c) => [input.factors.map((f) => c.factors[f.name] ?? '').join('\u0000'), c]),
  );
  const cut = allRows.length > rows.length || allCols.length > cols.length;
  const title = `${input.title}${cut ? ` (first ${rows.length} of ${allRows.length} rows, ${cols.length} of ${allCols.length} columns)` : ''}`;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="22" font-size="15" font-weight="bold" fill="#1f2328">${escapeXml(title)}</text>`,
  ];
  cols.forEach((col, j) => {
    const x = rowLabelW + j * CELL_W + CELL_W / 2;
    const lines = Object.entries(col).map(([k, v]) => `${k}=${v}`);
    lines.slice(0, 2).forEach((line, k) => {
      out.push(
        `<text class="col-label" x="${x}" y="${TITLE_H + 14 + k * 14}" text-anchor="middle" fill="#1f2328">${escapeXml(clip(line, 20))}</text>`,
      );
    });
  });
  rows.forEach((row, i) => {
    const y = TITLE_H + HEADER_H + i * CELL_H;
    out.push(
      `<text class="row-label" x="${rowLabelW - 8}" y="${y + CELL_H / 2 + 4}" text-anchor="end" fill="#1f2328">${escapeXml(label(row))}</text>`,
    );
    cols.forEach((col, j) => {
      const x = rowLabelW + j * CELL_W;
      const factors = { ...row, ...col };
      const cell = byKey.get(input.factors.map((f) => factors[f.name] ?? '').join('\u0000'));
      const outcome: CellOutcome = cell?.outcome ?? 'not_run';
      const [top, bottom] = cellText(cell);
      const ink =
        outcome === 'failed' || outcome === 'succeeded' || outcome === 'cancelled' ? '#ffffff' : '#1f2328';
      const id = cell?.conditionId ?? label(factors);
      out.push(
        `<g class="cell" data-condition="${escapeXml(id)}" data-outcome="${outcome}" data-cause="${escapeXml(cell?.cause ?? '')}">`,
        `<title>${escapeXml(`${id}: ${top}${bottom === '' ? '' : ` (${bottom})`}`)}</title>`,
        `<rect x="${x + 2}" y="${y + 2}" width="${CELL_W - 4}" height="${CELL_H - 4}" rx="4" fill="${OUTCOME_COLORS[outcome]}"/>`,
        `<text x="${x + CELL_W / 2}" y="${y + 19}" text-anchor="middle" font-weight="bold" fill="${ink}">${escapeXml(clip(top, 22))}</text>`,
        `<text x="${x + CELL_W / 2}" y="${y + 33}" text-anchor="middle" fill="${ink}">${escapeXml(clip(bottom, 24))}</text>`,
        '</g>',
      );
    });
  });
  const legendY = TITLE_H + HEADER_H + rows.length * CELL_H + 14;
  LEGEND.forEach(([outcome, text], k) => {
    const x = 8 + k * LEGEND_STEP;
    out.push(
      `<rect x="${x}" y="${legendY}" width="14" height="14" rx="3" fill="${OUTCOME_COLORS[outcome]}"/>`,
      `<text x="${x + 20}" y="${legendY + 11}" fill="#1f2328">${escapeXml(text)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
