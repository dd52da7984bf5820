import { type Rule, TIER } from './types.js';

/** The line a rule claimed, as offsets into the scanned log. */
export interface Hit {
  readonly rule: Rule;
  readonly line: string;
  /** Where the claiming pattern matched inside `line`. */
  readonly matchIndex: number;
  /** Offset just past the end of the line in the log, to collect `keepAfter` lines. */
  readonly lineEnd: number;
}

export interface ScanLimits {
  /** Only the tail matters: lines further up than this are not read. */
  readonly maxLines: number;
  readonly maxChars: number;
}

export const DEFAULT_LIMITS: ScanLimits = { maxLines: 5000, maxChars: 1 << 20 };

interface Needle {
  readonly text: string;
  /** The rules owning it, by index. */
  readonly rules: readonly number[];
  /** The strongest tier among them: finding it matters only while no line of that tier is held. */
  readonly tier: number;
}

/** Regions up to this many characters are read line by line by default (scanLines). */
const SHORT_REGION = 4096;

/** Needles at least this long are found by the skip loop; shorter ones by indexOf. */
const WINDOW = 6;

/** Characters fold to 7 bits so three of them make a 21-bit key. */
function fold(code: number): number {
  return code < 128 ? code : 127;
}

function trigram(text: string, at: number): number {
  return (
    (fold(text.charCodeAt(at)) << 14) | (fold(text.charCodeAt(at + 1)) << 7) | fold(text.charCodeAt(at + 2))
  );
}

/** Two characters as a 14-bit key: the skip loop's table (16 KiB) stays in the first-level cache. */
function bigram(text: string, at: number): number {
  return (fold(text.charCodeAt(at)) << 7) | fold(text.charCodeAt(at + 1));
}

/**
 * The needles of the rules of one tier and above, arranged for a Wu–Manber search: `shift`
 * says, from the two characters ending a window of WINDOW, how far on no long needle can start
 * (0: one may start at the window; `ends` lists those to check).
 */
interface Level {
  readonly shift: Uint8Array;
  /** By the key of their characters WINDOW - 2 and WINDOW - 1. */
  readonly ends: readonly (readonly Needle[] | undefined)[];
  readonly short: readonly Needle[];
}

function buildLevel(needles: readonly Needle[]): Level {
  const shift = new Uint8Array(1 << 14).fill(WINDOW - 1);
  const ends: (Needle[] | undefined)[] = new Array(1 << 14).fill(undefined);
  const short: Needle[] = [];
  for (const needle of needles) {
    if (needle.text.length < WINDOW) {
      short.push(needle);
      continue;
    }
    for (let j = 0; j <= WINDOW - 2; j++) {
      const key = bigram(needle.text, j);
      shift[key] = Math.min(shift[key] ?? WINDOW - 1, WINDOW - 2 - j);
    }
    const key = bigram(needle.text, WINDOW - 2);
    ends[key] = [...(ends[key] ?? []), needle];
  }
  return { shift, ends, short };
}

/**
 * A compiled rule set. Running ~70 regexes over every line costs microseconds per line, too much
 * for 100k logs, so only lines holding one of the rules' literal needles meet the regexes. The
 * needles are found the way grep finds strings: a Wu–Manber loop reads two characters per window
 * and moves on by up to five (about four on log text), and indexOf, at memchr speed, finds the
 * few needles too short for it. The lab's 120 failed jobs (4 MB of tails, issue #10) take ~5 ms
 * of CPU to scan, where a trigram lookup at every character took ~13 ms.
 */
export class RuleSet {
  private readonly bits = new Uint32Array(1 << 16);
  private readonly byTrigram = new Map<number, Needle[]>();
  /** levels[t]: the needles of rules of tier t and above (levels[0]: all of them). */
  private readonly levels: readonly Level[];
  /** Per rule, the visit that last made it a candidate (avoids clearing an array per line). */
  private readonly stamp: Float64Array;
  /** Counts line visits across scans, so stamps from an earlier log never look current. */
  private visit = 0;

  /** Regions up to this many characters are read line by line (default SHORT_REGION). */
  private readonly shortRegion: number;

