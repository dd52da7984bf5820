/**
 * The cluster connection from flags, then SWEEPWATCH_SSH_* variables, then the sweep file's
 * scheduler block: the same settings the Action takes as inputs. As in the Action, a host key
 * is never auto-accepted: a host without a pinned key is refused before anything connects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SshTarget } from '../adapters/transports.js';
import type { SchedulerConfig } from '../config/sweep-config.js';
import { UsageError } from './args.js';

export interface ConnectionFlags {
  readonly 'ssh-host'?: string | undefined;
  readonly 'ssh-port'?: string | undefined;
  readonly 'ssh-user'?: string | undefined;
  readonly 'ssh-key-file'?: string | undefined;
  readonly 'ssh-known-hosts'?: string | undefined;
  readonly 'ssh-jump-hosts'?: readonly string[] | undefined;
}

const JUMP = /^(?<user>[^@\s]+)@(?<host>[^:\s]+)(?::(?<port>\d+))?\s+(?<key>SHA256:[A-Za-z0-9+/]+=*)$/;

function portOf(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`${what}: "${text}" is not a TCP port`);
  return n;
}

function parseJump(line: string): SshTarget['jumpHosts'][number] {
  const m = JUMP.exec(line.trim())?.groups;
  if (m?.user === undefined || m.host === undefined || m.key === undefined) {
    throw new UsageError(`--ssh-jump-hosts: expected "user@host[:port] SHA256:<fingerprint>", got "${line}"`);
  }
  return {
    user: m.user,
    host: m.host,
    port: m.port === undefined ? 22 : portOf(m.port, '--ssh-jump-hosts'),
    hostKey: m.key,
  };
}

/** A value that names an existing file is read; anything else is the text itself. */
function textOrFile(value: string, cwd: string): string {
  const path = resolve(cwd, value);
  return !value.includes('\n') && existsSync(path) ? readFileSync(path, 'utf8') : value;
}

/** null: no host anywhere, so the scheduler's commands run on this machine. */
export function sshTargetFrom(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  scheduler: SchedulerConfig,
  cwd: string,
): SshTarget | null {
  const pick = (flag: string | undefined, name: string): string | undefined => {
    const value = flag ?? env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const host = pick(flags['ssh-host'], 'SWEEPWATCH_SSH_HOST') ?? scheduler.host ?? undefined;
  if (host === undefined) return null;
  const portText = pick(flags['ssh-port'], 'SWEEPWATCH_SSH_PORT');
  const port = portText === undefined ? scheduler.port : portOf(portText, '--ssh-port');
  const user = pick(flags['ssh-user'], 'SWEEPWATCH_SSH_USER') ?? scheduler.user ?? undefined;
  const keyFile = flags['ssh-key-file'];
  const privateKey =
    keyFile !== undefined ? readFileSync(resolve(cwd, keyFile), 'utf8') : env.SWEEPWATCH_SSH_PRIVATE_KEY;
  const knownHostsText = pick(flags['ssh-known-hosts'], 'SWEEPWATCH_SSH_KNOWN_HOSTS');
  const missing = [
    user === undefined ? '--ssh-user (or SWEEPWATCH_SSH_USER)' : null,
    privateKey === undefined || privateKey === '' ? '--ssh-key-file (or SWEEPWATCH_SSH_PRIVATE_KEY)' : null,
    knownHostsText === undefined ? '--ssh-known-hosts (or SWEEPWATCH_SSH_KNOWN_HOSTS)' : null,
  ].filter((m) => m !== null);
  if (user === undefined || privateKey === undefined || knownHostsText === undefined || missing.length > 0) {
    throw new UsageError(
      `the cluster is ${host}, so ${missing.join(', ')} must be set too (a host key is never auto-accepted)`,
    );
  }
  const knownHosts = textOrFile(knownHostsText, cwd);
  const jumpLines = flags['ssh-jump-hosts'] ?? (env.SWEEPWATCH_SSH_JUMP_HOSTS ?? '').split('\n');
  const fromFlags = jumpLines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).map(parseJump);
  // The sweep file's hops carry no key: they are pinned by known_hosts lines for their hosts.
  const fromConfig = scheduler.jumpHosts.map((hop) => ({
    user: hop.user ?? user,
    host: hop.host,
    port: hop.port,
    hostKey: knownHosts,
  }));
  return {
    host,
    port,
    user,
    privateKey,
    passphrase: env.SWEEPWATCH_SSH_PASSPHRASE ?? '',
    knownHosts,
    jumpHosts: fromFlags.length > 0 ? fromFlags : fromConfig,
  };
}
