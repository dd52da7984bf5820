/**
 * Where the manifest lives between ticks (a local file for the CLI; a branch, gist or artifact
 * for the Action), with compare-and-swap: every save names the version it was derived from
 * and loses, writing nothing, when someone saved in between. saveWithRetry turns a loss into
 * "reload, re-apply this run's transitions, try again", so concurrent runs never drop an
 * attempt: the transitions are re-applied to the newer manifest, not the newer manifest
 * overwritten with ours.
 */
import type { Manifest } from '../core/manifest.js';

export interface LoadedManifest {
  readonly manifest: Manifest;
  /** Opaque (the file store uses the content's sha256); pass it back to save(). */
  readonly version: string;
}

export type SaveManifestResult =
  | { readonly ok: true; readonly version: string }
  /** currentVersion is null when the manifest was deleted in between. */
  | { readonly ok: false; readonly conflict: true; readonly currentVersion: string | null };

export interface StateStore {
  /**
   * The manifest, or null when there is none yet. A stored manifest that cannot be read
   * (truncated, corrupt, newer schema, other experiment) throws ManifestError, naming where it
   * is and what is wrong; the store never replaces it.
   */
  load(): Promise<LoadedManifest | null>;
  /** Saves when the stored version is still `expectedVersion` (null: still absent). */
  save(manifest: Manifest, expectedVersion: string | null): Promise<SaveManifestResult>;
}

/** A save that kept losing the race; nothing of this run was written. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(readonly attempts: number) {
    super(`the manifest kept changing under this run: ${attempts} saves lost the race; nothing was written`);
  }
}

export interface SaveWithRetryOptions {
  /** Load + apply + save rounds before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Wait before round `n` (1-based, n ≥ 2); default: jittered exponential from 20 ms, capped at 1 s. */
  readonly backoffMs?: (round: number) => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SaveWithRetryResult {
  readonly manifest: Manifest;
  readonly version: string;
  /** False when apply changed nothing (apply returned the manifest it was given). */
  readonly saved: boolean;
  /** How many rounds it took. */
  readonly rounds: number;
}

const defaultBackoff = (round: number) => Math.min(1000, 20 * 2 ** (round - 2)) * (0.5 + Math.random());
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Loads, applies this run's transitions and saves; on a conflict it reloads and re-applies
 * them to what the other writer saved. `apply` must therefore be a function of the manifest it
 * is given (it is called once per round) and may throw ManifestError('transition') when its
 * change no longer fits; that error propagates. It receives null when no manifest exists yet.
 */
export async function saveWithRetry(
  store: StateStore,
  apply: (current: Manifest | null) => Manifest,
  options: SaveWithRetryOptions = {},
): Promise<SaveWithRetryResult> {
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoffMs ?? defaultBackoff;
  const sleep = options.sleep ?? defaultSleep;
  for (let round = 1; round <= maxAttempts; round++) {
    if (round > 1) await sleep(backoff(round));
    const loaded = await store.load();
    const next = apply(loaded?.manifest ?? null);
    if (loaded !== null && next === loaded.manifest) {
      return { manifest: next, version: loaded.version, saved: false, rounds: round };
    }
    const result = await store.save(next, loaded?.version ?? null);
    if (result.ok) return { manifest: next, version: result.version, saved: true, rounds: round };
  }
  throw new StateConflictError(maxAttempts);
}
