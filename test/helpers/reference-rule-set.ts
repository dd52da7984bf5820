/**
 * The rule engine as it was before the skip-loop search (issue #10), kept verbatim as the
 * reference the differential tests hold the new one to: the same rules must claim the same
 * line of every log. It reads every character of the tail.
 */
import { DEFAULT_LIMITS, type Hit, type ScanLimits } from '../../src/core/rules/scan.js';
import { type Rule, TIER } from '../../src/core/rules/types.js';

interface NeedleEntry {
  readonly needle: string;
  readonly rules: readonly number[];
}

/** Characters fold to 7 bits so three of them make a 21-bit key for the bitmap. */
function fold(code: number): number {
  return code < 128 ? code : 127;
}

function trigram(text: string, at: number): number {
  return (
    (fold(text.charCodeAt(at)) << 14) | (fold(text.charCodeAt(at + 1)) << 7) | fold(text.charCodeAt(at + 2))
  );
}

/**
 * A compiled rule set. Running ~70 regexes (or one big alternation) over every line costs
 * microseconds per line, too much for 100k logs, so each line first goes through a trigram
 * bitmap of the rules' literal needles: one table lookup per character, and only the rare line
 * that contains a needle meets the regexes of the rules owning it.
 */
export class ReferenceRuleSet {
  private readonly bits = new Uint32Array(1 << 16);
  private readonly byTrigram = new Map<number, NeedleEntry[]>();
  /** Per rule, the visit that last made it a candidate (avoids clearing an array per line). */
  private readonly stamp: Float64Array;
  /** Counts line visits across scans, so stamps from an earlier log never look current. */
  private visit = 0;

  constructor(readonly rules: readonly Rule[]) {
    this.stamp = new Float64Array(rules.length).fill(-1);
    const owners = new Map<string, number[]>();
    rules.forEach((rule, index) => {
      for (const needle of rule.needles) {
        if (needle.length < 3) throw new Error(`rule ${rule.id}: needle "${needle}" is shorter than 3`);
        const list = owners.get(needle) ?? [];
        list.push(index);
        owners.set(needle, list);
      }
    });
    for (const [needle, list] of owners) {
      const key = trigram(needle, 0);
      this.bits[key >>> 5] = (this.bits[key >>> 5] ?? 0) | (1 << (key & 31));
      const entries = this.byTrigram.get(key) ?? [];
      entries.push({ needle, rules: list });
      this.byTrigram.set(key, entries);
    }
  }

  /**
   * Walks the log from its last line upwards and returns the strongest claimed line; among
   * equals the last one wins, so a traceback's final exception beats the warnings above it.
   * It stops at the first line of the top tier, since nothing above can outrank it.
   */
  scan(log: string, limits: ScanLimits = DEFAULT_LIMITS): Hit | null {
    let best: Hit | null = null;
    let end = log.length;
    const floor = Math.max(0, log.length - limits.maxChars);
    for (let lines = 0; end > floor && lines < limits.maxLines; lines++) {
      const newline = log.lastIndexOf('\n', end - 1);
      const start = Math.max(newline + 1, floor);
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

  /** Stamps every rule owning a needle found in the line; true when there is at least one. */
  private markCandidates(log: string, start: number, end: number, visit: number): boolean {
    let found = false;
    let c0 = fold(log.charCodeAt(start));
    let c1 = fold(log.charCodeAt(start + 1));
    for (let i = start; i + 2 < end; i++) {
      const c2 = fold(log.charCodeAt(i + 2));
      const key = (c0 << 14) | (c1 << 7) | c2;
      if (((this.bits[key >>> 5] ?? 0) & (1 << (key & 31))) !== 0) {
        for (const entry of this.byTrigram.get(key) ?? []) {
          if (i + entry.needle.length <= end && log.startsWith(entry.needle, i)) {
            for (const rule of entry.rules) this.stamp[rule] = visit;
            found = true;
          }
        }
      }
      c0 = c1;
      c1 = c2;
    }
    return found;
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
