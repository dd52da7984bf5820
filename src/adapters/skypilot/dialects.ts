/**
 * How to ask `sky jobs queue` for every job of the user, per CLI generation. The flags moved:
 *
 * | dialect      | argv                              | SkyPilot                         | output          |
 * |--------------|-----------------------------------|----------------------------------|-----------------|
 * | json         | jobs queue --all -v -o json       | ≥ 0.12 (`-o` added 2026-03, #8784) | JSON records  |
 * | all-verbose  | jobs queue --all -v               | 2025-03 (#4923) … 0.11           | table, all cols |
 * | verbose      | jobs queue -v                     | 2025-02-16 (#4660) … 2025-03-12  | table, all cols |
 * | legacy-all   | jobs queue --all                  | 0.6 … 0.8 (`-a/--all` = all columns) | table, all cols |
 *
 * `--all` shows every job: since #4923 the table stops at the latest 50 (`--limit`, 0.11+,
 * changes the number, `--all` lifts it). Before that every job was shown, and `-a/--all` meant
 * "all columns". `-v` is what gets `failure_reason`/`details`. The queue holds only the
 * caller's jobs unless `-u/--all-users` is given (never here). `sky jobs queue` takes no job
 * ids on the command line in any version (only the SDK does), so the sweep is scoped here.
 *
 * The observe script tries them in this order, moving on only when click rejects an option
 * (exit 2, "No such option"), and the adapter remembers the one that answered.
 */

export interface QueueDialect {
  readonly id: string;
  readonly args: readonly string[];
  readonly format: 'json' | 'table';
}

export const QUEUE_DIALECTS: readonly QueueDialect[] = [
  { id: 'json', args: ['jobs', 'queue', '--all', '-v', '-o', 'json'], format: 'json' },
  { id: 'all-verbose', args: ['jobs', 'queue', '--all', '-v'], format: 'table' },
  { id: 'verbose', args: ['jobs', 'queue', '-v'], format: 'table' },
  { id: 'legacy-all', args: ['jobs', 'queue', '--all'], format: 'table' },
];

export function dialectIndex(id: string): number {
  return QUEUE_DIALECTS.findIndex((d) => d.id === id);
}

/** `skypilot, version 0.10.3` (click's version_option, prog_name='skypilot') → `0.10.3`. */
export function parseSkyVersion(text: string): string | undefined {
  const m = /skypilot,?\s+version\s+(\S+)/i.exec(text) ?? /^\s*v?(\d+\.\d+\S*)\s*$/m.exec(text);
  return m?.[1];
}
