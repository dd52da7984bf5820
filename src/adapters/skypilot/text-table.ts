/**
 * Reading a borderless prettytable (SkyPilot's `log_utils.create_table`: left-aligned, no
 * border, no left padding, two spaces of right padding) by its header, never by position:
 * columns come and go between versions (WORKSPACE, PRIORITY, USER, POOL, PROGRESS, …).
 *
 * prettytable pads every column to its widest cell, measured in terminal cells with ANSI codes
 * ignored, so each header name starts exactly where its column starts. Cells may hold single
 * spaces (`1 hr ago`, `TOT. DURATION`); columns are at least two spaces apart. A multi-line cell
 * (a failure reason with a newline) continues on lines whose other cells are blank.
 */

// CSI (colours, cursor), OSC (titles, links) and the two-byte escapes colorama/rich emit.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[@-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Terminal cells of one code point: 2 for East Asian wide/fullwidth and emoji, 0 for combining marks. */
export function cellWidth(codePoint: number): number {
  if (codePoint === 0 || (codePoint >= 0x300 && codePoint <= 0x36f) || codePoint === 0x200b) return 0;
  if (codePoint === 0xfe0e || codePoint === 0xfe0f) return 0;
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

export interface Column {
  readonly name: string;
  /** The terminal cell where the column starts. */
  readonly start: number;
}

/** The columns of a header line: names separated by two or more spaces, at their cell offsets. */
export function headerColumns(line: string): Column[] {
  const columns: Column[] = [];
  let cell = 0;
  let name = '';
  let nameStart = 0;
  let spaces = 0;
  for (const ch of line) {
    const w = cellWidth(ch.codePointAt(0) ?? 0);
    if (ch === ' ') {
      spaces++;
    } else {
      if (name !== '' && spaces >= 2) {
        columns.push({ name, start: nameStart });
        name = '';
      }
      if (name === '') nameStart = cell;
      else if (spaces === 1) name += ' ';
      name += ch;
      spaces = 0;
    }
    cell += w;
  }
  if (name !== '') columns.push({ name, start: nameStart });
  return columns;
}

/** Cuts a row into one trimmed cell per column, by terminal cell offset. */
export function sliceRow(line: string, columns: readonly Column[]): string[] {
  const cells = columns.map(() => '');
  let cell = 0;
  let index = 0;
  for (const ch of line) {
    while (index + 1 < columns.length && cell >= (columns[index + 1]?.start ?? Number.POSITIVE_INFINITY)) {
      index++;
    }
    cells[index] += ch;
    cell += cellWidth(ch.codePointAt(0) ?? 0);
  }
  return cells.map((c) => c.trim());
}

/** The index of the first line that is a header with every required name, or -1. */
export function findHeader(lines: readonly string[], required: readonly string[]): number {
  return lines.findIndex((line) => {
    const names = new Set(headerColumns(line).map((c) => c.name));
    return required.every((r) => names.has(r));
  });
}
