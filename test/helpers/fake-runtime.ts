import type { ActionRuntime } from '../../src/action/runtime.js';

/** An in-memory Actions runtime: inputs in, outputs, secrets, summary and failure recorded. */
export function fakeRuntime(
  inputs: Record<string, string>,
  eventName = 'workflow_dispatch',
  event: unknown = {},
  github: Partial<ActionRuntime['github']> = {},
) {
  const record = {
    outputs: {} as Record<string, string>,
    secrets: [] as string[],
    logs: [] as string[],
    summary: '',
    failed: undefined as string | undefined,
  };
  const runtime: ActionRuntime = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: (value) => record.secrets.push(value),
    setOutput: (name, value) => {
      record.outputs[name] = value;
    },
    setFailed: (message) => {
      record.failed = message;
    },
    info: (message) => record.logs.push(message),
    warning: (message) => record.logs.push(`warning: ${message}`),
    error: (message) => record.logs.push(`error: ${message}`),
    appendSummary: async (markdown) => {
      record.summary += markdown;
    },
    eventName,
    readEvent: () => event,
    github: {
      repository: 'octo-org/sweeps',
      apiUrl: 'http://127.0.0.1:1',
      sha: 'c0ffee0000000000000000000000000000000001',
      actor: 'octocat',
      refName: 'main',
      ...github,
    },
  };
  return { runtime, record };
}
