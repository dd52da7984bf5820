import { z } from 'zod';

/**
 * The Actions results service, the backend behind actions/upload-artifact v4+: Twirp over JSON at
 * `$ACTIONS_RESULTS_URL/twirp/github.actions.results.api.v1.ArtifactService/<Method>`, authorized
 * by the job's ACTIONS_RUNTIME_TOKEN. The messages are those @actions/artifact sends (protobuf JSON
 * with the proto field names, int64 as strings). It is spoken here directly rather than through
 * @actions/artifact because that client reads the token and URL from process.env and logs through
 * @actions/core, while sweepwatch keeps both to src/action/ and passes them in.
 *
 * The token names the run it belongs to: its `scp` claim holds
 * `Actions.Results:<workflow run backend id>:<job run backend id>`, the ids every call carries.
 */

const SERVICE = 'github.actions.results.api.v1.ArtifactService';
/** What @actions/artifact 6.x sends; the service accepts zips and raw files from version 7. */
const ARTIFACT_VERSION = 7;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/** Refused before anything was done: the one answer after which any call may be sent again. */
const THROTTLED = 429;

export interface BackendIds {
  readonly runBackendId: string;
  readonly jobBackendId: string;
}

/** Reads the backend ids from the token's `scp` claim; never echoes the token in an error. */
export function backendIdsFromToken(token: string): BackendIds {
  const invalid = new Error('ACTIONS_RUNTIME_TOKEN is not a runtime token with an Actions.Results scope');
  const payload = token.split('.')[1];
  if (payload === undefined) throw invalid;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const scp = typeof claims === 'object' && claims !== null ? Reflect.get(claims, 'scp') : undefined;
  if (typeof scp !== 'string') throw invalid;
  for (const scope of scp.split(' ')) {
    const parts = scope.split(':');
    if (parts[0] !== 'Actions.Results') continue;
    const [, run, job] = parts;
    if (parts.length !== 3 || !run || !job) throw invalid;
    return { runBackendId: run, jobBackendId: job };
  }
  throw invalid;
}

export class ResultsServiceError extends Error {
  override readonly name = 'ResultsServiceError';
  constructor(
    readonly method: string,
    readonly status: number,
    /** Twirp's error code (`already_exists`, `not_found`, ...), or '' when the body had none. */
    readonly code: string,
    message: string,
  ) {
    super(`Actions results service ${method}: ${message}`);
  }

