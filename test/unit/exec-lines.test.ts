import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CappedOutput } from '../../src/adapters/ssh/capped-output.js';
import { execByLine, LineSplitter } from '../../src/ports/exec-lines.js';
import { TransportError } from '../../src/ports/transport.js';
import { createFakeTransport } from '../fakes/fake-transport.js';

/** text.split('\n') less the empty string after a final newline: what a whole stdout gave. */
function wholeLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** `text` cut at the given places (any, sorted and deduplicated here). */
function cut<T extends { slice(a: number, b?: number): T; length: number }>(text: T, at: number[]): T[] {
  const places = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  return [...places, text.length].map((end, i) => text.slice(places[i - 1] ?? 0, end));
}

describe('LineSplitter', () => {
  it('gives the lines of the whole text however it arrives in pieces', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'é', '\r'), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (whole, at) => {
        const lines: string[] = [];
        const splitter = new LineSplitter((line) => lines.push(line));
        for (const piece of cut(whole, at)) splitter.push(piece);
        splitter.end();
        expect(lines).toEqual(wholeLines(whole));
      }),
    );
  });

  it('gives no line for no text, one empty line for a lone newline, and the last line without its newline', () => {
    const linesOf = (pieces: string[]) => {
      const lines: string[] = [];
      const splitter = new LineSplitter((line) => lines.push(line));
      for (const p of pieces) splitter.push(p);
      splitter.end();
      return lines;
    };
    expect(linesOf([])).toEqual([]);
    expect(linesOf(['\n'])).toEqual(['']);
    expect(linesOf(['ab', 'c\nd'])).toEqual(['abc', 'd']);
  });
});

describe('CappedOutput with a line sink', () => {
  it('hands over the lines of the UTF-8 text, a character split across chunks included, and keeps nothing', () => {
    const text = fc.string({ unit: fc.constantFrom('x', '\n', 'é', '😀', '€'), maxLength: 40 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (whole, at) => {
        const lines: string[] = [];
        const out = new CappedOutput(1 << 20, (line) => lines.push(line));
        for (const chunk of cut(Buffer.from(whole, 'utf8'), at)) out.push(chunk);
        expect(out.text()).toBe('');
        expect(lines).toEqual(wholeLines(whole));
        expect(out.truncated).toBe(false);
      }),
    );
  });

  it('stops at the byte cap as a kept stdout does: the same lines, the cut character as U+FFFD, marked truncated', () => {
    const bytes = Buffer.from('ab\ncd€\nef\n', 'utf8');
    for (const cap of [0, 3, 6, 7, 9, bytes.length]) {
      const lines: string[] = [];
      const streamed = new CappedOutput(cap, (line) => lines.push(line));
      const kept = new CappedOutput(cap);
      for (const chunk of cut(bytes, [2, 5, 6])) {
        streamed.push(chunk);
        kept.push(chunk);
      }
      streamed.text();
      expect(lines).toEqual(wholeLines(kept.text()));
      expect(streamed.truncated).toBe(cap < bytes.length);
      expect(streamed.seen).toBe(bytes.length);
    }
  });
});

describe('execByLine', () => {
  it('cuts the stdout of a transport that does not stream into the same lines, and returns stdout ""', async () => {
    const transport = createFakeTransport(() => ({ stdout: 'one\ntwo\n\nthree', code: 3 }));
    const lines: string[] = [];
    const result = await execByLine(transport, ['x'], (line) => lines.push(line));
    expect(lines).toEqual(['one', 'two', '', 'three']);
    expect(result).toMatchObject({ stdout: '', code: 3 });
  });

  it('fails with the error of a line handler that throws, after the command, and hands over no later line', async () => {
    const transport = createFakeTransport(() => ({ stdout: 'a\nb\nc\n' }));
    const seen: string[] = [];
    const call = execByLine(transport, ['x'], (line) => {
      seen.push(line);
      if (line === 'b') throw new Error('bad row');
    });
    await expect(call).rejects.toThrow('bad row');
    expect(seen).toEqual(['a', 'b']);
    expect(transport.calls).toHaveLength(1);
  });

  it('passes a transport error through untouched', async () => {
    const transport = createFakeTransport(() => {
      throw new TransportError('timeout', 'too slow');
    });
    await expect(execByLine(transport, ['x'], () => {})).rejects.toMatchObject({ kind: 'timeout' });
  });
});
