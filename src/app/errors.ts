/**
 * A use case that cannot run at all (no manifest yet, a payload for another sweep). Refusals a
 * use case can describe as a result (budget exhausted, preflight problems) are results, not
 * errors; this is for the cases where there is no meaningful result to return.
 */
export const USE_CASE_ERRORS = ['manifest_missing', 'payload_invalid', 'wrong_experiment'] as const;
export type UseCaseErrorCode = (typeof USE_CASE_ERRORS)[number];

export class UseCaseError extends Error {
  override readonly name = 'UseCaseError';
  constructor(
    readonly reasonCode: UseCaseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function manifestMissing(experiment: string): UseCaseError {
  return new UseCaseError(
    'manifest_missing',
    `no manifest for experiment "${experiment}": launch first (\`sweepwatch launch\`, or the Action with mode: launch)`,
  );
}
