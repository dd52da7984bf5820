import { DryRunRecorder, dryRunFiles, dryRunScheduler, dryRunStore } from '../app/dry-run.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { ClusterFiles } from '../ports/cluster-files.js';
import type { Logger } from '../ports/logger.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { StateStore } from '../ports/state-store.js';
import type { CliIo } from './commands.js';
import type { Backend, Sweep } from './context.js';
import { stderrLogger } from './logger.js';

/**
 * The ports a mutating command (launch, relaunch, cancel) hands its use case. With --dry-run
 * every mutating port is wrapped in a recording decorator, so the use case runs unchanged and
 * the recorder says what would have happened.
 */
export interface UseCaseDeps {
  readonly store: StateStore;
  readonly scheduler: Scheduler;
  readonly files?: ClusterFiles;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function useCaseDeps(
  sweep: Sweep,
  backend: Backend,
  flags: { readonly 'dry-run'?: boolean | undefined; readonly verbose?: boolean | undefined },
  io: CliIo,
): { readonly deps: UseCaseDeps; readonly dry: DryRunRecorder | null } {
  const dry = flags['dry-run'] === true ? new DryRunRecorder() : null;
  const files = dry === null ? backend.files : dryRunFiles(dry);
  const deps: UseCaseDeps = {
    store: dry === null ? sweep.store : dryRunStore(sweep.store, dry),
    scheduler: dry === null ? backend.scheduler : dryRunScheduler(backend.scheduler, dry),
    ...(files !== undefined ? { files } : {}),
    clock: systemClock,
    logger: stderrLogger(io.stderr, flags.verbose === true),
  };
  return { deps, dry };
}
