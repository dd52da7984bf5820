/**
 * The framing, the field readers and the merge were rewritten for speed (one observe call reads
 * ~44 MB and ~400,000 rows at 100,000 jobs). Their old implementations are small, so they live
 * here as the oracle: on random input the new code must answer exactly as the old did, down to
 * the key order of every object (JSON.stringify compares that too). The sacct and squeue
 * readers, too big to keep twice, are checked against recorded answers in
 * slurm-observe-differential.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseExitCode,
  parseNodes,
  parseText,
  parseTimestamp,
} from '../../src/adapters/slurm/fields.js';
import { mergeJob } from '../../src/adapters/slurm/merge.js';
import { RowCursor } from '../../src/adapters/slurm/rows.js';
import { type Framed, markerPrefix, parseFramed } from '../../src/adapters/slurm/sections.js';
import { isLiveState } from '../../src/adapters/slurm/states.js';
import { isTerminal, JOB_STATES, type JobObservation } from '../../src/core/types.js';

/** Equal, and equal as JSON: the same keys in the same order. */
function same<T>(actual: T, expected: T): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual, (_, v) => (v instanceof Map ? [...v] : v))).toBe(
    JSON.stringify(expected, (_, v) => (v instanceof Map ? [...v] : v)),
  );
}

// ---- The oracle: the implementations these replaced (e44e492), unchanged but for names. ----

function oldParseFramed(stdout: string, stderr: string, nonce: string): Framed {
  const prefix = markerPrefix(nonce);
  const sections: { source: string; key: string; lines: string[]; rc: number | null; stderr: string }[] = [];
  const byId = new Map<string, (typeof sections)[number]>();
  const meta = new Map<string, string>();
  const stray: string[] = [];
  let current: (typeof sections)[number] | undefined;
  let done = false;
  for (const line of splitLines(stdout)) {
    if (!line.startsWith(prefix)) {
      if (current) current.lines.push(line);
      else if (line.trim() !== '') stray.push(line);
      continue;
    }
    const [kind = '', ...rest] = line.slice(prefix.length).split(':');
    if (kind === 'begin' && rest.length >= 2) {
      const [source = '', ...key] = rest;
      current = { source, key: key.join(':'), lines: [], rc: null, stderr: '' };
      sections.push(current);
      byId.set(`${current.source}:${current.key}`, current);
    } else if (kind === 'end' && current && rest.length >= 3) {
      const rc = Number(rest[rest.length - 1]);
      current.rc = Number.isInteger(rc) ? rc : null;
      current = undefined;
    } else if (kind === 'meta' && rest.length >= 1) {
      const [name = '', ...value] = rest;
      meta.set(name, value.join(':'));
    } else if (kind === 'done') {
      done = true;
    }
  }
  let target: (typeof sections)[number] | undefined;
  const orphanErr: string[] = [];
  for (const line of splitLines(stderr)) {
    if (line.startsWith(prefix)) {
      const [kind = '', source = '', ...key] = line.slice(prefix.length).split(':');
      if (kind === 'begin') target = byId.get(`${source}:${key.join(':')}`);
      continue;
    }
    if (target) target.stderr += `${line}\n`;
    else if (line.trim() !== '') orphanErr.push(line);
  }
  if (orphanErr.length > 0) stray.push(...orphanErr);
  return { sections, meta, done, stray };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const OLD_PLACEHOLDERS = new Set([
  '',
  'unknown',
  'none',
  'n/a',
  'not_set',
  'invalid',
  '(null)',
  'none assigned',
]);
const old = {
  exitCode(text: string) {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(text);
    if (!m) return undefined;
    const signal = Number(m[2]);
    return { code: Number(m[1]), signal: signal === 0 ? null : signal };
  },
  duration(text: string) {
    const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)(?:\.\d+)?\s*$/.exec(text);
    if (!m) return undefined;
    const [, days, hours, minutes, seconds] = m;
    if (days !== undefined && hours === undefined) return undefined;
    return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes) * 60 + Number(seconds);
  },
  timestamp(text: string) {
    const t = text.trim();
    if (OLD_PLACEHOLDERS.has(t.toLowerCase())) return undefined;
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(t) ? t : undefined;
  },
  nodes(text: string) {
    const t = text.trim();
    return OLD_PLACEHOLDERS.has(t.toLowerCase()) ? undefined : t;
  },
  text(text: string) {
    const t = text.trim();
    return t === '' || t === '(null)' || t.toLowerCase() === 'n/a' ? undefined : t;
  },
};

const STATIC_FIELDS = ['name', 'jobIdRaw', 'submittedAt', 'stdoutPath', 'stderrPath'] as const;
function oldBorrow(primary: JobObservation, ...others: (JobObservation | undefined)[]): JobObservation {
  let out: JobObservation = primary;
  for (const field of STATIC_FIELDS) {
    if (out[field] !== undefined) continue;
    const value = others.find((o) => o?.[field] !== undefined)?.[field];
    if (value !== undefined) out = { ...out, [field]: value };
  }
  return out;
}
function oldWithRestarts(obs: JobObservation, ...sources: (JobObservation | undefined)[]): JobObservation {
  const restarts = sources.find((s) => s?.restarts !== undefined)?.restarts;
  return restarts === undefined ? obs : { ...obs, restarts };
}
function oldMergeJob(q?: JobObservation, a?: JobObservation, c?: JobObservation): JobObservation | undefined {
  if (q && isLiveState(q.state)) return oldWithRestarts(oldBorrow(q, a, c), a, c);
  if (q) {
    if (a && isTerminal(a.state)) {
      const reason = q.reason ?? a.reason;
      return oldBorrow({ ...a, ...(reason !== undefined ? { reason } : {}) }, q, c);
    }
    if (c && !isLiveState(c.state)) {
      const reason = q.reason ?? c.reason;
      return oldWithRestarts(oldBorrow({ ...c, ...(reason !== undefined ? { reason } : {}) }, q), a, c);
    }
    return oldWithRestarts(oldBorrow(q, a, c), a, c);
  }
  if (a) return oldBorrow(a, c);
  return c;
}

