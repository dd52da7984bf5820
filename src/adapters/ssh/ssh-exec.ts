/**
 * One command over an established connection: open a session channel, feed stdin, collect
 * capped output, and settle exactly once on close, timeout or a lost connection.
 */
import type { ClientChannel } from 'ssh2';
import { type ExecResult, TransportError } from '../../ports/transport.js';
import { CappedOutput } from './capped-output.js';
import { signalChannel } from './channel-signal.js';
import type { SshConnection } from './ssh-connect.js';
import type { HopContext } from './ssh-errors.js';

export interface ExecPlan {
  /** argv[0], the only part of a command that goes into errors and logs. */
  readonly name: string;
  /** The quoted command line. */
  readonly command: string;
  readonly stdin: Buffer | undefined;
  readonly timeoutMs: number;
  readonly maxStdoutBytes: number;
  readonly maxStderrBytes: number;
  /** Stdout line by line instead of kept (ExecOptions.onStdoutLine). */
  readonly onStdoutLine?: (line: string) => void;
}

const where = (h: HopContext): string => `${h.user}@${h.host}:${h.port}`;

/**
 * KILL first so the remote process dies even where closing the channel would only hang up on
 * it (sshd does not kill a command whose channel closes); servers that ignore signal requests
 * still see the channel close.
 */
function kill(channel: ClientChannel): void {
  try {
    signalChannel(channel, 'KILL');
  } catch {
    // The channel may already be closing; closing it below is what matters.
  }
  channel.close();
}

export function runExec(
  conn: SshConnection,
  plan: ExecPlan,
  target: HopContext,
  onBytesIn: (bytes: number) => void,
): Promise<ExecResult> {
  const context = { host: target.host, port: target.port, user: target.user, command: plan.name };
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let channel: ClientChannel | undefined;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      outcome();
    };
    const lostError = (detail: string): TransportError =>
      new TransportError('disconnected', `'${plan.name}' on ${detail}`, context);
    const unsubscribe = conn.onLost((error) =>
      settle(() => reject(lostError(`${error.message}, while it was running`))),
    );
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new TransportError(
            'timeout',
            `'${plan.name}' on ${where(target)} did not finish within ${plan.timeoutMs} ms and was killed`,
            { ...context, timeoutMs: plan.timeoutMs },
          ),
        ),
      );
      if (channel !== undefined) kill(channel);
    }, plan.timeoutMs);

    const onChannel = (error: Error | undefined, ch: ClientChannel): void => {
      if (error) {
        const fail = conn.isAlive
          ? new TransportError(
              'remote',
              `${where(target)} refused to run '${plan.name}': ${error.message}`,
              context,
            )
          : lostError(`${where(target)}: the connection was lost before it started`);
        settle(() => reject(fail));
        return;
      }
      if (settled) {
        // Timed out while the exec request was in flight: the command has started by now.
        kill(ch);
        return;
      }
      channel = ch;
      const stdout = new CappedOutput(plan.maxStdoutBytes, plan.onStdoutLine);
      const stderr = new CappedOutput(plan.maxStderrBytes);
      ch.on('data', (chunk: Buffer) => {
        onBytesIn(chunk.length);
        stdout.push(chunk);
      });
      ch.stderr.on('data', (chunk: Buffer) => {
        onBytesIn(chunk.length);
        stderr.push(chunk);
      });
      // Channel errors are followed by close (or a lost connection), which settle the exec.
      ch.on('error', () => {});
      // `close`, not `exit`: ssh2 passes the exit status to close, and only by then has all
      // output arrived. No status at all means the channel died without the command finishing.
      ch.on('close', (code?: number | null, signal?: string) => {
        if (code === undefined && signal === undefined) {
          settle(() =>
            reject(
              conn.isAlive
                ? new TransportError(
                    'remote',
                    `'${plan.name}' on ${where(target)} ended without an exit status`,
                    context,
                  )
                : lostError(`${where(target)}: the connection was lost while it was running`),
            ),
          );
          return;
        }
        settle(() =>
          resolve({
            stdout: stdout.text(),
            stderr: stderr.text(),
            code: typeof code === 'number' ? code : null,
            signal: typeof signal === 'string' ? signal.replace(/^SIG/, '') : null,
            stdoutTruncated: stdout.truncated,
            stderrTruncated: stderr.truncated,
          }),
        );
      });
      // stdin is always ended, so a command that reads it sees EOF instead of waiting forever.
      if (plan.stdin !== undefined) ch.end(plan.stdin);
      else ch.end();
    };

    try {
      conn.client.exec(plan.command, onChannel);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      settle(() => reject(lostError(`${where(target)}: could not start (${detail})`)));
    }
  });
}
