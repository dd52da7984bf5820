import { ownText } from './own-text.js';
import type { RootCause } from './types.js';

/**
 * Signatures: a failure's evidence with the volatile parts masked, hashed. Two attempts with
 * the same root cause and signature failed "identically", which is what the kill switch and
 * the grouping of issues count. Masking is deliberately conservative about words: identifiers
 * such as `MulBackward0` or `GLIBCXX_3.4.29` are the message, not noise.
 */

interface Mask {
  readonly pattern: RegExp;
  readonly replacement: string | ((match: string) => string);
}

/** A long run of hex digits is an id only if it mixes digits and letters (not `deadbeef`-like words). */
function hexId(match: string): string {
  return /\d/.test(match) && /[a-f]/.test(match) ? '<HEX>' : match;
}

// Order matters: composite tokens (timestamps, paths, sizes) go before bare numbers.
const MASKS: readonly Mask[] = [
  // ANSI colour codes (built from the code point: the linter rejects control characters in literals).
  { pattern: new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), replacement: '' },
  {
    pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    replacement: '<UUID>',
  },
  // 2026-11-26T04:22:08, 2024-03-18 17:38:50,208, 2021/10/15 15:01:44.577626+02:00
  {
    pattern: /\b\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g,
    replacement: '<TS>',
  },
  // glog/syslog prefixes: E0321 02:07:08.408271, Nov 26 04:22:08, 06/26 18:54:31, 12:51:49.512
  { pattern: /\b[IWEF]\d{3,4} \d{2}:\d{2}:\d{2}(?:\.\d+)?/g, replacement: '<TS>' },
  { pattern: /\b[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}\b/g, replacement: '<TS>' },
  { pattern: /\b\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\b/g, replacement: '<TS>' },
  { pattern: /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, replacement: '<TS>' },
  { pattern: /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+|<\d+>)?(?!\d)/g, replacement: '<IP>' },
  { pattern: /\b0x[0-9a-f]+\b/gi, replacement: '<HEX>' },
  // sweepwatch's own job names (`sw-<experiment>-<8 hex>`, conditions.ts): one per condition, so
  // a message naming its job (SkyPilot's "No launchable resource found for task sw-…") would
  // otherwise fail "differently" in every condition.
  { pattern: /\bsw-[a-z0-9-]*-[0-9a-f]{8}\b/g, replacement: '<JOB>' },
  // Long hex ids: Ray actor ids, commit-ish hashes, CUDA stream handles.
  { pattern: /\b[0-9a-f]{12,}\b/g, replacement: hexId },
  // Paths with at least two segments: /a/b, ./ckpt/x.pth, ~/data, C:\x\y.
  { pattern: /(?:[A-Za-z]:|[.~]{1,2})?(?:[\\/][\w.@+%=-]+){2,}[\\/]?/g, replacement: '<PATH>' },
  // Host names in the places schedulers and launchers print them.
  { pattern: /(\*\*\* (?:JOB|STEP) \S+ ON )\S+/g, replacement: '$1<HOST>' },
  { pattern: /\bslurmstepd-[\w.-]+:/g, replacement: 'slurmstepd-<HOST>:' },
  {
    pattern: /((?:srun|salloc|sbatch): error: )(?!Node failure)[\w.-]+(?=: tasks?\b)/g,
    replacement: '$1<HOST>',
  },
  {
    pattern: /\b(Node failure on|[Nn]odes?|[Hh]ost(?:name)?[=:]?|on) +[A-Za-z][\w.-]*\d[\w.[\],-]*/g,
    replacement: '$1 <HOST>',
  },
  { pattern: /^[\w.-]+(?=:\d+:\d+ \[\d+\])/gm, replacement: '<HOST>' },
  // Ranks in their usual spellings, so rank 3 and rank 5 fail alike.
  { pattern: /\b((?:local_|global_)?[Rr]ank|RANK)(\s*[:=]?\s*)\d+/g, replacement: '$1$2<N>' },
  // Memory sizes: 2.00 GiB, 58982400 bytes, 3.96GiB, 2.12G, 40 MB.
  { pattern: /\b\d+(?:\.\d+)?\s?(?:[KMGTP]i?B|bytes|[KMGT])\b/g, replacement: '<SIZE>' },
  // Every other number not glued to a word (MulBackward0 and GLIBC_2.34 stay whole).
  { pattern: /(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])/gi, replacement: '<N>' },
  // Only runs and non-space whitespace: replacing every single space would cost the most.
  { pattern: /[ \t\r\n\f\v]{2,}|[\t\r\n\f\v]/g, replacement: ' ' },
];

