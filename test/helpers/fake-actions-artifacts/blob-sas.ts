import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shared-access signatures for the fake blob storage, shaped like Azure's service SAS (`sv`, `sr`,
 * `sp`, `se`, `sig`): the signature covers the blob's path, the permissions and the expiry, so a
 * URL for one blob opens no other, an upload URL cannot read, and an edited URL is refused.
 */

export const SAS_VERSION = '2024-11-04';

/** `r` read; `c` create and `w` write, as an upload URL carries them. */
export type SasPermissions = 'r' | 'cw';

function signature(secret: string, path: string, permissions: string, expiry: string): string {
  return createHmac('sha256', secret).update(`${permissions}\n${expiry}\n${path}`).digest('base64');
}

export function signBlobUrl(
  base: string,
  secret: string,
  path: string,
  permissions: SasPermissions,
  ttlMs: number,
): string {
  const expiry = new Date(Date.now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const url = new URL(path, base);
  url.searchParams.set('sv', SAS_VERSION);
  url.searchParams.set('sr', 'b');
  url.searchParams.set('sp', permissions);
  url.searchParams.set('se', expiry);
  url.searchParams.set('sig', signature(secret, path, permissions, expiry));
  return url.toString();
}

/** Why a request's signature does not let it `need` (r or w) this path, or null when it does. */
export function sasProblem(secret: string, url: URL, need: 'r' | 'w'): string | null {
  const q = url.searchParams;
  const [permissions, expiry, sig] = [q.get('sp'), q.get('se'), q.get('sig')];
  if (q.get('sv') === null || q.get('sr') !== 'b' || !permissions || !expiry || !sig) {
    return 'the URL carries no complete shared-access signature';
  }
  const expected = Buffer.from(signature(secret, url.pathname, permissions, expiry));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return 'the signature does not match this blob, these permissions and this expiry';
  }
  if (Date.parse(expiry) < Date.now()) return 'the signature has expired';
  if (!permissions.includes(need)) return `the signature does not grant "${need}"`;
  return null;
}
