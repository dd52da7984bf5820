/** The time, injected: use cases stamp the manifest with it and tests pin it. */
export interface Clock {
  now(): Date;
}

/** The real clock, for main() and the CLI. */
export const systemClock: Clock = { now: () => new Date() };
