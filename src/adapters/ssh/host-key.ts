/**
 * Host key pinning. sweepwatch never trusts on first use: the operator pins each host's key as
 * known_hosts text or as an OpenSSH `SHA256:` fingerprint, and anything else is refused.
 */
import { createHash, createHmac } from 'node:crypto';
import { TransportError } from '../../ports/transport.js';

/** One usable line of the pin text. `hosts` null means the key applies to any host. */
interface PinEntry {
  readonly fingerprint: string;
  readonly hosts: string | null;
  readonly revoked: boolean;
}

export interface HostKeyPins {
  readonly entries: readonly PinEntry[];
}

export type HostKeyVerdict =
  | { readonly ok: true; readonly offered: string }
  | {
      readonly ok: false;
      readonly offered: string;
      readonly expected: readonly string[];
      readonly why: string;
    };

const FINGERPRINT = /^SHA256:([A-Za-z0-9+/]{43})=?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Key types a known_hosts line may name; used to tell a hostless `type blob` line apart. */
const KEY_TYPE = /^(ssh-|ecdsa-|sk-|rsa-)/;

/** The OpenSSH fingerprint of a raw public key blob: `SHA256:` + unpadded base64. */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Parses pin text: any mix of `SHA256:…` fingerprints and known_hosts lines (`host[,host…]
 * type base64`, `[host]:port …`, hashed `|1|salt|hash …`, `@revoked …`, or a hostless `type
 * base64`). Blank lines and `#` comments are skipped. Malformed lines are a config error, since
 * silently dropping a pin would turn into a confusing refusal later.
 */
export function parseHostKeyPins(text: string): HostKeyPins {
  const entries: PinEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const entry = parseLine(line);
    if (entry === 'skip') continue;
    if (entry === null) {
      throw new TransportError(
        'config',
        `knownHosts line ${index + 1} is neither a known_hosts entry nor a SHA256: fingerprint`,
        {
          line: index + 1,
        },
      );
    }
    entries.push(entry);
  }
  return { entries };
}

function parseLine(line: string): PinEntry | null | 'skip' {
  const fp = FINGERPRINT.exec(line);
  if (fp) return { fingerprint: `SHA256:${fp[1]}`, hosts: null, revoked: false };
  let fields = line.split(/\s+/);
  let revoked = false;
  if (fields[0]?.startsWith('@')) {
    // A CA key vouches for certificates, which we do not accept; it must not pin a plain key.
    if (fields[0] === '@cert-authority') return 'skip';
    if (fields[0] !== '@revoked') return null;
    revoked = true;
    fields = fields.slice(1);
  }
  const [first, second, third] = fields;
  if (first === undefined || second === undefined) return null;
  // A hostless `type base64 [comment]` (a .pub file) is tried first; the blob's embedded type
  // check keeps a host that merely starts with `ssh-` from being misread as one.
  if (KEY_TYPE.test(first)) {
    const hostless = keyEntry(null, first, second, revoked);
    if (hostless !== null) return hostless;
  }
  if (third === undefined) return null;
  return keyEntry(first, second, third, revoked);
}

function keyEntry(hosts: string | null, type: string, b64: string, revoked: boolean): PinEntry | null {
  if (!BASE64.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  // The blob names its own type; a disagreement means a mangled line, not a usable pin.
  if (blob.length < 4) return null;
  const typeLen = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + typeLen).toString('latin1') !== type) return null;
  return { fingerprint: fingerprintOf(blob), hosts, revoked };
}

/** known_hosts names a non-default port as `[host]:port`. */
function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

/** OpenSSH semantics: any negated match excludes the line, else any positive match includes it. */
function hostsMatch(hosts: string, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (hosts.startsWith('|1|')) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (!globToRegExp(glob).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|salt|hash` where hash = HMAC-SHA1(salt, name) (HashKnownHosts). */
function hashedMatch(hosts: string, name: string): boolean {
  const [, , salt, hash] = hosts.split('|');
  if (salt === undefined || hash === undefined) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** Checks the key a server offered against the pins for that host and port. */
export function verifyHostKey(
  pins: HostKeyPins,
  host: string,
  port: number,
  blob: Uint8Array,
): HostKeyVerdict {
  const offered = fingerprintOf(blob);
  const relevant = pins.entries.filter((e) => e.hosts === null || hostsMatch(e.hosts, host, port));
  if (relevant.some((e) => e.revoked && e.fingerprint === offered)) {
    return { ok: false, offered, expected: [], why: 'its host key is marked @revoked' };
  }
  const expected = [...new Set(relevant.filter((e) => !e.revoked).map((e) => e.fingerprint))];
  if (expected.length === 0) {
    return { ok: false, offered, expected, why: 'no host key is pinned for it' };
  }
  if (expected.includes(offered)) return { ok: true, offered };
  return { ok: false, offered, expected, why: 'its host key is not the pinned one' };
}

/** The refusal, naming both fingerprints so the operator can tell a rotation from an attack. */
export function hostKeyError(
  verdict: Extract<HostKeyVerdict, { ok: false }>,
  context: { readonly host: string; readonly port: number; readonly user: string },
): TransportError {
  const expected = verdict.expected.length > 0 ? verdict.expected.join(' or ') : 'none';
  return new TransportError(
    'host_key',
    `refused ${context.host}:${context.port}: ${verdict.why}; server offered ${verdict.offered}, expected ${expected}`,
    { ...context, offered: verdict.offered, expected },
  );
}
