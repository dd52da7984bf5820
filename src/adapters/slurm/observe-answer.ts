/**
 * The observe answer read as it streams in (execByLine, FrameReader), so that no tick holds the
 * whole of it: ~44 MB at 100,000 jobs, nearly all of it sacct's. Each chunk's sacct section is
 * read into the SacctReader line by line as it arrives, when every chunk before it has been
 * dealt with (so rows are read in chunk order, as from a whole answer), and taken back if it
 * does not end with 0 (sacct failed or was cut short). A line is dropped as soon as it is read:
 * held until its section ended, every line of the answer lived long enough to be copied into
 * V8's old generation. A section that arrives out of order (never, from our script) waits, kept.
 * squeue's and scontrol's sections, small, are kept until the end: whether a failed squeue only
 * missed an id is told by its stderr, which comes on its own stream. As before, only the first
 * section of a source and chunk is read, and only sections of the chunks asked for.
 */
import { SacctReader } from './sacct-parse.js';
import { type FramedHeads, FrameReader, type SectionSink } from './sections.js';

interface PendingSacct {
  lines: string[];
  /** Whether the section had a line at all (its lines are let go once read). */
  hadLines: boolean;
  rc: number | null;
  ended: boolean;
}

export class ObserveAnswer {
  readonly sacct = new SacctReader();
  /** Lines of every scontrol section that ended with 0, in order. */
  readonly scontrolLines: string[] = [];
  private readonly frames: FrameReader;
  /** The lines of each chunk's first squeue section. */
  private readonly squeue: (string[] | undefined)[] = [];
  private readonly pendingSacct: (PendingSacct | undefined)[] = [];
  /** The first chunk whose sacct section is not yet read or dropped. */
  private nextSacct = 0;
  /** The sacct section being read as it comes (not ended yet). */
  private live: PendingSacct | undefined;

  constructor(
    private readonly chunkCount: number,
    nonce: string,
  ) {
    this.frames = new FrameReader(nonce, (source, key) => this.open(source, key));
  }

  /** The next line of stdout. */
  add(line: string): void {
    this.frames.add(line);
  }

  /** After the last line: the framing, with stderr cut into its sections. */
  finish(stderr: string): FramedHeads {
    this.cutLive();
    this.readSacct(true);
    return this.frames.finish(stderr);
  }

  /** The lines of chunk i's first squeue section (none if it had none). */
  squeueLines(i: number): readonly string[] {
    return this.squeue[i] ?? [];
  }

  /** Whether chunk i's first sacct section had any line (an empty one may be a hidden error). */
  sacctHadLines(i: number): boolean {
    return this.pendingSacct[i]?.hadLines ?? false;
  }

  private open(source: string, key: string): SectionSink | undefined {
    // A section begins: the one before it, if it did not end, never will.
    this.cutLive();
    if (source === 'scontrol') {
      const lines: string[] = [];
      return {
        line: (line) => lines.push(line),
        end: (rc) => {
          if (rc === 0) for (const line of lines) this.scontrolLines.push(line);
        },
      };
    }
    const i = this.chunkOf(key);
    if (i === undefined) return undefined;
    if (source === 'squeue' && this.squeue[i] === undefined) {
      const lines: string[] = [];
      this.squeue[i] = lines;
      return { line: (line) => lines.push(line) };
    }
    if (source === 'sacct' && this.pendingSacct[i] === undefined) return this.sacctSink(i);
    return undefined;
  }

  /**
   * Chunk i's sacct section: read as it comes when it is the next chunk's (to be kept or taken
   * back at its end), else kept until the chunks before it have been dealt with.
   */
  private sacctSink(i: number): SectionSink {
    const pending: PendingSacct = { lines: [], hadLines: false, rc: null, ended: false };
    this.pendingSacct[i] = pending;
    const live = i === this.nextSacct;
    if (live) {
      this.sacct.checkpoint();
      this.live = pending;
    }
    return {
      line: (line) => {
        if (live) this.sacct.add(line);
        else pending.lines.push(line);
        pending.hadLines = true;
      },
      end: (rc) => {
        pending.rc = rc;
        pending.ended = true;
        if (live) {
          this.live = undefined;
          if (rc === 0) this.sacct.commit();
          else this.sacct.rollback();
          this.nextSacct++;
        }
        this.readSacct(false);
      },
    };
  }

  /** The live section was cut short (another began, or the answer ended): its rows are taken back. */
  private cutLive(): void {
    if (this.live === undefined) return;
    this.live = undefined;
    this.sacct.rollback();
    this.nextSacct++;
    this.readSacct(false);
  }

  /** The chunk a section key names (`0`, `1`, … exactly), if it is one of those asked for. */
  private chunkOf(key: string): number | undefined {
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < this.chunkCount && String(i) === key ? i : undefined;
  }

  /**
   * Reads the kept sacct sections that can be read now, in chunk order: each that ended with 0
   * (one that failed or was cut short is not read). Before the end it stops at the first chunk
   * whose section has not ended yet (or not begun: it will be read live); at the end (`final`)
   * it goes through all of them.
   */
  private readSacct(final: boolean): void {
    for (; this.nextSacct < this.chunkCount; this.nextSacct++) {
      const pending = this.pendingSacct[this.nextSacct];
      if (!final && (pending === undefined || !pending.ended)) return;
      if (pending === undefined) continue;
      if (pending.ended && pending.rc === 0) for (const line of pending.lines) this.sacct.add(line);
      pending.lines = [];
    }
  }
}
