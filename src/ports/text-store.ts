/**
 * One text document (sweepwatch's JSON manifest) with optimistic concurrency: every save names the
 * version it was derived from, and loses instead of overwriting when someone saved in between.
 */

export interface VersionedText {
  readonly content: string;
  /** Opaque; pass it back to save(). */
  readonly version: string;
}

export type SaveResult =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly conflict: true };

export interface TextStore {
  /** The document, or null when it does not exist yet. */
  load(): Promise<VersionedText | null>;
  /**
   * Saves when the document is still at `expectedVersion` (null: still absent). Otherwise nothing
   * is written and the result is a conflict: load again, merge, retry.
   */
  save(content: string, expectedVersion: string | null): Promise<SaveResult>;
}
