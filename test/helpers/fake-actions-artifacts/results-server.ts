import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from '../loopback-server.js';
import type { ArtifactBackend, ArtifactRecord, RunInfo } from './backend.js';
import { signBlobUrl } from './blob-sas.js';
import { verifyRuntimeToken } from './runtime-token.js';
import { isMethod, MESSAGES, type MessageOf, type Method } from './twirp-messages.js';
import type { Violations } from './violations.js';

/**
 * The fake Actions results service: Twirp JSON on
 * `/twirp/github.actions.results.api.v1.ArtifactService/<Method>`. It checks what the real one
 * checks (the bearer runtime token, the run its ids belong to, one name per run) and what a
 * client could get wrong (unknown or missing fields, wrong types, finalizing bytes that were never
 * uploaded or a size and hash that do not match them), answering with Twirp errors.
 */

const PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
const UPLOAD_URL_TTL_MS = 6 * 3600_000;

interface TwirpReply {
  readonly status: number;
  readonly body: unknown;
}

const twirpError = (status: number, code: string, msg: string): TwirpReply => ({
  status,
  body: { code, msg },
});

export interface ResultsCall {
  readonly method: string;
  readonly status: number;
  readonly body: unknown;
}

export interface ResultsFault {
  readonly method: Method;
  readonly status: number;
  readonly code: string;
  readonly times?: number;
  /**
   * Carry the call out, then answer with the fault anyway: the service acted but the answer was
   * lost (a gateway timeout), where a blind retry of a call that is not idempotent goes wrong.
   */
  readonly applied?: boolean;
}

/** Which call, and of which run: a test that parks writers tells them apart by run. */
export type CallHook = (method: Method, run: RunInfo) => Promise<void>;

export class FakeResultsServer {
  private readonly http = new LoopbackServer(
    (req, res) => this.serve(req, res),
    (req, error) => this.violations.record('results', req.url ?? '', `fake crashed: ${String(error)}`),
  );
  private base = '';
  readonly calls: ResultsCall[] = [];
  private readonly faults: { spec: ResultsFault; left: number }[] = [];
  /** Awaited before a call is handled: a test parks writers here to force an interleaving. */
  beforeHandle: CallHook | null = null;
  /** Awaited after a call is handled, before it is answered: the call has taken effect. */
  afterHandle: CallHook | null = null;

  constructor(
    private readonly backend: ArtifactBackend,
    private readonly violations: Violations,
    private readonly tokenSecret: string,
    private readonly blobSecret: string,
    private readonly blobBase: () => string,
  ) {}

  get url(): string {
    return this.base;
  }

  inject(spec: ResultsFault): void {
    this.faults.push({ spec, left: spec.times ?? 1 });
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
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    const reply = await this.handle(req, method, Buffer.concat(chunks).toString('utf8'));
    this.calls.push({ method, status: reply.status, body: reply.body });
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
  }

  private refuse(where: string, status: number, code: string, problem: string): TwirpReply {
    this.violations.record('results', where, problem);
    return twirpError(status, code, problem);
  }

