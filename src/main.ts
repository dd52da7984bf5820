import { type ActionInputs, InputError, readInputs } from './action/inputs.js';
import { runCancel } from './action/modes/cancel-mode.js';
import { runComment } from './action/modes/comment-mode.js';
import { runLaunch } from './action/modes/launch-mode.js';
import { runPreflight } from './action/modes/preflight-mode.js';
import { runRelaunch } from './action/modes/relaunch-mode.js';
import type { RunResult } from './action/modes/run-result.js';
import { runTick } from './action/modes/tick-mode.js';
import { type ErrorReasonCode, errorOutputs } from './action/outputs.js';
import { type ActionRuntime, actionsRuntime } from './action/runtime.js';
import { DEFAULT_WIRING, openSession, type Wiring } from './action/session.js';
import { modeFor, readTrigger, type Trigger } from './action/trigger.js';
import { UseCaseError } from './app/errors.js';
import { ConfigError } from './config/config-error.js';
import { ManifestError } from './core/manifest-errors.js';
import { TransportError } from './ports/transport.js';

/**
 * The Action: read inputs and the trigger, wire the adapters, run one use case, write the
 * outputs. This is the single setFailed boundary; every path sets every output.
 */

export type { Wiring } from './action/session.js';

class UnavailableModeError extends Error {}

export async function run(
  runtime: ActionRuntime = actionsRuntime(),
  wiring: Wiring = DEFAULT_WIRING,
): Promise<void> {
  const result = await runSafely(runtime, wiring);
  for (const [key, value] of Object.entries(result.outputs)) runtime.setOutput(key, value);
  for (const a of result.annotations ?? [])
    (a.level === 'error' ? runtime.error : runtime.warning)(a.message);
  await runtime.appendSummary(result.summary);
  if (result.failure !== undefined) runtime.setFailed(result.failure);
}

async function runSafely(runtime: ActionRuntime, wiring: Wiring): Promise<RunResult> {
  try {
    return await route(runtime, wiring);
  } catch (error) {
    const [reasonCode, message] = describeError(error);
    return {
      outputs: errorOutputs(reasonCode, message),
      summary: `## sweepwatch: error\n\n\`${reasonCode}\`: ${message}\n`,
      failure: message,
    };
  }
}

async function route(runtime: ActionRuntime, wiring: Wiring): Promise<RunResult> {
  const inputs = readInputs(
    (name) => runtime.getInput(name),
    (value) => runtime.setSecret(value),
  );
  const trigger = readTrigger(runtime.eventName, runtime.readEvent());
  const mode = inputs.mode ?? modeFor(trigger);
  if (mode === 'preflight') return runPreflight(inputs, runtime, wiring);
  if (mode === null || mode === 'report') {
    throw new UnavailableModeError(
      `mode "${mode ?? `(none for event ${runtime.eventName || 'unknown'})`}" is not available in this version`,
    );
  }
  return withSession(inputs, runtime, wiring, trigger, mode);
}

async function withSession(
  inputs: ActionInputs,
  runtime: ActionRuntime,
  wiring: Wiring,
  trigger: Trigger,
  mode: 'tick' | 'launch' | 'relaunch' | 'cancel' | 'comment',
): Promise<RunResult> {
  const session = await openSession(inputs, runtime, wiring);
  try {
    switch (mode) {
      case 'tick':
        return await runTick(session, inputs, runtime);
      case 'launch':
        return await runLaunch(session, runtime);
      case 'relaunch':
        return await runRelaunch(session, trigger, runtime);
      case 'cancel':
        return await runCancel(session, trigger, runtime);
      case 'comment':
        return await runComment(session, trigger, inputs, runtime);
    }
  } finally {
    await session.transport.close();
  }
}

const TRANSPORT_REASONS: Record<TransportError['kind'], ErrorReasonCode> = {
  config: 'ssh_config',
  connect: 'ssh_connect_failed',
  auth: 'ssh_auth_failed',
  host_key: 'ssh_host_key_rejected',
  timeout: 'ssh_timeout',
  disconnected: 'ssh_disconnected',
  remote: 'ssh_connect_failed',
};

/** Octokit's RequestError, recognised by shape so main() needs no Octokit import. */
function githubFailure(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, request, message } = error as {
    status?: unknown;
    request?: { method?: unknown; url?: unknown };
    message?: unknown;
  };
  if (typeof status !== 'number' || typeof request !== 'object' || request === null) return null;
  // The URL's path only: no query string, and never a header (the token lives there).
  const url =
    typeof request.url === 'string' ? request.url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '') : '';
  const what = typeof message === 'string' ? message.split('\n')[0] : 'no message';
  return `GitHub answered ${status} to ${String(request.method ?? '')} ${url} (${what})`;
}

function describeError(error: unknown): [ErrorReasonCode, string] {
  if (error instanceof InputError) return ['input_invalid', error.message];
  if (error instanceof ConfigError) return ['config_invalid', error.message];
  if (error instanceof ManifestError) return ['manifest_invalid', error.message];
  if (error instanceof UseCaseError) return [error.reasonCode, error.message];
  if (error instanceof TransportError) return [TRANSPORT_REASONS[error.kind], error.message];
  if (error instanceof UnavailableModeError) return ['mode_unavailable', error.message];
  const github = githubFailure(error);
  if (github !== null) return ['github_error', github];
  const message = error instanceof Error ? error.message : String(error);
  return ['internal_error', `unexpected error: ${message}`];
}