  /** `options.shortRegion`: 0 makes every scan use the skip search (tests hold it to the other). */
  constructor(
    readonly rules: readonly Rule[],
    options: { readonly shortRegion?: number } = {},
  ) {
    this.shortRegion = options.shortRegion ?? SHORT_REGION;
    this.stamp = new Float64Array(rules.length).fill(-1);
    const owners = new Map<string, number[]>();
    rules.forEach((rule, index) => {
      for (const needle of rule.needles) {
        if (needle.length < 3) throw new Error(`rule ${rule.id}: needle "${needle}" is shorter than 3`);
        // The scan finds a needle's line around it: one spanning a line break would be lost.
        if (needle.includes('\n')) throw new Error(`rule ${rule.id}: needle "${needle}" spans lines`);
        owners.set(needle, [...(owners.get(needle) ?? []), index]);
      }
    });
    const needles = [...owners].map(([text, list]) => ({
      text,
      rules: list,
      tier: Math.max(...list.map((i) => rules[i]?.tier ?? TIER.cause)),
    }));
    for (const needle of needles) {
      const key = trigram(needle.text, 0);
      this.bits[key >>> 5] = (this.bits[key >>> 5] ?? 0) | (1 << (key & 31));
      this.byTrigram.set(key, [...(this.byTrigram.get(key) ?? []), needle]);
    }
    this.levels = Array.from({ length: TIER.cause + 1 }, (_, tier) =>
      buildLevel(needles.filter((n) => n.tier >= tier)),
    );
  }

  /**
   * The strongest claimed line of the log's tail; among equals the last one, so a traceback's
   * final exception beats the warnings above it. Lines are weighed from the last one upwards,
   * and only those that could still change the answer: once a line of tier t is held, only a
   * line holding a needle of a rule above t is read, and nothing is after the top tier.
   */
  scan(log: string, limits: ScanLimits = DEFAULT_LIMITS): Hit | null {
    const top = regionTop(log, limits);
    if (log.length - top <= this.shortRegion) return this.scanLines(log, top);
    let best: Hit | null = null;
    let hi = log.length;
    while (hi - top >= 3) {
      const at = this.lastNeedle(log, top, hi, best === null ? 0 : best.rule.tier + 1);
      if (at < 0) break;
      const start = Math.max(log.lastIndexOf('\n', at) + 1, top);
      const newline = log.indexOf('\n', at);
      const end = newline < 0 || newline > hi ? hi : newline;
      const visit = ++this.visit;
      this.markCandidates(log, start, end, visit);
      const hit = this.claim(log, start, end, visit);
      if (hit !== null && (best === null || hit.rule.tier > best.rule.tier)) {
        best = hit;
        if (hit.rule.tier === TIER.cause) break;
      }
      hi = start - 1;
    }
    return best;
  }

  /**
   * Where the last needle of `levels[level]` starts in [lo, hi) (ending by hi), or -1. Searched
   * in blocks from the bottom up, each forwards: a verdict on the last lines costs little.
   */
  private lastNeedle(log: string, lo: number, hi: number, level: number): number {
    const needles = this.levels[level];
    if (needles === undefined) return -1;
    for (let b = hi, size = 1024; b > lo; b -= size, size = Math.min(size * 4, 1 << 16)) {
      const at = lastIn(log, Math.max(lo, b - size), b, hi, needles, this.bits);
      if (at >= 0) return at;
    }
    return -1;
  }

  /** Stamps every rule owning a needle found in the line; true when there is at least one. */
  private markCandidates(log: string, start: number, end: number, visit: number): boolean {
    let found = false;
    let c0 = fold(log.charCodeAt(start));
    let c1 = fold(log.charCodeAt(start + 1));
    for (let i = start; i + 2 < end; i++) {
      const c2 = fold(log.charCodeAt(i + 2));
      const key = (c0 << 14) | (c1 << 7) | c2;
      if (((this.bits[key >>> 5] ?? 0) & (1 << (key & 31))) !== 0) {
        for (const needle of this.byTrigram.get(key) ?? []) {
          if (i + needle.text.length <= end && log.startsWith(needle.text, i)) {
            for (const rule of needle.rules) this.stamp[rule] = visit;
            found = true;
          }
        }
      }
      c0 = c1;
      c1 = c2;
    }
    return found;
  }