const MAX_TEMPLATE = 240;

/**
 * Masked lines by line, bounded (full, it starts over). Evidence repeats: every failure without
 * a log says `scheduler_state: FAILED` and `exit_code: 1:0`, and identical failures share their
 * lines. Masking each of the 26,000 lines of a 100,000-job tick's 16,000 new failures (234
 * distinct) with the expressions above was a quarter of its diagnosis.
 */
const MASKED = new Map<string, string>();
const MASKED_MAX = 4096;
/** Longer lines are masked every time: they are rare, and the cache must stay small. */
const MASKED_LINE_MAX = 1024;

/** The evidence line with everything that varies between identical failures masked. */
export function maskVolatile(line: string): string {
  if (line.length > MASKED_LINE_MAX) return mask(line);
  let masked = MASKED.get(line);
  if (masked === undefined) {
    // Own copies: a line cut from a log tail, kept as a key, would keep the whole tail.
    masked = ownText(mask(line));
    if (MASKED.size >= MASKED_MAX) MASKED.clear();
    MASKED.set(ownText(line), masked);
  }
  return masked;
}

function mask(line: string): string {
  let text = line;
  for (const { pattern, replacement } of MASKS) {
    text =
      typeof replacement === 'string'
        ? text.replace(pattern, replacement)
        : text.replace(pattern, replacement);
  }
  text = text.trim();
  return text.length > MAX_TEMPLATE ? text.slice(0, MAX_TEMPLATE) : text;
}

/**
 * The FNV-1a 64-bit state in four 16-bit limbs, so every intermediate product stays exact in a
 * double. Fields of an object, not variables a closure shares: V8 boxed a number for each byte
 * mixed into those (~14 MB of garbage for a tick's 16,000 classifications at 100,000 jobs).
 */
class Fnv1a64 {
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  mix(byte: number): void {
    const h0 = this.h0 ^ byte;
    // Multiply by the FNV prime 0x100000001b3 = 0x1b3 + 0x100 << 32.
    const t0 = h0 * 0x1b3;
    const t1 = this.h1 * 0x1b3 + (t0 >>> 16);
    const t2 = this.h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = this.h3 * 0x1b3 + this.h1 * 0x100 + (t2 >>> 16);
    this.h0 = t0 & 0xffff;
    this.h1 = t1 & 0xffff;
    this.h2 = t2 & 0xffff;
    this.h3 = t3 & 0xffff;
  }

  hex(): string {
    const hex = (limb: number): string => limb.toString(16).padStart(4, '0');
    return hex(this.h3) + hex(this.h2) + hex(this.h1) + hex(this.h0);
  }
}

/** FNV-1a, 64-bit, over the UTF-8 bytes of the text, as 16 hex digits. */
export function fnv1a64(text: string): string {
  const h = new Fnv1a64();
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) h.mix(code);
    else if (code < 0x800) {
      h.mix(0xc0 | (code >> 6));
      h.mix(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      h.mix(0xe0 | (code >> 12));
      h.mix(0x80 | ((code >> 6) & 0x3f));
      h.mix(0x80 | (code & 0x3f));
    } else {
      h.mix(0xf0 | (code >> 18));
      h.mix(0x80 | ((code >> 12) & 0x3f));
      h.mix(0x80 | ((code >> 6) & 0x3f));
      h.mix(0x80 | (code & 0x3f));
    }
  }
  return h.hex();
}

/** The masked template of a set of evidence lines, one line each, in order. */
export function evidenceTemplate(evidence: readonly string[]): string {
  return evidence.map(maskVolatile).join('\n');
}

/** Root cause + masked evidence, hashed: equal signatures mean "failed identically". */
export function signatureOf(rootCause: RootCause, evidence: readonly string[]): string {
  return fnv1a64(`${rootCause}\n${evidenceTemplate(evidence)}`);
}
