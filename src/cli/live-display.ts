/**
 * Output for a long-running command. On a TTY the status block is redrawn in place (ANSI
 * "cursor to previous line" + "erase below"), with events scrolling above it; elsewhere every
 * event and every status is a plain line, so a CI log reads top to bottom.
 */

/** Whether output goes to a terminal that can redraw (a live table) or to a file/pipe (plain lines). */
export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** The terminal's width; 120 when it does not say (a pseudo-terminal may report 0). */
export function terminalWidth(stream: NodeJS.WritableStream): number {
  const columns = (stream as { columns?: number }).columns;
  return columns !== undefined && columns >= 40 ? columns : 120;
}

const PREVIOUS_LINES = (n: number) => `\u001b[${n}F`;
const ERASE_BELOW = '\u001b[J';

export class LiveDisplay {
  private block: readonly string[] = [];

  constructor(
    private readonly out: NodeJS.WritableStream,
    readonly tty: boolean,
  ) {}

  private erase(): void {
    if (this.block.length > 0) this.out.write(`${PREVIOUS_LINES(this.block.length)}${ERASE_BELOW}`);
  }

  /** A line that stays (a failure seen, a relaunch made). */
  event(line: string): void {
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    this.erase();
    this.out.write(`${line}\n`);
    this.redraw();
  }

  /** The status: replaces the previous block on a TTY; printed as `plain` elsewhere. */
  status(block: readonly string[], plain: string): void {
    if (!this.tty) {
      this.out.write(`${plain}\n`);
      return;
    }
    this.erase();
    this.block = block;
    this.redraw();
  }

  private redraw(): void {
    if (this.block.length > 0) this.out.write(`${this.block.join('\n')}\n`);
  }

  /** The last block stays on screen; later output goes below it. */
  finish(): void {
    this.block = [];
  }
}
