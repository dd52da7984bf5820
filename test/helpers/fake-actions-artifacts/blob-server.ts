import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../loopback-server.js';
import type { ArtifactBackend } from './backend.js';
import { sasProblem } from './blob-sas.js';
import type { Violations } from './violations.js';

/**
 * The fake blob storage behind the signed URLs: the Azure Storage operations artifact clients
 * call. Put Blob (one request, what sweepwatch sends), Put Block + Put Block List (what
 * @azure/storage-blob's uploadStream sends, used by @actions/artifact) and Get Blob. Each request
 * must carry a valid shared-access signature for its blob and permission, and no Authorization
 * header: a credential sent to storage is a leak, recorded as a violation.
 */

export interface BlobRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters other than the signature's. */
  readonly comp: string | null;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface BlobReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

function storageError(status: number, code: string, message: string): BlobReply {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: Buffer.from(xml),
  };
}

const etag = (bytes: Buffer) =>
  `"0x${createHash('sha1').update(bytes).digest('hex').slice(0, 16).toUpperCase()}"`;

export class FakeBlobServer {
  private readonly http = new LoopbackServer(
    (req, res) => this.serve(req, res),
    (req, error) => this.violations.record('blob', req.url ?? '', `fake crashed: ${String(error)}`),
  );
  private base = '';
  readonly requests: BlobRequest[] = [];
  private readonly staged = new Map<string, Map<string, Buffer>>();
  /** The next `n` requests of `method` fail with `status` (a 500 from storage, say). */
  private faults: { method: string; status: number; left: number }[] = [];

  constructor(
    private readonly backend: ArtifactBackend,
    private readonly violations: Violations,
    private readonly secret: string,
  ) {}

  get url(): string {
    return this.base;
  }

  inject(method: 'GET' | 'PUT', status: number, times = 1): void {
    this.faults.push({ method, status, left: times });
  }

  async listen(): Promise<void> {
    this.base = `${await this.http.listen()}/`;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.base);
    const reply = this.handle(req, url, Buffer.concat(chunks));
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      comp: url.searchParams.get('comp'),
      status: reply.status,
      headers: req.headers,
    });
    const body = reply.body ?? Buffer.alloc(0);
    res.writeHead(reply.status, {
      'x-ms-request-id': Math.random().toString(16).slice(2),
      'x-ms-version': url.searchParams.get('sv') ?? '',
      date: new Date().toUTCString(),
      'content-length': String(body.length),
      ...reply.headers,
    });
    res.end(body);
  }

  private handle(req: IncomingMessage, url: URL, body: Buffer): BlobReply {
    const where = `${req.method} ${url.pathname}`;
    if (req.headers.authorization !== undefined) {
      this.violations.record('blob', where, 'an Authorization header was sent to blob storage');
    }
    const fault = this.faults.find((f) => f.method === req.method);
    if (fault) {
      fault.left -= 1;
      if (fault.left <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return storageError(fault.status, 'InternalError', 'injected fault');
    }
    const need = req.method === 'GET' ? 'r' : 'w';
    const problem = sasProblem(this.secret, url, need);
    if (problem !== null) {
      return storageError(403, 'AuthenticationFailed', problem);
    }
    if (req.method === 'GET') return this.get(url.pathname);
    if (req.method !== 'PUT') {
      this.violations.record('blob', where, 'artifact clients only PUT and GET');
      return storageError(405, 'UnsupportedHttpVerb', `${req.method} is not used`);
    }
    if (!req.headers['x-ms-version']) {
      this.violations.record('blob', where, 'no x-ms-version header');
      return storageError(400, 'MissingRequiredHeader', 'x-ms-version');
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') return this.putBlock(url, body, where);
    if (comp === 'blocklist') return this.putBlockList(req, url.pathname, body, where);
    if (comp !== null) {
      this.violations.record('blob', where, `comp=${comp} is not an upload operation`);
      return storageError(400, 'InvalidQueryParameterValue', `comp=${comp}`);
    }
    return this.putBlob(req, url.pathname, body, where);
  }

  private putBlob(req: IncomingMessage, path: string, body: Buffer, where: string): BlobReply {
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      this.violations.record('blob', where, 'Put Blob needs x-ms-blob-type: BlockBlob');
      return storageError(400, 'MissingRequiredHeader', 'x-ms-blob-type');
    }
    const md5 = req.headers['content-md5'];
    const actual = createHash('md5').update(body).digest('base64');
    if (md5 !== undefined && md5 !== actual) return storageError(400, 'Md5Mismatch', 'Content-MD5 mismatch');
    return this.commit(req, path, body);
  }

  private putBlock(url: URL, body: Buffer, where: string): BlobReply {
    const blockId = url.searchParams.get('blockid');
    if (!blockId || Buffer.from(blockId, 'base64').toString('base64') !== blockId) {
      this.violations.record('blob', where, 'Put Block needs a base64 blockid');
      return storageError(400, 'InvalidQueryParameterValue', 'blockid');
    }
    const blocks = this.staged.get(url.pathname) ?? new Map<string, Buffer>();
    const lengths = new Set([...blocks.keys()].map((id) => id.length));
    if (lengths.size > 0 && !lengths.has(blockId.length)) {
      return storageError(400, 'InvalidBlobOrBlock', 'block ids of one blob must have the same length');
    }
    blocks.set(blockId, body);
    this.staged.set(url.pathname, blocks);
    return { status: 201, headers: { 'x-ms-request-server-encrypted': 'true' } };
  }

  private putBlockList(req: IncomingMessage, path: string, body: Buffer, where: string): BlobReply {
    const ids = [...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map(
      (m) => m[2] ?? '',
    );
    const blocks = this.staged.get(path);
    const parts = ids.map((id) => blocks?.get(id));
    if (!/<BlockList>/.test(body.toString('utf8')) || parts.some((p) => p === undefined)) {
      this.violations.record('blob', where, 'the block list names blocks that were not staged');
      return storageError(400, 'InvalidBlockList', 'unknown block');
    }
    this.staged.delete(path);
    return this.commit(req, path, Buffer.concat(parts.filter((p): p is Buffer => p !== undefined)));
  }

  private commit(req: IncomingMessage, path: string, bytes: Buffer): BlobReply {
    const typeHeader = req.headers['x-ms-blob-content-type'] ?? req.headers['content-type'];
    const contentType = typeof typeHeader === 'string' ? typeHeader : 'application/octet-stream';
    this.backend.blobs.set(path, { bytes, contentType });
    return {
      status: 201,
      headers: {
        etag: etag(bytes),
        'last-modified': new Date().toUTCString(),
        'content-md5': createHash('md5').update(bytes).digest('base64'),
        'x-ms-request-server-encrypted': 'true',
      },
    };
  }

  private get(path: string): BlobReply {
    const blob = this.backend.blobs.get(path);
    if (!blob) return storageError(404, 'BlobNotFound', 'The specified blob does not exist.');
    return {
      status: 200,
      headers: {
        'content-type': blob.contentType,
        etag: etag(blob.bytes),
        'x-ms-blob-type': 'BlockBlob',
        'last-modified': new Date().toUTCString(),
      },
      body: blob.bytes,
    };
  }
}