  private async handle(req: IncomingMessage, method: string, raw: string): Promise<TwirpReply> {
    if (req.method !== 'POST' || !isMethod(method)) {
      return this.refuse(method || (req.url ?? ''), 404, 'bad_route', `no method ${req.method} ${req.url}`);
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return this.refuse(method, 404, 'bad_route', 'Twirp JSON needs content-type application/json');
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const ids = bearer === undefined ? null : verifyRuntimeToken(this.tokenSecret, bearer);
    const run = ids === null ? undefined : this.backend.run(ids.runBackendId);
    if (ids === null || run === undefined) {
      return this.refuse(method, 401, 'unauthenticated', 'missing or invalid runtime token');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.refuse(method, 400, 'malformed', 'the body is not JSON');
    }
    const parsed = MESSAGES[method].safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`);
      return this.refuse(method, 400, 'invalid_argument', problems.join('; '));
    }
    const body = parsed.data;
    if (body.workflow_run_backend_id !== ids.runBackendId) {
      return this.refuse(method, 403, 'permission_denied', 'the ids are not those of the token’s run');
    }
    // Deleting may name an artifact of another job of the run; everything else is this job's.
    if (method !== 'DeleteArtifact' && body.workflow_job_run_backend_id !== ids.jobBackendId) {
      return this.refuse(method, 403, 'permission_denied', 'the job id is not the token’s job');
    }
    const fault = this.faults.find((f) => f.spec.method === method);
    if (fault) {
      fault.left -= 1;
      if (fault.left <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (!fault.spec.applied) return twirpError(fault.spec.status, fault.spec.code, 'injected fault');
    }
    await this.beforeHandle?.(method, run);
    const reply = this.dispatch(method, run, body);
    await this.afterHandle?.(method, run);
    return fault ? twirpError(fault.spec.status, fault.spec.code, 'injected fault') : reply;
  }

  private dispatch(method: Method, run: RunInfo, body: unknown): TwirpReply {
    switch (method) {
      case 'CreateArtifact':
        return this.create(run, body as MessageOf<'CreateArtifact'>);
      case 'FinalizeArtifact':
        return this.finalize(run, body as MessageOf<'FinalizeArtifact'>);
      case 'ListArtifacts':
        return this.list(run, body as MessageOf<'ListArtifacts'>);
      case 'DeleteArtifact':
        return this.delete(run, body as MessageOf<'DeleteArtifact'>);
    }
  }

  private create(run: RunInfo, body: MessageOf<'CreateArtifact'>): TwirpReply {
    const record = this.backend.create(run, run.jobBackendId, body.name, body.expires_at ?? null);
    if (record === null) {
      return twirpError(
        409,
        'already_exists',
        'an artifact with this name already exists on the workflow run',
      );
    }
    const url = signBlobUrl(this.blobBase(), this.blobSecret, record.blobPath, 'cw', UPLOAD_URL_TTL_MS);
    return { status: 200, body: { ok: true, signed_upload_url: url } };
  }

  private finalize(run: RunInfo, body: MessageOf<'FinalizeArtifact'>): TwirpReply {
    const record = this.backend.pending(run, body.name);
    if (!record) return this.refuse('FinalizeArtifact', 404, 'not_found', `no pending artifact ${body.name}`);
    const blob = this.backend.blobs.get(record.blobPath);
    if (!blob) return this.refuse('FinalizeArtifact', 412, 'failed_precondition', 'nothing was uploaded');
    const size = Number(body.size ?? '0');
    if (size !== blob.bytes.length) {
      return this.refuse(
        'FinalizeArtifact',
        400,
        'invalid_argument',
        `size ${size}, uploaded ${blob.bytes.length}`,
      );
    }
    const digest = `sha256:${createHash('sha256').update(blob.bytes).digest('hex')}`;
    if (body.hash !== undefined && body.hash !== digest) {
      return this.refuse(
        'FinalizeArtifact',
        400,
        'invalid_argument',
        'the hash is not that of the uploaded bytes',
      );
    }
    const id = this.backend.finalize(record, size, digest);
    return { status: 200, body: { ok: true, artifact_id: String(id) } };
  }

  private list(run: RunInfo, body: MessageOf<'ListArtifacts'>): TwirpReply {
    const artifacts = this.backend
      .ofRun(run)
      .filter((r) => body.name_filter === undefined || r.name === body.name_filter)
      .filter((r) => body.id_filter === undefined || String(r.id) === body.id_filter)
      .map((r: ArtifactRecord) => ({
        workflow_run_backend_id: r.run.runBackendId,
        workflow_job_run_backend_id: r.jobBackendId,
        database_id: String(r.id),
        name: r.name,
        size: String(r.size),
        created_at: r.createdAt,
        ...(r.digest === null ? {} : { digest: r.digest }),
      }));
    return { status: 200, body: { artifacts } };
  }

  private delete(run: RunInfo, body: MessageOf<'DeleteArtifact'>): TwirpReply {
    const record = this.backend.ofRun(run).find((r) => r.name === body.name);
    if (record !== undefined && record.jobBackendId !== body.workflow_job_run_backend_id) {
      return this.refuse('DeleteArtifact', 403, 'permission_denied', 'the job id is not the artifact’s job');
    }
    const id = this.backend.delete(run, body.name);
    if (id === null) return twirpError(404, 'not_found', `artifact ${body.name} not found`);
    return { status: 200, body: { ok: true, artifact_id: String(id) } };
  }
}
