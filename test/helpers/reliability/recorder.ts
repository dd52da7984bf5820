/**
 * The reliability recorder: every fault and fuzz test reports, per fault or input class, how many
 * cases it tried and how many of them lost an attempt, failed a job that did not fail, duplicated
 * something, leaked something or crashed. Each test file writes one JSON into a shared directory
 * (rewritten on every record, so a file that dies half-way still leaves what it measured), and
 * report.ts turns the directory into docs/reliability.md.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const AREAS = [
  'SSH',
  'Scheduler',
  'GitHub',
  'Process',
  'Parser fuzzing',
  'Injection',
  'Authorization',
  'Secrets',
] as const;
export type Area = (typeof AREAS)[number];

/** What can go wrong in one case; each must stay at zero. */
export const VIOLATION_KINDS = ['lost', 'falseFailure', 'duplicate', 'leak', 'crash'] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** Descriptions of what went wrong in one case, by kind: readable in an assertion diff. */
export type Problems = Record<ViolationKind, string[]>;

export interface ReliabilityRow {
  readonly area: Area;
  /** The fault or input class, e.g. `connection refused`. */
  readonly klass: string;
  /** What the case ran against: `real lab`, `in-process ssh2 server`, `fake GitHub`, `fast-check`. */
  readonly against: string;
  /** What the user gets, in one line. */
  readonly expected: string;
  cases: number;
  /** Cases with at least one violation of each kind. */
  readonly violating: Record<ViolationKind, number>;
}

export interface SuiteFile {
  /** The test file's name, e.g. `ssh.fault.test.ts`. */
  readonly file: string;
  readonly rows: readonly ReliabilityRow[];
}

export function reliabilityDir(): string {
  return process.env.SWEEPWATCH_RELIABILITY_DIR ?? join(tmpdir(), 'sweepwatch-reliability');
}

export function noProblems(): Problems {
  return { lost: [], falseFailure: [], duplicate: [], leak: [], crash: [] };
}

/** Adds `more` to `into`, prefixing each description with the case's label. */
export function mergeProblems(into: Problems, more: Partial<Problems>, label = ''): Problems {
  for (const kind of VIOLATION_KINDS) {
    for (const p of more[kind] ?? []) into[kind].push(label === '' ? p : `${label}: ${p}`);
  }
  return into;
}

export interface ClassSpec {
  readonly area: Area;
  readonly klass: string;
  readonly against: string;
  readonly expected: string;
}

export interface Recorder {
  /**
   * Records one case of a class and returns its problems, for the test to assert empty:
   * `expect(rec.check(SPEC, problems)).toEqual(noProblems())`.
   */
  check(spec: ClassSpec, problems: Partial<Problems>): Problems;
  /** Records `cases` cases at once (a fast-check run), `violating` of them by kind. */
  bulk(spec: ClassSpec, cases: number, violating: Partial<Record<ViolationKind, number>>): void;
}

/** One recorder per test file: `const rec = recorder(import.meta.url)`. */
export function recorder(fileUrl: string): Recorder {
  const file = basename(new URL(fileUrl).pathname);
  const rows = new Map<string, ReliabilityRow>();
  const rowOf = (spec: ClassSpec): ReliabilityRow => {
    const key = `${spec.area}\u0000${spec.klass}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { ...spec, cases: 0, violating: { lost: 0, falseFailure: 0, duplicate: 0, leak: 0, crash: 0 } };
      rows.set(key, row);
    }
    return row;
  };
  const persist = (): void => {
    const dir = reliabilityDir();
    mkdirSync(dir, { recursive: true });
    const target = join(dir, `${file}.json`);
    const body: SuiteFile = { file, rows: [...rows.values()] };
    // Written aside and renamed: the generator, run by another file, never reads half a file.
    writeFileSync(`${target}.${process.pid}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(`${target}.${process.pid}.tmp`, target);
  };
  return {
    check(spec, partial) {
      const problems = mergeProblems(noProblems(), partial);
      const row = rowOf(spec);
      row.cases += 1;
      for (const kind of VIOLATION_KINDS) if (problems[kind].length > 0) row.violating[kind] += 1;
      persist();
      return problems;
    },
    bulk(spec, cases, violating) {
      const row = rowOf(spec);
      row.cases += cases;
      for (const kind of VIOLATION_KINDS) row.violating[kind] += violating[kind] ?? 0;
      persist();
    },
  };
}
