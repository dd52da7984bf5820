/**
 * Slurm job ids: plain (`123`), array task (`123_4`), pending array ranges (`123_[5-9]`,
 * `123_[1,3-5%2]` with a throttle), heterogeneous components (`123+0`), and steps (`123.batch`,
 * `123_4.extern`, `123.0`).
 */

/** Ids we accept from callers: only digits, `_` and `+`, so they can never be shell or option syntax. */
const JOB_ID = /^\d+(?:[_+]\d+)?$/;

export function isValidJobId(id: string): boolean {
  return JOB_ID.test(id);
}

export interface SplitJobId {
  /** The job part: `123_4` of `123_4.batch`. */
  readonly job: string;
  /** The step part (`batch`, `extern`, `0`), or undefined for the job's own line. */
  readonly step: string | undefined;
}

export function splitStep(id: string): SplitJobId {
  const dot = id.indexOf('.');
  return dot < 0 ? { job: id, step: undefined } : { job: id.slice(0, dot), step: id.slice(dot + 1) };
}

/** Array task ids are expanded up to this many per row; a bigger range is reported, not expanded. */
export const MAX_ARRAY_EXPANSION = 100_000;

/**
 * `123_[1,3-5%2]` → [`123_1`, `123_3`, `123_4`, `123_5`]; a plain id → [id]; malformed → undefined.
 * The `%N` throttle limits how many tasks run at once, not which exist, so it is dropped.
 */
export function expandArrayId(id: string): string[] | undefined {
  const m = /^(\d+)_\[([^\]]*)\]$/.exec(id);
  if (!m) return JOB_ID.test(id) ? [id] : undefined;
  const [, base, spec = ''] = m;
  const list = spec.replace(/%\d+$/, '');
  const out: string[] = [];
  for (const part of list.split(',')) {
    // `1-9:2`: a step is legal in array specs.
    const r = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!r) return undefined;
    const from = Number(r[1]);
    const to = r[2] === undefined ? from : Number(r[2]);
    const step = r[3] === undefined ? 1 : Number(r[3]);
    if (to < from || step < 1 || out.length + (to - from) / step + 1 > MAX_ARRAY_EXPANSION) return undefined;
    for (let i = from; i <= to; i += step) out.push(`${base}_${i}`);
  }
  return out;
}

/** The array master of `123_4` (`123`), or undefined for a plain id. */
export function arrayMaster(id: string): string | undefined {
  const m = /^(\d+)_/.exec(id);
  return m?.[1];
}

/**
 * Joins ids into comma lists no longer than maxBytes each: one list per squeue/sacct call, so a
 * huge manifest never exceeds the kernel's per-argument limit (128 KiB on Linux). Each list is
 * joined once: grown id by id, it was a chain of ~7,000 string pieces, ~6.5 MB at 100,000 jobs
 * kept for the whole observe.
 */
export function chunkIds(ids: readonly string[], maxBytes: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let length = -1;
  for (const id of ids) {
    if (current.length > 0 && length + 1 + id.length > maxBytes) {
      chunks.push(current.join(','));
      current = [];
      length = -1;
    }
    current.push(id);
    length += 1 + id.length;
  }
  if (current.length > 0) chunks.push(current.join(','));
  return chunks;
}
