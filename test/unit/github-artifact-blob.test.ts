import { describe, expect, it } from 'vitest';
import { BlobError, getBlob, putBlob } from '../../src/adapters/github/artifact-blob.js';

// The blob side of artifacts, against a stubbed fetch: what a download may cost, and what an error
// may say about a signed URL (its query is the signature, a credential).

const SIGNED = 'https://results.blob.example/actions-results/run/job/state.zip?sv=2024-11-04&sig=SECRETSIG';

function serving(response: () => Response): typeof globalThis.fetch {
  return async () => response();
}

/** A body of `chunks` chunks of `size` bytes that states no length; counts what was pulled. */
function stream(chunks: number, size: number) {
  const pulled = { chunks: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.chunks === chunks) {
        controller.close();
        return;
      }
      pulled.chunks += 1;
      controller.enqueue(new Uint8Array(size));
    },
  });
  return { body, pulled };
}

async function failure(promise: Promise<unknown>): Promise<BlobError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof BlobError)) throw new Error(`expected a BlobError, got ${String(error)}`);
  return error;
}

describe('artifact blobs', () => {
  it('refuses a download whose Content-Length is over the cap, without reading it', async () => {
    const { body, pulled } = stream(100, 1024);
    const fetch = serving(() => new Response(body, { headers: { 'content-length': String(100 * 1024) } }));
    const error = await failure(getBlob(SIGNED, { fetch, maxBytes: 4096 }));
    expect(error.message).toBe(
      'download from https://results.blob.example/actions-results/run/job/state.zip: larger than 4096 bytes, ' +
        'more than a state artifact holds',
    );
    expect(pulled.chunks).toBeLessThanOrEqual(1);
  });

  it('stops reading a download that states no length once it passes the cap', async () => {
    const { body, pulled } = stream(1000, 1024);
    const fetch = serving(() => new Response(body));
    const error = await failure(getBlob(SIGNED, { fetch, maxBytes: 8 * 1024 }));
    expect(error.message).toMatch(/larger than 8192 bytes/);
    expect(pulled.chunks).toBeLessThan(20);
  });

  it('reads a download at the cap whole', async () => {
    const { body } = stream(4, 1024);
    const bytes = await getBlob(SIGNED, { fetch: serving(() => new Response(body)), maxBytes: 4096 });
    expect(bytes.length).toBe(4096);
  });

  it.each([
    [
      'an upload',
      () => putBlob('http://[::1/state.zip?sv=1&sig=SECRETSIG', Buffer.from('x'), 'application/zip'),
    ],
    ['a download', () => getBlob('http://[::1/state.zip?sv=1&sig=SECRETSIG')],
  ])('reports %s to an unparsable URL with a fixed message, never the URL', async (_, send) => {
    const error = await failure(send());
    expect(error.message).toMatch(/^(upload to|download from) \(an unparsable URL\): not sent$/);
    expect(`${error.message}\n${error.stack ?? ''}`).not.toContain('SECRETSIG');
  });

  it('keeps the signature out of a network error that quotes the URL', async () => {
    const fetch: typeof globalThis.fetch = async (input) => {
      throw new TypeError(`connect ECONNREFUSED for ${String(input)}`);
    };
    const error = await failure(getBlob(SIGNED, { fetch, attempts: 1 }));
    expect(error.message).not.toContain('SECRETSIG');
    expect(error.message).toContain('state.zip: the request failed');
  });
});
