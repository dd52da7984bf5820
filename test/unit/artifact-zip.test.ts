import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, readZipEntry, ZipError, zipSingleFile } from '../../src/adapters/github/artifact-zip.js';

// The zip a state artifact travels in. Zips from upload-artifact's archiver are read in
// github-artifact-fidelity.test.ts; here, the bytes sweepwatch writes and the damage it refuses.

const text = `${JSON.stringify({ experiment: 'exp', note: 'μ-sweep ✓', pad: 'x'.repeat(5000) })}\n`;

function problem(zip: Buffer, name = 'manifest.json'): string {
  try {
    readZipEntry(zip, name);
    return 'read';
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
    return `${error.problem}: ${error.message}`;
  }
}

describe('the state artifact zip', () => {
  it('round-trips the manifest, deflated, with the same bytes for the same content', () => {
    const zip = zipSingleFile('manifest.json', Buffer.from(text));
    expect(readZipEntry(zip, 'manifest.json').toString('utf8')).toBe(text);
    expect(zip.length).toBeLessThan(Buffer.byteLength(text) / 4);
    expect(zipSingleFile('manifest.json', Buffer.from(text)).equals(zip)).toBe(true);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('reads a stored (uncompressed) entry too', () => {
    const zip = zipSingleFile('manifest.json', Buffer.from(text));
    const deflated = deflateRawSync(Buffer.from(text), { level: 6 });
    // Rewrite as method 0: local header, data, central header.
    const stored = Buffer.concat([
      zip.subarray(0, 30 + 13),
      Buffer.from(text),
      zip.subarray(30 + 13 + deflated.length),
    ]);
    stored.writeUInt16LE(0, 8);
    stored.writeUInt32LE(Buffer.byteLength(text), 18);
    const central = 30 + 13 + Buffer.byteLength(text);
    stored.writeUInt16LE(0, central + 10);
    stored.writeUInt32LE(Buffer.byteLength(text), central + 20);
    stored.writeUInt32LE(central, stored.length - 22 + 16);
    expect(readZipEntry(stored, 'manifest.json').toString('utf8')).toBe(text);
  });

  it.each([
    [
      'cut anywhere in its tail',
      (z: Buffer) => z.subarray(0, z.length - 10),
      /^truncated: the zip ends early/,
    ],
    ['cut in the middle', (z: Buffer) => z.subarray(0, Math.floor(z.length / 2)), /^truncated: /],
    ['empty', () => Buffer.alloc(0), /^corrupt: not a zip \(0 bytes\)/],
    ['an HTML error page', () => Buffer.from('<html>502</html>'), /^corrupt: not a zip/],
    [
      'flipped in its data',
      (z: Buffer) => {
        const copy = Buffer.from(z);
        copy[60] = (copy[60] ?? 0) ^ 0xff;
        return copy;
      },
      /^(corrupt|truncated): manifest\.json (fails its CRC-32 check|does not inflate|inflates to)/,
    ],
  ])('refuses a zip %s', (_, damage, expected) => {
    expect(problem(damage(zipSingleFile('manifest.json', Buffer.from(text))))).toMatch(expected);
  });

  it('stops inflating an entry at the size its zip records, refusing a zip that lies about it', () => {
    const zip = zipSingleFile('manifest.json', Buffer.from(text));
    // The central directory (after the 30-byte local header, the name and the data) says 10 bytes.
    const central = zip.length - 22 - 46 - 13;
    zip.writeUInt32LE(10, central + 24);
    expect(problem(zip)).toBe('corrupt: manifest.json inflates past the 10 bytes recorded');
  });

  it('reads an entry that inflates to exactly its recorded size, an empty one too', () => {
    const empty = zipSingleFile('manifest.json', Buffer.alloc(0));
    expect(readZipEntry(empty, 'manifest.json').length).toBe(0);
    const one = zipSingleFile('manifest.json', Buffer.from('x'));
    expect(readZipEntry(one, 'manifest.json').toString('utf8')).toBe('x');
  });

  it('names what it found when the manifest is not in the zip', () => {
    expect(problem(zipSingleFile('results.csv', Buffer.from('a,b')))).toBe(
      'corrupt: the zip has no manifest.json (entries: results.csv)',
    );
  });
});
