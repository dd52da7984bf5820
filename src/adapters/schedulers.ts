import type { SweepConfig } from '../config/sweep-config.js';
import type { Scheduler } from '../ports/scheduler.js';
import type { Transport } from '../ports/transport.js';
import { LocalScheduler } from './local/local-scheduler.js';
import { SkyPilotScheduler } from './skypilot/skypilot-scheduler.js';
import { skyOptionsOf } from './skypilot/sweep-options.js';
import { SlurmScheduler } from './slurm/slurm-scheduler.js';

/**
 * The registry of scheduler backends, keyed by the sweep file's `scheduler:` name. A factory
 * gets what every backend may need; each takes only its part.
 */
export interface SchedulerContext {
  readonly transport: Transport;
  /**
   * The sweep file, for backends configured by it (SkyPilot: its sky command, task YAML,
   * bare-VM switch and resources). Absent: the backend's defaults (a preflight without a file).
   */
  readonly config?: Pick<SweepConfig, 'scheduler' | 'template'>;
  /** The local backend's state directory (the CLI passes it; the Action has none). */
  readonly localStateDir?: string;
  /** The argv prefix that starts a local job's supervisor (see LocalSchedulerOptions). */
  readonly supervisorCommand?: readonly string[];
  /** How many local jobs run at once. */
  readonly localConcurrency?: number;
}

type Factory = (context: SchedulerContext) => Scheduler;

export const SCHEDULERS: Readonly<Record<string, Factory>> = {
  slurm: ({ transport }) => new SlurmScheduler({ transport }),
  skypilot: ({ transport, config }) =>
    new SkyPilotScheduler({ transport, ...(config !== undefined ? skyOptionsOf(config) : {}) }),
  local: ({ localStateDir, supervisorCommand, localConcurrency }) => {
    if (localStateDir === undefined || supervisorCommand === undefined) {
      // Local jobs outlive the process that submits them, so they need a machine that stays:
      // the CLI on a workstation or login node, not an ephemeral Actions runner.
      throw new Error('the local scheduler runs from the sweepwatch CLI, not from the Action');
    }
    return new LocalScheduler({
      stateDir: localStateDir,
      supervisorCommand,
      ...(localConcurrency === undefined ? {} : { concurrency: localConcurrency }),
    });
  },
};

export function createScheduler(name: string, context: SchedulerContext): Scheduler {
  const factory = SCHEDULERS[name];
  if (factory === undefined) {
    throw new Error(`unknown scheduler "${name}": expected one of ${Object.keys(SCHEDULERS).join(', ')}`);
  }
  return factory(context);
}
