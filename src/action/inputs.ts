import { z } from 'zod';
import { INPUTS, type InputName } from './io.js';

/**
 * Reads and validates the Action's inputs. This is the only caller of getInput; secrets are
 * registered with setSecret before anything is parsed, so not even a parse error can echo them.
 */

export const MODES = ['tick', 'launch', 'relaunch', 'cancel', 'report', 'comment', 'preflight'] as const;
export type Mode = (typeof MODES)[number];

/** Where the manifest lives: a file on a branch, or workflow artifacts (no contents: write needed). */
export const STATE_STORES = ['branch', 'artifact'] as const;
export type StateStoreKind = (typeof STATE_STORES)[number];

export interface JumpHostInput {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** A `SHA256:` fingerprint pinned for this hop. */
  readonly hostKey: string;
}

export interface ActionInputs {
  readonly mode: Mode | null;
  readonly config: string;
  readonly ssh: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly privateKey: string;
    readonly passphrase: string;
    readonly knownHosts: string;
    readonly jumpHosts: readonly JumpHostInput[];
  } | null;
  readonly githubToken: string;
  readonly stateStore: StateStoreKind;
  readonly stateBranch: string;
  readonly relaunchWorkflow: string;
  readonly dryRun: boolean;
}

export type GetInput = (name: string) => string;

export class InputError extends Error {
  override readonly name = 'InputError';
}

const port = z.coerce.number().int().min(1).max(65535);
const JUMP_LINE = /^(?<user>[^@\s]+)@(?<host>[^:\s]+)(?::(?<port>\d+))?\s+(?<key>SHA256:[A-Za-z0-9+/]+=*)$/;

function parseJumpHosts(text: string, shown: (value: string) => string): JumpHostInput[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line, index) => {
      const m = JUMP_LINE.exec(line)?.groups;
      if (!m?.user || !m.host || !m.key) {
        throw new InputError(
          `ssh-jump-hosts line ${index + 1}: expected "user@host[:port] SHA256:<fingerprint>", got ${shown(line)}`,
        );
      }
      return { user: m.user, host: m.host, port: port.parse(m.port ?? '22'), hostKey: m.key };
    });
}

/**
 * How an invalid value is quoted in an error. The message reaches the job summary and the
 * outputs, which sweepwatch writes itself (the runner only masks its own log), so a value is
 * shown only when it looks like a typo of a plain setting and holds no secret: a passphrase
 * pasted into the wrong field must not come back in the error.
 */
function quote(value: string, secrets: readonly string[]): string {
  const plain = /^[A-Za-z0-9._/-]{1,40}$/.test(value);
  const secret = secrets.some((s) => s.length >= 4 && (value.includes(s) || s.includes(value)));
  return plain && !secret ? `"${value}"` : '(value not shown)';
}

export function readInputs(getInput: GetInput, setSecret: (value: string) => void): ActionInputs {
  const raw = (name: InputName): string => getInput(name).trim();
  const secrets: string[] = [];
  for (const [name, spec] of Object.entries(INPUTS)) {
    if ('secret' in spec && spec.secret) {
      const value = getInput(name);
      if (value !== '') setSecret(value);
      if (value.trim() !== '') secrets.push(value.trim());
      // The runner masks a multi-line secret only as a whole, so a key printed line by line
      // would slip through: each substantial line is masked on its own as well.
      for (const line of value.split('\n')) {
        if (line !== value && line.trim().length >= 8 && !line.startsWith('-----')) {
          setSecret(line.trim());
          secrets.push(line.trim());
        }
      }
    }
  }
  const shown = (value: string) => quote(value, secrets);
  const modeText = raw('mode');
  const mode = modeText === '' ? null : z.enum(MODES).safeParse(modeText);
  if (mode !== null && !mode.success) {
    throw new InputError(`input mode: ${shown(modeText)} is not one of ${MODES.join(', ')}`);
  }
  const host = raw('ssh-host');
  let ssh: ActionInputs['ssh'] = null;
  if (host !== '') {
    const portResult = port.safeParse(raw('ssh-port') || '22');
    if (!portResult.success)
      throw new InputError(`input ssh-port: ${shown(raw('ssh-port'))} is not a TCP port (1-65535)`);
    const missing = (['ssh-user', 'ssh-private-key', 'ssh-known-hosts'] as const).filter(
      (n) => raw(n) === '',
    );
    if (missing.length > 0) {
      throw new InputError(
        `ssh-host is set, so ${missing.join(', ')} must be set too (the host key is never auto-accepted)`,
      );
    }
    ssh = {
      host,
      port: portResult.data,
      user: raw('ssh-user'),
      // Keys keep their exact bytes: trimming could break a PEM's final newline expectations.
      privateKey: getInput('ssh-private-key'),
      passphrase: getInput('ssh-private-key-passphrase'),
      knownHosts: raw('ssh-known-hosts'),
      jumpHosts: parseJumpHosts(raw('ssh-jump-hosts'), shown),
    };
  }
  const dryRun = raw('dry-run').toLowerCase() || 'false';
  if (dryRun !== 'true' && dryRun !== 'false')
    throw new InputError(`input dry-run: ${shown(raw('dry-run'))} is not true or false`);
  const storeText = raw('state-store').toLowerCase() || INPUTS['state-store'].default;
  const store = z.enum(STATE_STORES).safeParse(storeText);
  if (!store.success) {
    throw new InputError(
      `input state-store: ${shown(raw('state-store'))} is not one of ${STATE_STORES.join(', ')}`,
    );
  }
  const branch = raw('state-branch') || INPUTS['state-branch'].default;
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..')) {
    throw new InputError(`input state-branch: ${shown(branch)} is not a valid branch name`);
  }
  const workflow = raw('relaunch-workflow') || INPUTS['relaunch-workflow'].default;
  if (!/^[A-Za-z0-9._-]+\.ya?ml$/.test(workflow)) {
    throw new InputError(
      `input relaunch-workflow: ${shown(workflow)} must be a workflow file name such as sweepwatch-relaunch.yml`,
    );
  }
  return {
    mode: mode === null ? null : mode.data,
    config: raw('config') || INPUTS.config.default,
    ssh,
    githubToken: getInput('github-token'),
    stateStore: store.data,
    stateBranch: branch,
    relaunchWorkflow: workflow,
    dryRun: dryRun === 'true',
  };
}
