/**
 * Sends a signal to a remote command whose stdin we have already closed.
 *
 * ssh2 1.17.0's `ClientChannel.signal()` is a silent no-op once the channel is no longer
 * writable or its outgoing state has left `open`, which is always the case here: every exec
 * sends EOF on stdin right away so commands that read it do not hang. The SSH protocol allows a
 * `signal` request after EOF (RFC 4254 §6.9; sshd honours it since OpenSSH 7.9), and the fix is
 * proposed upstream (mscdex/ssh2 PR #1510). Until it lands we send the request through the
 * protocol object ssh2 already uses, guarded by runtime checks; if ssh2's internals change
 * shape we fall back to the public method and the unit test that watches for the server
 * receiving KILL fails, rather than production quietly leaving processes behind.
 */
import type { ClientChannel } from 'ssh2';

interface ChannelInternals {
  readonly outgoing?: { readonly id?: unknown; readonly state?: unknown };
  readonly _client?: { readonly _protocol?: { readonly signal?: unknown } };
}

type ProtocolSignal = (this: unknown, channelId: number, signal: string) => void;

export function signalChannel(channel: ClientChannel, signal: string): void {
  const internals = channel as unknown as ChannelInternals;
  const id = internals.outgoing?.id;
  const state = internals.outgoing?.state;
  const protocol = internals._client?._protocol;
  const send = protocol?.signal;
  if (typeof id === 'number' && (state === 'open' || state === 'eof') && typeof send === 'function') {
    (send as ProtocolSignal).call(protocol, id, signal);
    return;
  }
  channel.signal(signal);
}
