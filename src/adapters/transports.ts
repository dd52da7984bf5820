import type { Transport } from '../ports/transport.js';
import { LocalTransport } from './local/local-transport.js';
import { SshTransport } from './ssh/ssh-transport.js';

/** Where the cluster is: over SSH (the usual case), or right here (a runner on the login node). */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string;
  readonly passphrase: string;
  readonly knownHosts: string;
  readonly jumpHosts: readonly {
    readonly user: string;
    readonly host: string;
    readonly port: number;
    readonly hostKey: string;
  }[];
}

/** One transport per tick: every command of the tick shares its single connection. */
export function createTransport(ssh: SshTarget | null): Transport {
  if (ssh === null) return new LocalTransport();
  return new SshTransport({
    host: ssh.host,
    port: ssh.port,
    user: ssh.user,
    privateKey: ssh.privateKey,
    ...(ssh.passphrase === '' ? {} : { passphrase: ssh.passphrase }),
    knownHosts: ssh.knownHosts,
    jumpHosts: ssh.jumpHosts.map((hop) => ({
      host: hop.host,
      port: hop.port,
      user: hop.user,
      knownHosts: hop.hostKey,
    })),
  });
}
