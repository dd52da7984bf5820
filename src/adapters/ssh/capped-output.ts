/**
 * One output stream of a command, kept up to a byte cap. Past the cap the stream is still
 * drained (so the remote side never blocks on a full window or pipe) but the bytes are dropped.
 * Given a line sink (ExecOptions.onStdoutLine), it keeps nothing: the bytes within the cap are
 * decoded as they come and handed over line by line.
 */
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../../ports/exec-lines.js';

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private readonly lines: { readonly decoder: StringDecoder; readonly splitter: LineSplitter } | undefined;
  /** Every byte seen, kept or not. */
  seen = 0;
  truncated = false;

  constructor(
    private readonly maxBytes: number,
    onLine?: (line: string) => void,
  ) {
    this.lines =
      onLine === undefined
        ? undefined
        : { decoder: new StringDecoder('utf8'), splitter: new LineSplitter(onLine) };
  }

  push(chunk: Buffer): void {
    this.seen += chunk.length;
    const room = this.maxBytes - this.kept;
    if (chunk.length > room) this.truncated = true;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, Math.max(0, room));
    if (part.length === 0) return;
    this.kept += part.length;
    if (this.lines === undefined) this.chunks.push(part);
    else this.lines.splitter.push(this.lines.decoder.write(part));
  }

  /**
   * Decoded as UTF-8 after counting bytes, so the cap is a byte cap. A multi-byte character cut
   * by the cap decodes to U+FFFD, which is honest about the cut. With a line sink: the last line
   * handed over, and ''.
   */
  text(): string {
    if (this.lines !== undefined) {
      this.lines.splitter.push(this.lines.decoder.end());
      this.lines.splitter.end();
      return '';
    }
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
