/** The shape of `npm run bench -- --json`: stable keys, one object per suite (null: not run). */
import type { ClassifyResult } from '../suites/classify.js';
import type { CoreResult } from '../suites/core.js';
import type { GitHubResult } from '../suites/github.js';
import type { LabResult } from '../suites/lab.js';
import type { ManifestResult } from '../suites/manifest.js';
import type { RoundTripResult } from '../suites/round-trips.js';
import type { StartupResult } from '../suites/startup.js';
import type { Check } from './targets.js';

export const RESULTS_SCHEMA = 1;

export interface BenchSuites {
  readonly core: CoreResult | null;
  readonly lab: LabResult | null;
  readonly startup: StartupResult | null;
  readonly roundTrips: RoundTripResult | null;
  readonly github: GitHubResult | null;
  readonly manifest: ManifestResult | null;
  readonly classify: ClassifyResult | null;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly mode: 'full' | 'quick';
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: {
    readonly cpus: number;
    readonly node: string;
    readonly platform: string;
    /** 1-minute load average at the start and the end: a busy machine stretches every absolute time. */
    readonly load: readonly [number, number];
  };
  readonly suites: BenchSuites;
  /** Why a suite did not run (no lab, --only, or it failed). */
  readonly skipped: Readonly<Record<string, string>>;
  readonly checks: readonly Check[];
  /** Ids of missed checks, and `<suite>.failed` for a suite that threw. */
  readonly missed: readonly string[];
}
