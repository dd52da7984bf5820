import type { Scheduler } from '../ports/scheduler.js';
import type { Transport } from '../ports/transport.js';
import { SlurmScheduler } from './slurm/slurm-scheduler.js';

/** The registry of scheduler backends, keyed by the sweep file's `scheduler:` name. */
export const SCHEDULERS = {
  slurm: (transport: Transport): Scheduler => new SlurmScheduler({ transport }),
} as const satisfies Record<string, (transport: Transport) => Scheduler>;

export type SchedulerName = keyof typeof SCHEDULERS;

export function createScheduler(name: string, transport: Transport): Scheduler {
  const factory = (SCHEDULERS as Record<string, ((t: Transport) => Scheduler) | undefined>)[name];
  if (factory === undefined) {
    throw new Error(`unknown scheduler "${name}": expected one of ${Object.keys(SCHEDULERS).join(', ')}`);
  }
  return factory(transport);
}
