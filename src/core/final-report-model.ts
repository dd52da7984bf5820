/**
 * What the final report is computed from: the manifest (the source of truth of what ran),
 * the policy, the outputs the sweep expected (read by the app, bounded), and what the session
 * that watched the sweep did. Pure data: the report renderers never read a file or a clock.
 */
import type { Manifest } from './manifest-model.js';
import type { Policy } from './policy.js';
import type { RootCause } from './types.js';

/** One thing sweepwatch did during the session, for the timeline and the runbook. */
export interface SessionEvent {
  readonly at: string;
  readonly kind: 'launch' | 'tick' | 'relaunch' | 'cancel' | 'report' | 'note';
  readonly summary: string;
}

/** How a condition's expected outputs look: `ok` only when every file is there and finite. */
export type OutputStatus = 'ok' | 'missing' | 'empty' | 'non_finite' | 'unreadable' | 'not_checked';

export interface OutputFileCheck {
  readonly path: string;
  readonly status: OutputStatus;
  readonly size: number | null;
}

export interface ConditionResult {
  readonly conditionId: string;
  readonly status: OutputStatus;
  /** Numeric metrics found in the outputs (null: present but NaN/inf), at most MAX_METRICS. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly files: readonly OutputFileCheck[];
}

export interface TemplateResources {
  readonly memoryMb: number | null;
  readonly timeMinutes: number | null;
  /** CPUs per job; null: the sweep file does not say (1 is assumed for cost). */
  readonly cpus: number | null;
  readonly gpus: number | null;
}

export interface Prices {
  readonly cpuHour: number | null;
  readonly gpuHour: number | null;
}

export interface FinalReportData {
  readonly experiment: string;
  /** When the report was made (the injected clock). */
  readonly generatedAt: string;
  readonly manifest: Manifest;
  /** The factors in the sweep file's order (the manifest keeps them in first-use order). */
  readonly factors: readonly { readonly name: string; readonly levels: readonly string[] }[];
  readonly policy: Policy;
  readonly schedulerKind: string;
  readonly template: TemplateResources;
  /** The sweep file's `outputs.expected` templates. */
  readonly expectedOutputs: readonly string[];
  /** One per condition whose latest attempt succeeded (others are not checked). */
  readonly results: readonly ConditionResult[];
  readonly prices: Prices;
  readonly session: readonly SessionEvent[];
  /** Causes that need a fix before a rerun (rule F3). */
  readonly needsFix: ReadonlySet<RootCause>;
  readonly runbook: {
    /** How the person runs sweepwatch (`sweepwatch`, `node dist/cli/index.js`). */
    readonly command: string;
    readonly configPath: string;
    readonly statePath: string;
    readonly recordingPath: string | null;
    readonly issuesDir: string | null;
  };
  /** File names written beside the report, for links. */
  readonly artifacts: { readonly jsonl: string; readonly svg: string };
  /** A note on the clock (the demo's compressed minutes); null for a real sweep. */
  readonly clockNote: string | null;
}
