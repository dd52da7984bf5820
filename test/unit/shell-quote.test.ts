import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellQuoteArg } from '../../src/adapters/ssh/shell-quote.js';

/**
 * Runs the quoted line through a real shell, which prints each word it parsed followed by NUL,
 * so the test sees exactly the argv the remote program would see.
 */
function parseWithShell(shell: string, quoted: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${quoted}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  "'",
  '"',
  '\\',
  '$',
  '`',
  '(',
  ')',
  '$(id)',
  '$' + '{HOME}',
  ';',
  '&&',
  '||',
  '|',
  '>',
  '<',
  '*',
  '?',
  '[',
  ']',
  '{a,b}',
  '~',
  '~root',
  '!',
  '#',
  '=',
  ' ',
  '\t',
  '\n',
  '-',
  '--',
  '-rf',
  'é',
  '😀',
  '\u202e',
  'a',
  'Z',
  '0',
];

const hostileString = fc.oneof(
  fc.string({ unit: fc.constantFrom(...HOSTILE), maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
);
const withoutNul = hostileString.filter((s) => !s.includes('\0'));

const shells = ['/bin/sh', '/usr/bin/bash'].filter((shell) => {
  try {
    execFileSync(shell, ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
});

describe('shellQuote', () => {
  it('leaves plain words bare so logged commands stay readable', () => {
    expect(shellQuote(['sacct', '-X', '-P', '--format=JobID,State', '/tmp/x.out', 'user@host:1'])).toBe(
      "sacct -X -P '--format=JobID,State' /tmp/x.out user@host:1",
    );
  });

  it('quotes the empty string so it stays an argument', () => {
    expect(shellQuote(['printf', '%s', ''])).toBe("printf %s ''");
  });

  it("escapes embedded single quotes as '\\''", () => {
    expect(shellQuoteArg("it's")).toBe("'it'\\''s'");
  });

  it('quotes every shell metacharacter', () => {
    for (const s of ['$(id)', '`id`', 'a;b', 'a&&b', '*', '?', '[a]', '~', '!x', 'a b', 'a\nb', 'x=1']) {
      expect(shellQuoteArg(s)).toMatch(/^'.*'$/s);
    }
  });

  it('refuses a NUL byte with a clear error instead of silently cutting the argument', () => {
    expect(() => shellQuote(['echo', 'a\0b'])).toThrow(/NUL byte/);
  });

  it('refuses an empty argv', () => {
    expect(() => shellQuote([])).toThrow(/argv is empty/);
  });

  it.each(shells)('hostile strings reach the program byte for byte through %s', (shell) => {
    fc.assert(
      fc.property(fc.array(withoutNul, { minLength: 1, maxLength: 4 }), (args) => {
        expect(parseWithShell(shell, shellQuote(args))).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });
});
