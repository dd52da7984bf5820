/**
 * The one typed registry of the Action's inputs and outputs. action.yml must agree with it on
 * every name, `required` and default; test/unit/action-contract.test.ts holds them together.
 */

export interface InputSpec {
  readonly required: boolean;
  readonly default: string;
  /** Registered with setSecret before anything else can log it. */
  readonly secret?: boolean;
}

export const INPUTS = {
  mode: { required: false, default: '' },
  config: { required: false, default: '.github/sweepwatch.yml' },
  'ssh-host': { required: false, default: '' },
  'ssh-port': { required: false, default: '22' },
  'ssh-user': { required: false, default: '' },
  'ssh-private-key': { required: false, default: '', secret: true },
  'ssh-private-key-passphrase': { required: false, default: '', secret: true },
  'ssh-known-hosts': { required: false, default: '' },
  'ssh-jump-hosts': { required: false, default: '' },
  'state-store': { required: false, default: 'branch' },
  'state-branch': { required: false, default: 'sweepwatch-state' },
  'relaunch-workflow': { required: false, default: 'sweepwatch-relaunch.yml' },
  'dry-run': { required: false, default: 'false' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, evaluated by the runner.
  'github-token': { required: false, default: '${{ github.token }}', secret: true },
} as const satisfies Record<string, InputSpec>;

export type InputName = keyof typeof INPUTS;

export const OUTPUT_KEYS = [
  'health',
  'decision',
  'reason-code',
  'counts',
  'root-causes',
  'failed-conditions',
  'next-poll-seconds',
  'relaunch-cycle',
  'manifest-path',
  'result',
] as const;

export type OutputKey = (typeof OUTPUT_KEYS)[number];

/** Every output is set on every path, failures included: consumers never see a missing key. */
export type ActionOutputs = Readonly<Record<OutputKey, string>>;
