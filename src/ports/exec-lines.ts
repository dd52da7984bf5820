/**
 * A command's stdout read line by line (ExecOptions.onStdoutLine): the splitting every transport
 * shares, and execByLine(), which gives the lines whether or not the transport streams them.
 */
import type { ExecOptions, ExecResult, Transport } from './transport.js';

/**
 * Text that arrives in pieces, cut into the lines `text.split('\n')` gives of the whole, less the
 * empty string after a final newline (so '' has no line, and 'a' and 'a\n' have one).
 */
export class LineSplitter {
  /** The end of the last piece after its last newline: the start of a line still arriving. */
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(piece: string): void {
    let start = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', start)) {
      // Only a line that began in an earlier piece is joined; the others are cut from this one.
      const line = start === 0 && this.rest !== '' ? this.rest + piece.slice(0, nl) : piece.slice(start, nl);
      this.onLine(line);
      start = nl + 1;
    }
    this.rest = start === 0 ? this.rest + piece : piece.slice(start);
  }

  /** The last line, when the text does not end with a newline. */
  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}

/** Every line of a whole text, as LineSplitter cuts it. */
export function forEachLineOf(text: string, onLine: (line: string) => void): void {
  const lines = new LineSplitter(onLine);
  lines.push(text);
  lines.end();
}

/**
 * exec() with stdout handed to `onLine` line by line, and the result's stdout ''. A transport
 * that streams (ssh, local) never holds the whole of it; from any other the lines are cut from
 * the stdout it returns. An `onLine` that throws fails the call with its error once the command
 * is over (a transport's data handler must not throw); it is not called again.
 */
export async function execByLine(
  transport: Transport,
  argv: readonly string[],
  onLine: (line: string) => void,
  options: Omit<ExecOptions, 'onStdoutLine'> = {},
): Promise<ExecResult> {
  let failed: { readonly error: unknown } | undefined;
  const take = (line: string): void => {
    if (failed !== undefined) return;
    try {
      onLine(line);
    } catch (error) {
      failed = { error };
    }
  };
  const result = await transport.exec(argv, { ...options, onStdoutLine: take });
  if (result.stdout !== '') forEachLineOf(result.stdout, take);
  if (failed !== undefined) throw failed.error;
  return result.stdout === '' ? result : { ...result, stdout: '' };
}
