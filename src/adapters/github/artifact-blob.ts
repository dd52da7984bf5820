import { createHash } from 'node:crypto';
import { MAX_ENTRY_BYTES } from './artifact-zip.js';

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
/**
 * What a download may be: a state zip is its one entry (at most MAX_ENTRY_BYTES, stored or
 * deflated) and a few hundred bytes of headers, well inside the 1 MiB added. Past it the body is
 * not read on, whatever it is.
 */
export const MAX_DOWNLOAD_BYTES = MAX_ENTRY_BYTES + 1024 * 1024;
const UNPARSABLE = '(an unparsable URL)';

export interface BlobOptions {
  readonly fetch?: typeof globalThis.fetch;
  /** Tries on 408/429/5xx and network errors (default 3). */
  readonly attempts?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  /** Per request, default 60 s. */
  readonly timeoutMs?: number;
  /** The largest download accepted (default MAX_DOWNLOAD_BYTES). */
  readonly maxBytes?: number;
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
    return UNPARSABLE;
  }
}

/**
 * A failed request's message, unless it holds the URL's query: undici's messages may quote the
 * URL they were given, and the query is the signature.
 */
function reason(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const query = url.indexOf('?');
  const signature = query === -1 ? '' : url.slice(query + 1);
  return signature !== '' && message.includes(signature) ? 'the request failed' : message;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function send(what: string, url: string, init: RequestInit, options: BlobOptions): Promise<Response> {
  const attempts = options.attempts ?? 3;
  const delay = options.retryDelayMs ?? ((n: number) => 500 * 2 ** (n - 2));
  if (withoutQuery(url) === UNPARSABLE) {
    // fetch's own error would quote the URL, signature and all: a fixed message instead.
    throw new BlobError(0, `${what} ${UNPARSABLE}: not sent`);
  }
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
      last = new BlobError(0, `${what} ${withoutQuery(url)}: ${reason(error, url)}`);
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

/**
 * Downloads the blob at a signed URL, refusing one larger than `maxBytes`: by its Content-Length
 * when it states one, and by counting the bytes as they come when it does not (or lies).
 */
export async function getBlob(signedUrl: string, options: BlobOptions = {}): Promise<Buffer> {
  const max = options.maxBytes ?? MAX_DOWNLOAD_BYTES;
  const response = await send('download from', signedUrl, { method: 'GET' }, options);
  const where = `download from ${withoutQuery(signedUrl)}`;
  const tooLarge = new BlobError(0, `${where}: larger than ${max} bytes, more than a state artifact holds`);
  const reader = response.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    await reader.cancel().catch(() => {});
    throw tooLarge;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await reader.read().catch((error: unknown) => {
      throw new BlobError(0, `${where}: the download broke off (${reason(error, signedUrl)})`);
    });
    if (chunk.done) return Buffer.concat(chunks, total);
    total += chunk.value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge;
    }
    chunks.push(chunk.value);
  }
}
