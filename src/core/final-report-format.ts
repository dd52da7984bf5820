/** Number and time formatting shared by the final report's sections. */

export function pct(share: number): string {
  return `${(100 * share).toFixed(share > 0 && share < 0.01 ? 1 : 0)} %`;
}

export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-3 ? value.toExponential(2) : value.toPrecision(4).replace(/\.?0+$/, '');
}

export function hours(value: number): string {
  if (value === 0) return '0';
  return value < 1 ? value.toPrecision(3) : value.toFixed(2);
}

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = seconds / 60;
  return minutes < 90 ? `${Math.round(minutes)} min` : `${(minutes / 60).toFixed(1)} h`;
}

/** `2025-01-02T03:04:05Z` → `03:04:05` when the report covers one day; the whole time otherwise. */
export function clock(at: string, sameDay: boolean): string {
  const m = /T(\d\d:\d\d:\d\d)/.exec(at);
  return sameDay && m?.[1] !== undefined ? m[1] : at;
}

export function mb(value: number | null): string {
  if (value === null) return '—';
  return value >= 1024 && value % 1024 === 0 ? `${value / 1024} GB` : `${value} MB`;
}

export function minutes(value: number | null): string {
  return value === null ? '—' : `${value} min`;
}