// ---- Inputs: near misses of what Slurm prints, where a shortcut would go wrong. ----

/** Strings over the characters that matter to the readers, and mutations of real values. */
const fieldText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789:-T. \t\nNnAaUuLl/()_İK'), maxLength: 22 }),
  fc.constantFrom(
    '2026-11-26T04:20:49',
    ' 2026-11-26T04:20:49',
    '2026-11-26T04:20:49\n',
    '2026-11-26 04:20:49',
    '2026-1-26T04:20:490',
    '０2026-11-26T04:20:4',
    '137:0',
    '123456789012345:0',
    '1234567890123456:7',
    '99999999999999999999:1',
    ' 0:9 ',
    ':0',
    '0:',
    '00:09:46',
    '1-02:03:04',
    '1-02:03',
    '12:34:56.789',
    'ab:cd:ef',
    'None assigned',
    'NONE ASSIGNED',
    'N/A',
    'n/A',
    'UNKNOWN',
    '(null)',
    'Not_Set',
    'İnvalid',
  ),
);

const nonce = 'n0nce';
const P = markerPrefix(nonce);
const streamLine = fc.oneof(
  fc.constantFrom(
    `${P}begin:sacct:0`,
    `${P}begin:squeue:0`,
    `${P}begin:sacct:0:x`,
    `${P}begin:sacct`,
    `${P}end:sacct:0:0`,
    `${P}end:sacct:0:x`,
    `${P}end:squeue:0:1`,
    `${P}end:x`,
    `${P}meta:user:alice`,
    `${P}meta:now:2026-11-26T05:00:00`,
    `${P}meta`,
    `${P}done`,
    `${P}other`,
    P,
    P.slice(0, -1),
    '@@SW:forged:done',
    '',
    ' ',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('a', '\x1f', ' ', '\r', ':', '@'), maxLength: 12 }),
);
const stream = fc
  .tuple(fc.array(streamLine, { maxLength: 40 }), fc.constantFrom('', '\n', '\n\n'))
  .map(([lines, end]) => lines.join('\n') + end);

const observation = fc.record(
  {
    jobId: fc.constantFrom('1', '2_3'),
    state: fc.constantFrom(...JOB_STATES),
    rawState: fc.constantFrom('RUNNING', 'FAILED'),
    source: fc.constantFrom('squeue', 'sacct', 'scontrol'),
    reason: fc.constantFrom('None', 'Priority'),
    restarts: fc.nat(3),
    name: fc.constantFrom('sw-a', 'sw-b'),
    jobIdRaw: fc.constantFrom('10', '11'),
    submittedAt: fc.constantFrom('2026-11-26T04:20:49'),
    stdoutPath: fc.constantFrom('/o'),
    stderrPath: fc.constantFrom('/e'),
    elapsedSeconds: fc.nat(100),
  },
  { requiredKeys: ['jobId', 'state', 'rawState'] },
);

describe('the rewritten readers answer exactly as the old ones', () => {
  it('RowCursor: the field count and fields of split(), without splitting', () => {
    const text = (unit: fc.Arbitrary<string>) => fc.string({ unit, maxLength: 16 });
    const chars = fc.constantFrom('a', 'b', '|', '\x1f', ' ');
    fc.assert(
      fc.property(
        text(chars),
        fc.constantFrom('\x1f', '|', '||', '|a', ''),
        fc.nat(6),
        (line, sep, width) => {
          const fields = line.split(sep);
          const cursor = new RowCursor(width, sep);
          expect(cursor.read(line)).toBe(fields.length);
          if (fields.length === width) {
            for (let k = 0; k < width; k++) expect(cursor.field(k)).toBe(fields[k]);
            for (let k = 0; k < width; k++) {
              const f = fields[k] ?? '';
              expect(cursor.fieldStartsWith(k, f.slice(0, -1), f.charCodeAt(f.length - 1))).toBe(f !== '');
            }
          }
          expect(cursor.field(-1)).toBe('');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('parseFramed: same sections, lines, exit codes, stderr, meta and stray lines', () => {
    fc.assert(
      fc.property(stream, stream, (out, err) =>
        same(parseFramed(out, err, nonce), oldParseFramed(out, err, nonce)),
      ),
      { numRuns: 2000 },
    );
  });

  it('the field readers: timestamps, exit codes, durations, node lists, texts', () => {
    fc.assert(
      fc.property(fieldText, (text) => {
        same(parseTimestamp(text), old.timestamp(text));
        same(parseExitCode(text), old.exitCode(text));
        same(parseDuration(text), old.duration(text));
        same(parseNodes(text), old.nodes(text));
        same(parseText(text), old.text(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('mergeJob: same observation, fields in the same order, inputs untouched', () => {
    const maybe = fc.option(observation, { nil: undefined });
    fc.assert(
      fc.property(maybe, maybe, maybe, (q, a, c) => {
        const before = JSON.stringify([q, a, c]);
        same(mergeJob(q, a, c), oldMergeJob(q, a, c));
        expect(JSON.stringify([q, a, c])).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });
});
