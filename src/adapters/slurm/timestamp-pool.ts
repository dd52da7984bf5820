/**
 * Slurm timestamps (`2026-11-26T04:20:49`) checked and owned in one pass, one copy per distinct
 * time. Timestamps repeat (a batch is submitted, started or ended in the same second), so a
 * pool keeps one string per time for every job that has it. It finds a time by its digits, as
 * two small integers (the day and the second of the day), not by its text: looking the text up
 * in a map hashed and compared each slice of the answer, ~0.4 µs for each of the 300,000
 * timestamps of a 100,000-job answer, a sixth of the whole observe.
 */
import { ownText } from '../../core/own-text.js';

const DIGIT = -1;
/** What each of the 19 characters must be: a digit, or this separator. */
const SHAPE = [...'dddd-dd-ddTdd:dd:dd'].map((c) => (c === 'd' ? DIGIT : c.charCodeAt(0)));

export class TimestampPool {
  /** Day (yyyymmdd) → second of the day (hhmmss) → the pool's copy. */
  private readonly days = new Map<number, Map<number, string>>();
  private size = 0;
  /** The day looked up last, and its times: a run of rows mostly shares the day. */
  private lastDay = -1;
  private lastTimes: Map<number, string> | undefined;

  /** Bounded, since a hostile or huge answer must not grow it without end; full, it starts over. */
  constructor(private readonly max = 16_384) {}

  /** Distinct times held. */
  get held(): number {
    return this.size;
  }

  /** `text` as the pool's copy when it is `dddd-dd-ddTdd:dd:dd` exactly, else undefined. */
  own(text: string): string | undefined {
    if (text.length !== SHAPE.length) return undefined;
    let day = 0;
    let second = 0;
    for (let i = 0; i < SHAPE.length; i++) {
      const c = text.charCodeAt(i);
      const want = SHAPE[i];
      if (want !== DIGIT) {
        if (c !== want) return undefined;
      } else if (c < 0x30 || c > 0x39) return undefined;
      else if (i < 10) day = day * 10 + c - 0x30;
      else second = second * 10 + c - 0x30;
    }
    const kept = this.timesOf(day).get(second);
    return kept ?? this.add(day, second, text);
  }

  private timesOf(day: number): Map<number, string> {
    if (day !== this.lastDay || this.lastTimes === undefined) {
      let times = this.days.get(day);
      if (times === undefined) {
        times = new Map();
        this.days.set(day, times);
      }
      this.lastDay = day;
      this.lastTimes = times;
    }
    return this.lastTimes;
  }

  private add(day: number, second: number, text: string): string {
    if (this.size >= this.max) {
      this.days.clear();
      this.lastTimes = undefined;
      this.size = 0;
    }
    const kept = ownText(text);
    this.timesOf(day).set(second, kept);
    this.size++;
    return kept;
  }
}
