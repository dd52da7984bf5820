/**
 * Why a manifest was refused. Every message starts with where it came from (a path, a branch,
 * an issue) and says what is wrong and what happens next, because a refused manifest stops the
 * tick and a person has to act on the message alone.
 */

export const MANIFEST_ERROR_KINDS = [
  /** The text ends early: a write was interrupted or the upload was cut. */
  'truncated',
  /** Not JSON, or JSON that is not a manifest. */
  'corrupt',
  /** Written by a newer sweepwatch. */
  'newer_schema',
  /** Valid, but for another experiment. */
  'wrong_experiment',
  /** A transition asked for something the manifest cannot record (a programming error). */
  'transition',
] as const;
export type ManifestErrorKind = (typeof MANIFEST_ERROR_KINDS)[number];

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly kind: ManifestErrorKind,
    message: string,
    /** Where the manifest came from, as shown in the message. */
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Refusal at parse time; the stored manifest is never touched because of one. */
export function refuse(
  kind: ManifestErrorKind,
  source: string,
  problem: string,
  cause?: unknown,
): ManifestError {
  const untouched = 'sweepwatch left it untouched and will not overwrite it';
  return new ManifestError(
    kind,
    `${source}: ${problem}; ${untouched}`,
    source,
    cause === undefined ? {} : { cause },
  );
}
