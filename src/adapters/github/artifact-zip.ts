import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The zip of a state artifact: GitHub serves every artifact as a zip, so the manifest travels as
 * one entry, `manifest.json`. Writing is one deflated entry; reading goes through the central
 * directory, so it also reads zips written by streaming writers (actions/upload-artifact's
 * archiver, sizes in data descriptors) and finds the entry among others. ZIP64 and encryption
 * are refused: a state artifact never needs them.
 */

export const MANIFEST_ENTRY = 'manifest.json';

/** Larger than any manifest (a 100k-job sweep is ~30 MB); caps what a hostile zip can inflate to. */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export type ZipProblem = 'truncated' | 'corrupt';

export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    readonly problem: ZipProblem,
    message: string,
  ) {
    super(message);
  }
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END_BYTES = 22;
const STORED = 0;
const DEFLATED = 8;
/** The DOS date of 1980-01-01: fixed, so the bytes (and the artifact's digest) depend on the content only. */
const DOS_DATE = (1 << 5) | 1;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib.crc32 exists only from Node 20.15; the CLI supports any Node 20. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function zipSingleFile(name: string, content: Uint8Array): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const data = deflateRawSync(content, { level: 6 });
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0800, 6); // UTF-8 name
  local.writeUInt16LE(DEFLATED, 8);
  local.writeUInt16LE(0, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(DEFLATED, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk, internal attributes: 0; external: a regular file, rw-r--r--.
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  central.writeUInt32LE(0, 42);
  const centralSize = central.length + fileName.length;
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(END_BYTES);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

function findEnd(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - END_BYTES - 0xffff);
  for (let at = zip.length - END_BYTES; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === END) return at;
  }
  const looksLikeZip = zip.length >= 4 && zip.readUInt32LE(0) === LOCAL;
  throw looksLikeZip
    ? new ZipError(
        'truncated',
        `the zip ends early (${zip.length} bytes, no end-of-central-directory record)`,
      )
    : new ZipError('corrupt', `not a zip (${zip.length} bytes)`);
}

interface CentralEntry {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly offset: number;
}

function centralEntries(zip: Buffer): CentralEntry[] {
  const end = findEnd(zip);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new ZipError('corrupt', 'ZIP64 is not supported');
  if (offset + size > end)
    throw new ZipError('truncated', 'the central directory lies past the end of the zip');
  const entries: CentralEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL) {
      throw new ZipError('corrupt', `central directory entry ${i + 1} of ${count} is damaged`);
    }
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      offset: zip.readUInt32LE(at + 42),
    });
    at += 46 + skip;
  }
  return entries;
}

function inflate(data: Buffer, name: string, size: number): Buffer {
  try {
    // Up to the recorded size (already checked against MAX_ENTRY_BYTES), not the cap: a zip that
    // records a small size and inflates to much more stops there. zlib needs a limit of at least 1.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
  } catch (error) {
    if (error instanceof RangeError && Reflect.get(error, 'code') === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipError('corrupt', `${name} inflates past the ${size} bytes recorded`);
    }
    const detail = error instanceof Error ? error.message : String(error);
    const cut = /unexpected end/i.test(detail);
    throw new ZipError(cut ? 'truncated' : 'corrupt', `${name} does not inflate: ${detail}`);
  }
}

/** The bytes of entry `name`, checked against its size and CRC-32. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const entries = centralEntries(zip);
  const entry = entries.find((e) => e.name === name);
  if (!entry) {
    const shown = entries.slice(0, 5).map((e) => e.name);
    throw new ZipError('corrupt', `the zip has no ${name} (entries: ${shown.join(', ') || 'none'})`);
  }
  if (entry.flags & 1) throw new ZipError('corrupt', `${name} is encrypted`);
  if (entry.size > MAX_ENTRY_BYTES)
    throw new ZipError('corrupt', `${name} is ${entry.size} bytes, over the limit`);
  const at = entry.offset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) {
    throw new ZipError('corrupt', `the local header of ${name} is damaged`);
  }
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const stop = start + entry.compressedSize;
  if (stop > zip.length) throw new ZipError('truncated', `${name} is cut short`);
  const data = zip.subarray(start, stop);
  let bytes: Buffer;
  if (entry.method === STORED) bytes = Buffer.from(data);
  else if (entry.method === DEFLATED) bytes = inflate(data, name, entry.size);
  else throw new ZipError('corrupt', `${name} uses compression method ${entry.method}`);
  if (bytes.length !== entry.size) {
    throw new ZipError(
      'truncated',
      `${name} inflates to ${bytes.length} bytes, not the ${entry.size} recorded`,
    );
  }
  if (crc32(bytes) !== entry.crc) throw new ZipError('corrupt', `${name} fails its CRC-32 check`);
  return bytes;
}
