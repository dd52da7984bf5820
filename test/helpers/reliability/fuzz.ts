/**
 * fast-check runs that report into the recorder: each case's problems are tallied by kind, the
 * run stops at the first bad case (so the tally counts each case once), and a case slower than
 * its budget counts as a hang. Default runs are short and seeded, so that they (and the report
 * built from them) are the same on every machine; SWEEPWATCH_FUZZ_RUNS asks for more, from a
 * random seed unless SWEEPWATCH_FUZZ_SEED is given, and SWEEPWATCH_FUZZ_SECONDS (default 120)
 * then bounds each property's wall time.
 */
import fc from 'fast-check';
import {
  type ClassSpec,
  mergeProblems,
  noProblems,
  type Problems,
  type Recorder,
  VIOLATION_KINDS,
  type ViolationKind,
} from './recorder.js';

export function fuzzRuns(defaultRuns: number): number {
  const asked = Number(process.env.SWEEPWATCH_FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : defaultRuns;
}

/** Extra vitest time a long run may need: the property's bound plus slack. */
export function fuzzTimeoutMs(defaultMs: number): number {
  if (process.env.SWEEPWATCH_FUZZ_RUNS === undefined) return defaultMs;
  return (Number(process.env.SWEEPWATCH_FUZZ_SECONDS) || 120) * 1000 + defaultMs;
}

export interface FuzzOptions {
  readonly runs: number;
  /** A single case slower than this is a hang (default 1 s). */
  readonly caseBudgetMs?: number;
  readonly seed?: number;
}

/** The seed of default runs: fixed, so a failure found once is found on every run. */
const DEFAULT_SEED = 20_260_301;

function seedOf(options: FuzzOptions): number | undefined {
  const asked = Number(process.env.SWEEPWATCH_FUZZ_SEED);
  if (Number.isInteger(asked)) return asked;
  if (options.seed !== undefined) return options.seed;
  return process.env.SWEEPWATCH_FUZZ_RUNS === undefined ? DEFAULT_SEED : undefined;
}

export interface FuzzOutcome<T> {
  readonly cases: number;
  /** The first case with problems, what they were, and the seed that finds it again. */
  readonly failure: { readonly input: T; readonly problems: Problems; readonly seed: number } | null;
}

/**
 * Runs `check` on generated inputs and records the class. `check` returns the problems of one
 * case; an exception it lets escape is itself a crash.
 */
export async function fuzz<T>(
  rec: Recorder,
  spec: ClassSpec,
  arb: fc.Arbitrary<T>,
  check: (input: T) => Partial<Problems> | Promise<Partial<Problems>>,
  options: FuzzOptions,
): Promise<FuzzOutcome<T>> {
  const budget = options.caseBudgetMs ?? 1000;
  const violating: Record<ViolationKind, number> = {
    lost: 0,
    falseFailure: 0,
    duplicate: 0,
    leak: 0,
    crash: 0,
  };
  let cases = 0;
  // A holder, not a variable: it is set inside the property, which TypeScript cannot follow.
  const first: { found: { input: T; problems: Problems } | null } = { found: null };
  const long = process.env.SWEEPWATCH_FUZZ_RUNS !== undefined;
  const seed = seedOf(options);
  const details = await fc.check(
    fc.asyncProperty(arb, async (input) => {
      cases += 1;
      const problems = noProblems();
      const started = performance.now();
      try {
        mergeProblems(problems, await check(input));
      } catch (error) {
        problems.crash.push(
          `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        );
      }
      const took = performance.now() - started;
      if (took > budget) problems.crash.push(`took ${Math.round(took)} ms (budget ${budget} ms)`);
      const bad = VIOLATION_KINDS.filter((k) => problems[k].length > 0);
      for (const k of bad) violating[k] += 1;
      if (bad.length > 0) first.found ??= { input, problems };
      return bad.length === 0;
    }),
    {
      numRuns: options.runs,
      endOnFailure: true,
      ...(seed !== undefined ? { seed } : {}),
      ...(long
        ? { interruptAfterTimeLimit: (Number(process.env.SWEEPWATCH_FUZZ_SECONDS) || 120) * 1000 }
        : {}),
    },
  );
  rec.bulk(spec, cases, violating);
  return { cases, failure: first.found === null ? null : { ...first.found, seed: details.seed } };
}
