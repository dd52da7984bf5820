import { createHash } from 'node:crypto';

/**
 * The bytes of an artifact, to and from the blob storage behind the signed URLs that the results
 * service (upload) and the REST API's redirect (download) hand out. A signed URL is a credential:
 * its query (the signature) never appears in an error, and no GitHub token is ever sent with it.
 *
 * A manifest is small, so an upload is one Put Blob rather than the staged blocks
 * @azure/storage-blob uses for streams of any size; Content-MD5 makes the service check the bytes.
 */

/** The Azure Storage REST version the requests are written against. */
const STORAGE_VERSION = '2024-11-04';
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export interface BlobOptions {
  readonly fetch?: typeof globalThis.fetch;
  /** Tries on 408/429/5xx and network errors (default 3). */
  readonly attempts?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  /** Per request, default 60 s. */
  readonly timeoutMs?: number;
}

export class BlobError extends Error {
  override readonly name = 'BlobError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The URL without its query: where, never the signature. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function send(what: string, url: string, init: RequestInit, options: BlobOptions): Promise<Response> {
  const attempts = options.attempts ?? 3;
  const delay = options.retryDelayMs ?? ((n: number) => 500 * 2 ** (n - 2));
  let last = new BlobError(0, `${what} ${withoutQuery(url)}: no attempt made`);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(delay(attempt));
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(url, {
        ...init,
        // Following a redirect could carry the request somewhere the signature was not meant for.
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      last = new BlobError(0, `${what} ${withoutQuery(url)}: ${detail}`);
      continue;
    }
    if (response.ok) return response;
    // Azure answers errors in XML: its <Code> is the useful part, and it holds no secret.
    const text = await response.text().catch(() => '');
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? response.statusText;
    last = new BlobError(response.status, `${what} ${withoutQuery(url)}: HTTP ${response.status} ${code}`);
    if (!RETRYABLE.has(response.status)) throw last;
  }
  throw last;
}

/** Uploads `bytes` as the block blob at a signed upload URL. */
export async function putBlob(
  signedUrl: string,
  bytes: Buffer,
  contentType: string,
  options: BlobOptions = {},
): Promise<void> {
  await send(
    'upload to',
    signedUrl,
    {
      method: 'PUT',
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-version': STORAGE_VERSION,
        'x-ms-blob-content-type': contentType,
        'content-type': contentType,
        'content-md5': createHash('md5').update(bytes).digest('base64'),
      },
      body: bytes,
    },
    options,
  );
}

/** Downloads the blob at a signed URL. */
export async function getBlob(signedUrl: string, options: BlobOptions = {}): Promise<Buffer> {
  const response = await send('download from', signedUrl, { method: 'GET' }, options);
  return Buffer.from(await response.arrayBuffer());
}
