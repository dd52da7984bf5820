/**
 * Drives the real use cases (launch, tick) with in-memory state, issues and dispatches around
 * whatever scheduler a fault test builds, and tells typed errors (a clear, expected failure)
 * from untyped ones (a crash).
 */
import { UseCaseError } from '../../../src/app/errors.js';
import { type LaunchInput, launch } from '../../../src/app/launch.js';
import { type TickInput, tick } from '../../../src/app/tick.js';
import { ConfigError } from '../../../src/config/config-error.js';
import type { SweepConfig } from '../../../src/config/sweep-config.js';
import { ManifestError } from '../../../src/core/manifest.js';
import { type Clock, systemClock } from '../../../src/ports/clock.js';
import type { Scheduler } from '../../../src/ports/scheduler.js';
import { SchedulerError } from '../../../src/ports/scheduler.js';
import { StateConflictError } from '../../../src/ports/state-store.js';
import { TransportError } from '../../../src/ports/transport.js';
import {
  createFakeDispatcher,
  createFakeIssues,
  type FakeDispatcher,
  type FakeIssues,
} from '../../fakes/fake-ports.js';
import { createMemoryStore, type MemoryStore } from '../../fakes/memory-store.js';

export const RELAUNCH_WORKFLOW = { workflowFile: 'sweepwatch-relaunch.yml', ref: 'main' } as const;

export interface Drive {
  readonly store: MemoryStore;
  readonly issues: FakeIssues;
  readonly dispatcher: FakeDispatcher;
  clock: Clock;
}

export function drive(clock: Clock = systemClock): Drive {
  return {
    store: createMemoryStore(),
    issues: createFakeIssues(),
    dispatcher: createFakeDispatcher(),
    clock,
  };
}

const noSleep = { sleep: async () => {} };

export function tickOn(d: Drive, scheduler: Scheduler, config: SweepConfig, input: Partial<TickInput> = {}) {
  return tick(
    {
      store: d.store,
      scheduler,
      issues: d.issues,
      dispatcher: d.dispatcher,
      clock: d.clock,
      saveOptions: noSleep,
    },
    { config, relaunchWorkflow: RELAUNCH_WORKFLOW, ...input },
  );
}

export function launchOn(
  d: Drive,
  scheduler: Scheduler,
  config: SweepConfig,
  input: Partial<Omit<LaunchInput, 'config'>> = {},
) {
  return launch(
    { store: d.store, scheduler, clock: d.clock, saveOptions: noSleep },
    { config, digest: 'git:fault', requestedBy: 'alice', ...input },
  );
}

/** An error sweepwatch meant to raise, with a message meant for a person. */
export function isTypedError(error: unknown): boolean {
  return [TransportError, SchedulerError, UseCaseError, ManifestError, ConfigError, StateConflictError].some(
    (type) => error instanceof type,
  );
}

export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

export async function settle<T>(run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The crash a settled run amounts to: none, or a description of the untyped error. */
export function crashOf(outcome: Settled<unknown>): string[] {
  if (outcome.ok || isTypedError(outcome.error)) return [];
  const e = outcome.error;
  return [`untyped ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`];
}

/** A clock that is `offsetHours` away from the real one: a runner whose clock is off. */
export function skewedClock(offsetHours: number): Clock {
  return { now: () => new Date(Date.now() + offsetHours * 3_600_000) };
}
