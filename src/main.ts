import { InputError, readInputs } from './action/inputs.js';
import type { ActionOutputs } from './action/io.js';
import { type ErrorReasonCode, errorOutputs, toOutputs } from './action/outputs.js';
import { type ActionRuntime, actionsRuntime } from './action/runtime.js';
import { modeFor, readTrigger } from './action/trigger.js';
import { createScheduler } from './adapters/schedulers.js';
import { createTransport } from './adapters/transports.js';
import { preflight, preflightMarkdown } from './app/preflight.js';
import { TransportError } from './ports/transport.js';

/**
 * The Action: read inputs and the trigger, wire the adapters, run one use case, write the
 * outputs. This is the single setFailed boundary; every path sets every output.
 */

interface RunResult {
  readonly outputs: ActionOutputs;
  readonly summary: string;
  readonly failure?: string;
}

class UnavailableModeError extends Error {}

/** The adapters main() wires; tests pass in-memory ones. */
export interface Wiring {
  readonly createTransport: typeof createTransport;
  readonly createScheduler: typeof createScheduler;
}

const DEFAULT_WIRING: Wiring = { createTransport, createScheduler };

export async function run(
  runtime: ActionRuntime = actionsRuntime(),
  wiring: Wiring = DEFAULT_WIRING,
): Promise<void> {
  const result = await runSafely(runtime, wiring);
  for (const [key, value] of Object.entries(result.outputs)) runtime.setOutput(key, value);
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
  if (mode !== 'preflight') {
    throw new UnavailableModeError(
      `mode "${mode ?? `(none for event ${runtime.eventName || 'unknown'})`}" is not available in this version; use mode: preflight`,
    );
  }
  const transport = wiring.createTransport(inputs.ssh);
  try {
    const outcome = await preflight(wiring.createScheduler('slurm', { transport }), {});
    runtime.info(`preflight: ${outcome.reasonCode} (user ${outcome.report.user ?? 'unknown'})`);
    return {
      outputs: toOutputs({
        decision: 'no-intervention',
        reasonCode: outcome.reasonCode,
        details: { preflight: outcome.report },
      }),
      summary: preflightMarkdown(outcome),
      ...(outcome.report.ok
        ? {}
        : { failure: `preflight failed: ${outcome.report.problems.map((p) => p.message).join('; ')}` }),
    };
  } finally {
    await transport.close();
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

function describeError(error: unknown): [ErrorReasonCode, string] {
  if (error instanceof InputError) return ['input_invalid', error.message];
  if (error instanceof TransportError) return [TRANSPORT_REASONS[error.kind], error.message];
  if (error instanceof UnavailableModeError) return ['mode_unavailable', error.message];
  const message = error instanceof Error ? error.message : String(error);
  return ['internal_error', `unexpected error: ${message}`];
}