  /** No answer, or a 5xx: the call may or may not have taken effect. */
  get outcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

/** An artifact of this workflow run, as the service lists it. */
export interface RunArtifact extends BackendIds {
  readonly id: number;
  readonly name: string;
}

export interface ResultsServiceOptions {
  /** ACTIONS_RESULTS_URL; only its origin is used, as @actions/artifact does. */
  readonly url: string;
  /** ACTIONS_RUNTIME_TOKEN. */
  readonly token: string;
  readonly fetch?: typeof globalThis.fetch;
  /**
   * Tries per call (default 4): listing and deleting on 429, 5xx and network errors; creating and
   * finalizing on 429 only, since they are not idempotent (see call()).
   */
  readonly attempts?: number;
  /** Wait before try n ≥ 2 (default 1 s, 2 s, 4 s...). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Per request, default 30 s. */
  readonly timeoutMs?: number;
}

const int64 = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const createResponse = z.object({ ok: z.boolean().optional(), signed_upload_url: z.string().url() });
const finalizeResponse = z.object({ ok: z.boolean().optional(), artifact_id: int64 });
const listResponse = z.object({
  artifacts: z
    .array(
      z.object({
        workflow_run_backend_id: z.string(),
        workflow_job_run_backend_id: z.string(),
        database_id: int64,
        name: z.string(),
      }),
    )
    .optional(),
});
const twirpError = z.object({ code: z.string().optional(), msg: z.string().optional() });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ResultsService {
  readonly ids: BackendIds;
  private readonly origin: string;

  constructor(private readonly options: ResultsServiceOptions) {
    this.ids = backendIdsFromToken(options.token);
    this.origin = new URL(options.url).origin;
  }

  /** Starts an artifact of this job; returns the signed URL its bytes go to. */
  async createArtifact(name: string, expiresAt: Date | null): Promise<string> {
    const body = {
      ...this.owner(),
      name,
      ...(expiresAt === null ? {} : { expires_at: expiresAt.toISOString() }),
      version: ARTIFACT_VERSION,
      mime_type: 'application/zip',
    };
    const reply = createResponse.safeParse(await this.call('CreateArtifact', body, false));
    if (!reply.success || reply.data.ok === false) throw this.invalid('CreateArtifact');
    return reply.data.signed_upload_url;
  }

  /**
   * Makes the uploaded bytes an artifact, visible to the REST API; returns its id. Sent once: when
   * the outcome is unknown (error.outcomeUnknown), the run's listing tells whether it landed.
   */
  async finalizeArtifact(name: string, size: number, sha256Hex: string): Promise<number> {
    const body = { ...this.owner(), name, size: String(size), hash: `sha256:${sha256Hex}` };
    const reply = finalizeResponse.safeParse(await this.call('FinalizeArtifact', body, false));
    if (!reply.success || reply.data.ok === false) throw this.invalid('FinalizeArtifact');
    return reply.data.artifact_id;
  }

  /** Every artifact of this workflow run (all its jobs). */
  async listRunArtifacts(): Promise<RunArtifact[]> {
    const reply = listResponse.safeParse(await this.call('ListArtifacts', this.owner(), true));
    if (!reply.success) throw this.invalid('ListArtifacts');
    return (reply.data.artifacts ?? []).map((a) => ({
      id: a.database_id,
      name: a.name,
      runBackendId: a.workflow_run_backend_id,
      jobBackendId: a.workflow_job_run_backend_id,
    }));
  }

  /** Deletes an artifact of this run; true when it was there. */
  async deleteArtifact(artifact: RunArtifact): Promise<boolean> {
    const body = {
      workflow_run_backend_id: artifact.runBackendId,
      workflow_job_run_backend_id: artifact.jobBackendId,
      name: artifact.name,
    };
    try {
      // Idempotent enough: a retry after a lost success answers not_found, which is false here.
      await this.call('DeleteArtifact', body, true);
      return true;
    } catch (error) {
      if (error instanceof ResultsServiceError && error.code === 'not_found') return false;
      throw error;
    }
  }

  private owner() {
    return {
      workflow_run_backend_id: this.ids.runBackendId,
      workflow_job_run_backend_id: this.ids.jobBackendId,
    };
  }

  private invalid(method: string): ResultsServiceError {
    return new ResultsServiceError(method, 200, '', 'the reply is not what the protocol describes');
  }

  /**
   * One Twirp call. An idempotent one is retried on 429, 5xx and network errors. One that is not
   * (CreateArtifact, FinalizeArtifact) is retried on 429 only: after a 5xx or a lost connection it
   * may have taken effect, and a second call would then fail (the name is taken, nothing is
   * pending) although the first succeeded; the caller resolves that outcome instead.
   */
  private async call(method: string, body: object, idempotent: boolean): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    const delay = this.options.retryDelayMs ?? ((n: number) => 1000 * 2 ** (n - 2));
    let last: Error = new Error('no attempt made');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(delay(attempt));
      let response: Response;
      try {
        response = await (this.options.fetch ?? globalThis.fetch)(
          `${this.origin}/twirp/${SERVICE}/${method}`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${this.options.token}`,
              'content-type': 'application/json',
              'user-agent': 'sweepwatch',
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          },
        );
      } catch (error) {
        // Network errors carry no secrets (the token is a header), but keep only the message.
        const detail = error instanceof Error ? error.message : String(error);
        last = new ResultsServiceError(method, 0, 'unavailable', `request failed: ${detail}`);
        if (!idempotent) throw last;
        continue;
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? {} : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (response.ok) {
        if (json === undefined) throw this.invalid(method);
        return json;
      }
      const error = twirpError.safeParse(json);
      const code = error.success ? (error.data.code ?? '') : '';
      const msg = error.success && error.data.msg ? `: ${error.data.msg.slice(0, 300)}` : '';
      last = new ResultsServiceError(method, response.status, code, `HTTP ${response.status} ${code}${msg}`);
      const retry = idempotent ? RETRYABLE.has(response.status) : response.status === THROTTLED;
      if (!retry) throw last;
    }
    throw last;
  }
}
