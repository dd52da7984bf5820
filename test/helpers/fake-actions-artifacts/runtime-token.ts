import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * ACTIONS_RUNTIME_TOKEN as the runner hands it to a job: a JWT whose `scp` claim carries
 * `Actions.Results:<workflow run backend id>:<job run backend id>`. The fake signs its tokens, so a
 * token that was edited or made up is refused like the real service refuses it.
 */

export interface TokenIds {
  readonly runBackendId: string;
  readonly jobBackendId: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function makeRuntimeToken(secret: string, ids: TokenIds, expiresInSeconds = 6 * 3600): string {
  const body = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64({
    // Other scopes come first in real tokens; a client must search for the Results one.
    scp: `Actions.ExampleScope Actions.Results:${ids.runBackendId}:${ids.jobBackendId}`,
    exp: Math.floor(Date.now() / 1000) + expiresInSeconds,
  })}`;
  return `${body}.${sign(secret, body)}`;
}

/** The ids of a token this fake signed and that has not expired, else null. */
export function verifyRuntimeToken(secret: string, token: string): TokenIds | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const expected = Buffer.from(sign(secret, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    scp?: string;
    exp?: number;
  };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return null;
  const scope = claims.scp?.split(' ').find((s) => s.startsWith('Actions.Results:'));
  const [, run, job] = scope?.split(':') ?? [];
  return run && job ? { runBackendId: run, jobBackendId: job } : null;
}
