/**
 * One tick as the CLI runs it (for `tick`, `watch` and `demo`): the tick use case over the
 * sweep's adapters, then, since there is no GitHub workflow to dispatch to, the relaunch the
 * tick asked for, run in this process (see in-process-dispatcher.ts). Optionally recorded for
 * `replay`, optionally dry (every write recorded, nothing done).
 */

import {
  DryRunRecorder,
  dryRunDispatcher,
  dryRunFiles,
  dryRunIssues,
  dryRunScheduler,
  dryRunStore,
} from '../app/dry-run.js';
import { type RelaunchResult, relaunch } from '../app/relaunch.js';
import { type TickResult, tick } from '../app/tick.js';
import type { SessionEvent } from '../core/final-report-model.js';
import { serializeManifest } from '../core/manifest.js';
import { systemClock } from '../ports/clock.js';
import type { ClusterFiles } from '../ports/cluster-files.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { StateStore } from '../ports/state-store.js';
import type { WorkflowDispatcher } from '../ports/workflow-dispatcher.js';
import type { Sweep } from './context.js';
import { IN_PROCESS_WORKFLOW, InProcessDispatcher } from './in-process-dispatcher.js';
import { LocalIssues } from './local-issues.js';
import { appendRecord, SchedulerTape } from './recording.js';

export interface SessionOptions {
  readonly scheduler: Scheduler;
  readonly files: ClusterFiles | undefined;
  readonly logger: Logger;
  /** The commit the relaunched jobs run (rule F3). */
  readonly digest: string;
  /** Run the relaunches ticks ask for; false: report the plan only. */
  readonly relaunch: boolean;
  /** A person approved relaunches (policy.auto_relaunch off). */
  readonly approvedBy?: string;
  readonly dryRun: boolean;
  /** Append each tick's scheduler answers here (JSON Lines), for `sweepwatch replay`. */
  readonly recordPath?: string;
}

export interface TickStep {
  readonly at: string;
  readonly result: TickResult;
  readonly relaunches: readonly RelaunchResult[];
  /** Relaunches that could not run (the next tick plans them again). */
  readonly relaunchErrors: readonly string[];
  /** What a dry run would have done, in order; null on a real run. */
  readonly dryRun: DryRunRecorder | null;
}

export class TickSession {
  /** What this session did, for the final report's runbook. */
  readonly events: SessionEvent[] = [];
  private readonly store: StateStore;
  private readonly scheduler: Scheduler;
  private readonly issues: LocalIssues | ReturnType<typeof dryRunIssues>;
  private readonly dispatcher: WorkflowDispatcher;
  private readonly inProcess: InProcessDispatcher | null;
  private readonly files: ClusterFiles | undefined;
  private readonly tape: SchedulerTape | null;
  private readonly recorder: DryRunRecorder | null;

  constructor(
    private readonly sweep: Sweep,
    private readonly options: SessionOptions,
  ) {
    this.tape = options.recordPath === undefined ? null : new SchedulerTape();
    const observed = this.tape === null ? options.scheduler : this.tape.wrap(options.scheduler);
    const issues = new LocalIssues(sweep.paths.issues);
    if (options.dryRun) {
      const rec = new DryRunRecorder();
      this.recorder = rec;
      this.store = dryRunStore(sweep.store, rec);
      this.scheduler = dryRunScheduler(observed, rec);
      this.issues = dryRunIssues(issues, rec);
      this.dispatcher = dryRunDispatcher(rec);
      this.inProcess = null;
      this.files = dryRunFiles(rec);
    } else {
      this.recorder = null;
      this.store = sweep.store;
      this.scheduler = observed;
      this.issues = issues;
      this.inProcess = new InProcessDispatcher();
      this.dispatcher = this.inProcess;
      this.files = options.files;
    }
  }

  async step(): Promise<TickStep> {
    const at = systemClock.now();
    const before = this.tape === null ? null : await this.store.load();
    const result = await tick(
      {
        store: this.store,
        scheduler: this.scheduler,
        issues: this.issues,
        dispatcher: this.dispatcher,
        clock: { now: () => at },
        logger: this.options.logger,
      },
      {
        config: this.sweep.config,
        relaunchWorkflow: this.options.relaunch ? IN_PROCESS_WORKFLOW : null,
        ...(this.options.approvedBy !== undefined ? { approvedBy: this.options.approvedBy } : {}),
        // The relaunch runs right after the tick, in this process: a dispatch that did not
        // submit anything (refused) is planned again by the next tick, never waited for.
        dispatchPatienceSeconds: 0,
      },
    );
    const iso = at.toISOString();
    if (this.tape !== null && this.options.recordPath !== undefined) {
      await appendRecord(this.options.recordPath, {
        version: 1,
        experiment: this.sweep.config.experiment,
        at: iso,
        ...(before === null ? {} : { manifest: serializeManifest(before.manifest) }),
        ...this.tape.take(),
        decided: { decision: result.decision, reason_code: result.reasonCode, band: result.health.band },
      });
    }
    this.events.push({
      at: iso,
      kind: 'tick',
      summary: `${result.decision} (${result.reasonCode}), ${result.health.band}; ${result.counts.live} live; next poll ${result.nextPollSeconds} s`,
    });
    const { relaunches, errors } = await this.runRelaunches();
    return { at: iso, result, relaunches, relaunchErrors: errors, dryRun: this.recorder };
  }

  private async runRelaunches(): Promise<{ relaunches: RelaunchResult[]; errors: string[] }> {
    const relaunches: RelaunchResult[] = [];
    const errors: string[] = [];
    for (const payload of this.inProcess?.take() ?? []) {
      try {
        const result = await relaunch(
          {
            store: this.store,
            scheduler: this.scheduler,
            ...(this.files !== undefined ? { files: this.files } : {}),
            clock: systemClock,
            logger: this.options.logger,
          },
          { config: this.sweep.config, payload, digest: this.options.digest },
        );
        relaunches.push(result);
        const ids = result.submitted.map((s) => s.jobId).join(', ');
        this.events.push({
          at: systemClock.now().toISOString(),
          kind: 'relaunch',
          summary: `cycle ${result.cycle}: ${result.reasonCode}; ${result.submitted.length} submitted${ids === '' ? '' : ` (jobs ${ids})`}; partial outputs of ${result.quarantined.length} conditions moved aside`,
        });
      } catch (error) {
        errors.push(
          `relaunch of cycle ${payload.cycle} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return { relaunches, errors };
  }
}
