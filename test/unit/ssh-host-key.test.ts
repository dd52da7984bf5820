import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, parseHostKeyPins, verifyHostKey } from '../../src/adapters/ssh/host-key.js';
import { TransportError } from '../../src/ports/transport.js';
import { fingerprintOfPublicKey, generateEd25519, publicKeyBlob } from '../helpers/ssh-server.js';

const server = generateEd25519();
const other = generateEd25519();
const blob = publicKeyBlob(server.publicKey);
const otherBlob = publicKeyBlob(other.publicKey);
const [type, b64] = server.publicKey.split(' ');
const [otherType, otherB64] = other.publicKey.split(' ');

function hashedHost(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('host key pins', () => {
  it('computes the same SHA256 fingerprint OpenSSH prints', () => {
    expect(fingerprintOf(blob)).toBe(fingerprintOfPublicKey(server.publicKey));
    expect(fingerprintOf(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('accepts the pinned key from a [host]:port known_hosts line', () => {
    const pins = parseHostKeyPins(`[127.0.0.1]:2222 ${type} ${b64}`);
    expect(verifyHostKey(pins, '127.0.0.1', 2222, blob).ok).toBe(true);
  });

  it('does not let a [host]:port line vouch for another port or host', () => {
    const pins = parseHostKeyPins(`[127.0.0.1]:2222 ${type} ${b64}`);
    expect(verifyHostKey(pins, '127.0.0.1', 2223, blob)).toMatchObject({
      ok: false,
      why: /no host key is pinned/,
    });
    expect(verifyHostKey(pins, '10.0.0.1', 2222, blob).ok).toBe(false);
  });

  it('matches plain, comma-separated and wildcard host patterns on port 22', () => {
    const pins = parseHostKeyPins(`login1,login2.example.org ${type} ${b64}\n*.cluster.test ${type} ${b64}`);
    expect(verifyHostKey(pins, 'login2.example.org', 22, blob).ok).toBe(true);
    expect(verifyHostKey(pins, 'node7.cluster.test', 22, blob).ok).toBe(true);
    expect(verifyHostKey(pins, 'login3', 22, blob).ok).toBe(false);
  });

  it('honours negated patterns', () => {
    const pins = parseHostKeyPins(`*.cluster.test,!evil.cluster.test ${type} ${b64}`);
    expect(verifyHostKey(pins, 'evil.cluster.test', 22, blob).ok).toBe(false);
  });

  it('matches hashed (|1|) known_hosts entries', () => {
    const pins = parseHostKeyPins(`${hashedHost('[login.example.org]:2222')} ${type} ${b64}`);
    expect(verifyHostKey(pins, 'login.example.org', 2222, blob).ok).toBe(true);
    expect(verifyHostKey(pins, 'login.example.org', 22, blob).ok).toBe(false);
  });

  it('accepts a bare SHA256: fingerprint for any host, with or without padding', () => {
    const fp = fingerprintOf(blob);
    expect(verifyHostKey(parseHostKeyPins(fp), 'anything', 22, blob).ok).toBe(true);
    expect(verifyHostKey(parseHostKeyPins(`${fp}=`), 'anything', 22, blob).ok).toBe(true);
  });

  it('accepts a hostless public key line, as in a .pub file', () => {
    expect(verifyHostKey(parseHostKeyPins(server.publicKey), 'h', 22, blob).ok).toBe(true);
  });

  it('reads several lines, skipping comments and blanks, and accepts any pinned key', () => {
    const text = `# cluster\n\n[h]:2 ${otherType} ${otherB64}\n[h]:2 ${type} ${b64}\n`;
    const pins = parseHostKeyPins(text);
    expect(verifyHostKey(pins, 'h', 2, blob).ok).toBe(true);
    expect(verifyHostKey(pins, 'h', 2, otherBlob).ok).toBe(true);
  });

  it('refuses a different key and names both fingerprints', () => {
    const verdict = verifyHostKey(parseHostKeyPins(`[h]:2 ${type} ${b64}`), 'h', 2, otherBlob);
    expect(verdict).toEqual({
      ok: false,
      offered: fingerprintOf(otherBlob),
      expected: [fingerprintOf(blob)],
      why: 'its host key is not the pinned one',
    });
  });

  it('refuses everything when nothing is pinned', () => {
    expect(verifyHostKey(parseHostKeyPins(''), 'h', 22, blob)).toMatchObject({ ok: false, expected: [] });
  });

  it('refuses a key marked @revoked even when another line pins it', () => {
    const pins = parseHostKeyPins(`h ${type} ${b64}\n@revoked h ${type} ${b64}`);
    expect(verifyHostKey(pins, 'h', 22, blob)).toMatchObject({ ok: false, why: /revoked/ });
  });

  it('ignores @cert-authority lines rather than pinning a CA as a host key', () => {
    const pins = parseHostKeyPins(`@cert-authority h ${type} ${b64}`);
    expect(verifyHostKey(pins, 'h', 22, blob).ok).toBe(false);
  });

  it.each([
    ['garbage', 'not a key line'],
    ['a key whose type does not match its blob', `h ssh-rsa ${b64}`],
    ['a truncated fingerprint', 'SHA256:abc'],
    ['bad base64', `h ${type} !!!`],
  ])('rejects %s as a config error', (_label, text) => {
    let thrown: unknown;
    try {
      parseHostKeyPins(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransportError);
    expect(thrown).toMatchObject({ kind: 'config' });
  });
});
