/**
 * Files on the cluster that are not logs: before a failed condition is relaunched, its partial
 * outputs are moved aside so the new attempt neither resumes from nor is judged by them. A port
 * of its own (not a Scheduler method) because the move is the same for every backend that
 * shares a filesystem, and a backend without one (SkyPilot) simply has no adapter.
 */

export interface QuarantineResult {
  /** Paths that existed and now live under `dest`. */
  readonly moved: readonly string[];
  /** Paths that did not exist: nothing to move. */
  readonly missing: readonly string[];
}

export interface ClusterFiles {
  /**
   * Moves each existing path into `dest` (created if absent), keeping its base name. Paths are
   * absolute or relative to the cluster user's home. Throws when a move fails: a half-moved
   * output must not be mistaken for a clean slate.
   */
  quarantine(paths: readonly string[], dest: string): Promise<QuarantineResult>;
}
