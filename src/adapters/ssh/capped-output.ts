/**
 * One output stream of a command, kept up to a byte cap. Past the cap the stream is still
 * drained (so the remote side never blocks on a full window or pipe) but the bytes are dropped.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte seen, kept or not. */
  seen = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.seen += chunk.length;
    const room = this.maxBytes - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    this.truncated = true;
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
  }

  /**
   * Decoded as UTF-8 after counting bytes, so the cap is a byte cap. A multi-byte character cut
   * by the cap decodes to U+FFFD, which is honest about the cut.
   */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}

/** Accepts both the string and the byte form of stdin; counts what is actually sent. */
export function stdinBytes(stdin: string | Uint8Array): Buffer {
  return typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : Buffer.from(stdin);
}

export const DEFAULT_MAX_STDOUT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_STDERR_BYTES = 1024 * 1024;
export const DEFAULT_EXEC_TIMEOUT_MS = 120_000;