  /**
   * scan() for a short region, line by line from the last one, every character read: the same
   * answer, without the skip search's set-up per needle found, which costs more than it saves
   * on a log of a few kilobytes dense with error lines (the corpus's excerpts: 20 % slower).
   */
  private scanLines(log: string, top: number): Hit | null {
    let best: Hit | null = null;
    for (let end = log.length; end > top; ) {
      const newline = log.lastIndexOf('\n', end - 1);
      const start = Math.max(newline + 1, top);
      const visit = ++this.visit;
      if (end - start >= 3 && this.markCandidates(log, start, end, visit)) {
        const hit = this.claim(log, start, end, visit);
        if (hit !== null && (best === null || hit.rule.tier > best.rule.tier)) {
          best = hit;
          if (hit.rule.tier === TIER.cause) break;
        }
      }
      end = newline;
    }
    return best;
  }

  /** The first candidate rule, in library order, whose pattern matches the line claims it. */
  private claim(log: string, start: number, end: number, visit: number): Hit | null {
    const line = log.slice(start, end);
    // NCCL_DEBUG=INFO chatter mentions sockets, plugins and missing .so files on healthy runs.
    if (line.includes(' NCCL INFO ')) return null;
    for (let index = 0; index < this.rules.length; index++) {
      if (this.stamp[index] !== visit) continue;
      const rule = this.rules[index];
      if (rule === undefined || rule.unless?.some((re) => re.test(line))) continue;
      for (const pattern of rule.patterns) {
        const match = pattern.exec(line);
        if (match !== null) return { rule, line, matchIndex: match.index, lineEnd: end };
      }
    }
    return null;
  }
}

/**
 * Where the region read starts: the last `maxLines` lines within the last `maxChars` characters
 * (the first of them cut at that limit). Counted with indexOf, which runs at memchr speed.
 */
function regionTop(log: string, limits: ScanLimits): number {
  const floor = Math.max(0, log.length - limits.maxChars);
  if (limits.maxLines <= 0) return log.length;
  let count = 0;
  for (let at = log.indexOf('\n', floor); at >= 0; at = log.indexOf('\n', at + 1)) count++;
  if (count < limits.maxLines) return floor;
  let at = floor - 1;
  for (let skip = count - limits.maxLines + 1; skip > 0; skip--) at = log.indexOf('\n', at + 1);
  return at + 1;
}

/** The last start in [a, b) of one of the level's needles that ends by `hi`, or -1. */
function lastIn(log: string, a: number, b: number, hi: number, level: Level, starts: Uint32Array): number {
  let last = -1;
  const stop = Math.min(b, hi - WINDOW + 1);
  const shifts = level.shift;
  for (let i = a; i < stop; ) {
    const key = bigram(log, i + WINDOW - 2);
    const shift = shifts[key] ?? 1;
    if (shift > 0) {
      i += shift;
      continue;
    }
    // Ends that fit, about one window in ten: a needle's first three characters must fit too.
    const first = trigram(log, i);
    if (((starts[first >>> 5] ?? 0) & (1 << (first & 31))) === 0) {
      i++;
      continue;
    }
    for (const needle of level.ends[key] ?? []) {
      if (i + needle.text.length <= hi && log.startsWith(needle.text, i)) {
        last = i;
        break;
      }
    }
    i++;
  }
  // indexOf would run on to the end of the log: searched in a slice (a view, not a copy) that
  // ends where a short needle starting before b must end.
  const block = log.slice(a, Math.min(hi, b + WINDOW - 2));
  for (const needle of level.short) {
    for (let at = block.indexOf(needle.text, Math.max(0, last + 1 - a)); at >= 0 && a + at < b; ) {
      last = Math.max(last, a + at);
      at = block.indexOf(needle.text, at + 1);
    }
  }
  return last;
}
