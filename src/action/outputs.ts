import type { ActionOutputs, OUTPUT_KEYS } from './io.js';

/**
 * Builds the Action's outputs. Every key is present on every path; on errors the decision is
 * `error` and `reason-code` names what went wrong, so a workflow can branch without parsing logs.
 */

export const ERROR_REASON_CODES = [
  'input_invalid',
  'config_invalid',
  'manifest_invalid',
  'manifest_missing',
  'payload_invalid',
  'wrong_experiment',
  'mode_unavailable',
  'github_error',
  'ssh_config',
  'ssh_connect_failed',
  'ssh_auth_failed',
  'ssh_host_key_rejected',
  'ssh_timeout',
  'ssh_disconnected',
  'internal_error',
] as const;
export type ErrorReasonCode = (typeof ERROR_REASON_CODES)[number];

export const RESULT_SCHEMA_VERSION = 1;

export interface OutputFields {
  readonly health?: string;
  readonly decision: string;
  readonly reasonCode: string;
  readonly counts?: Readonly<Record<string, number>>;
  readonly rootCauses?: readonly unknown[];
  readonly failedConditions?: readonly string[];
  readonly nextPollSeconds?: number;
  readonly relaunchCycle?: number;
  readonly manifestPath?: string;
  /** The use case's own details, nested under `result.details`. */
  readonly details?: unknown;
}

export function toOutputs(fields: OutputFields): ActionOutputs {
  const outputs: Record<(typeof OUTPUT_KEYS)[number], string> = {
    health: fields.health ?? '',
    decision: fields.decision,
    'reason-code': fields.reasonCode,
    counts: JSON.stringify(fields.counts ?? {}),
    'root-causes': JSON.stringify(fields.rootCauses ?? []),
    'failed-conditions': JSON.stringify(fields.failedConditions ?? []),
    'next-poll-seconds': fields.nextPollSeconds === undefined ? '' : String(fields.nextPollSeconds),
    'relaunch-cycle': String(fields.relaunchCycle ?? 0),
    'manifest-path': fields.manifestPath ?? '',
    result: JSON.stringify({
      version: RESULT_SCHEMA_VERSION,
      decision: fields.decision,
      reason_code: fields.reasonCode,
      health: fields.health ?? null,
      details: fields.details ?? null,
    }),
  };
  return outputs;
}

export function errorOutputs(reasonCode: ErrorReasonCode, message: string): ActionOutputs {
  return toOutputs({ decision: 'error', reasonCode, details: { error: message } });
}
