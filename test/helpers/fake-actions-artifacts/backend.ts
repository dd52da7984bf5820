import { createHash } from 'node:crypto';

/**
 * What the fake Actions artifact backend knows: workflow runs (each with the backend ids its
 * runtime token carries), artifacts, and the committed blobs behind them. The results service,
 * the blob storage and the REST endpoints of the fake GitHub all read and write this one state,
 * the way the real ones share a database.
 *
 * Modelled rules: a name can be created once per workflow run (409 already_exists, as
 * upload-artifact v4+ users know it); an artifact is visible (REST, ListArtifacts) only once
 * finalized. Ids are assigned at finalize, so they grow in finalize order, unless `idsAt` is
 * 'create': GitHub does not document which, and the store must be right under both.
 */

export interface RunInfo {
  readonly runId: number;
  readonly runBackendId: string;
  readonly jobBackendId: string;
  readonly owner: string;
  readonly repo: string;
  readonly repositoryId: number;
  /** Differs from repositoryId for a pull request from a fork. */
  readonly headRepositoryId: number;
  readonly headBranch: string;
  readonly headSha: string;
}

export interface StoredBlob {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface ArtifactRecord {
  readonly name: string;
  readonly run: RunInfo;
  /** The job that created it (a run's artifacts may come from several jobs). */
  readonly jobBackendId: string;
  readonly blobPath: string;
  state: 'pending' | 'finalized' | 'deleted';
  id: number | null;
  size: number;
  digest: string | null;
  createdAt: string | null;
  expiresAt: string | null;
  readonly requestedExpiry: string | null;
}

export interface NewRun {
  readonly runId: number;
  readonly owner?: string;
  readonly repo?: string;
  /** A pull request from a fork: its head repository is another one. */
  readonly fork?: boolean;
  /**
   * The branch the run is on (default `main`, the repository's default branch): another one is a
   * run of the same repository on a side branch, such as Dependabot's or a pull request's.
   */
  readonly headBranch?: string;
}

const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 90;

/** GitHub's JSON timestamps: whole seconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ArtifactBackend {
  readonly blobs = new Map<string, StoredBlob>();
  private readonly runs = new Map<string, RunInfo>();
  private readonly records: ArtifactRecord[] = [];
  private readonly repositoryIds = new Map<string, number>();
  private lastId = 7000;
  private lastBackend = 0;
  /** Added to Date.now(): tests move time forward instead of waiting for expiry. */
  offsetMs = 0;
  /** When an artifact gets its id: at FinalizeArtifact (default) or already at CreateArtifact. */
  idsAt: 'finalize' | 'create' = 'finalize';

  now(): number {
    return Date.now() + this.offsetMs;
  }

  private backendId(): string {
    this.lastBackend += 1;
    return `00000000-0000-4000-8000-${String(this.lastBackend).padStart(12, '0')}`;
  }

  private repositoryId(owner: string, repo: string): number {
    const key = `${owner}/${repo}`.toLowerCase();
    let id = this.repositoryIds.get(key);
    if (id === undefined) {
      id = 900 + this.repositoryIds.size;
      this.repositoryIds.set(key, id);
    }
    return id;
  }

  addRun(options: NewRun): RunInfo {
    const owner = options.owner ?? 'acme';
    const repo = options.repo ?? 'sweeps';
    const repositoryId = this.repositoryId(owner, repo);
    const run: RunInfo = {
      runId: options.runId,
      runBackendId: this.backendId(),
      jobBackendId: this.backendId(),
      owner,
      repo,
      repositoryId,
      headRepositoryId: options.fork ? repositoryId + 100_000 : repositoryId,
      headBranch: options.headBranch ?? (options.fork ? 'patch-1' : 'main'),
      headSha: createHash('sha1').update(String(options.runId)).digest('hex'),
    };
    this.runs.set(run.runBackendId, run);
    return run;
  }

  run(runBackendId: string): RunInfo | undefined {
    return this.runs.get(runBackendId);
  }

  private live(run: RunInfo, name: string): ArtifactRecord | undefined {
    return this.records.find(
      (r) => r.state !== 'deleted' && r.run.runBackendId === run.runBackendId && r.name === name,
    );
  }

  /** A new pending artifact, or null when the run already has one of that name. */
  create(run: RunInfo, jobBackendId: string, name: string, expiresAt: string | null): ArtifactRecord | null {
    if (this.live(run, name) !== undefined) return null;
    const record: ArtifactRecord = {
      name,
      run,
      jobBackendId,
      blobPath: `/devstoreaccount1/actions-results/${run.runBackendId}/${jobBackendId}/${encodeURIComponent(name)}.zip`,
      state: 'pending',
      id: this.idsAt === 'create' ? this.nextId() : null,
      size: 0,
      digest: null,
      createdAt: null,
      expiresAt: null,
      requestedExpiry: expiresAt,
    };
    this.records.push(record);
    return record;
  }

  pending(run: RunInfo, name: string): ArtifactRecord | undefined {
    const record = this.live(run, name);
    return record?.state === 'pending' ? record : undefined;
  }

  private nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  finalize(record: ArtifactRecord, size: number, digest: string): number {
    const id = record.id ?? this.nextId();
    const now = this.now();
    record.state = 'finalized';
    record.id = id;
    record.size = size;
    record.digest = digest;
    record.createdAt = isoSeconds(now);
    record.expiresAt = record.requestedExpiry ?? isoSeconds(now + DEFAULT_RETENTION_DAYS * DAY_MS);
    return id;
  }

  /** Finalized artifacts of a run (all its jobs), oldest first. */
  ofRun(run: RunInfo): ArtifactRecord[] {
    return this.records.filter((r) => r.state === 'finalized' && r.run.runBackendId === run.runBackendId);
  }

  /** Deletes the finalized artifact of that name in the run; its id, or null when there is none. */
  delete(run: RunInfo, name: string): number | null {
    const record = this.live(run, name);
    if (record?.state !== 'finalized') return null;
    record.state = 'deleted';
    this.blobs.delete(record.blobPath);
    return record.id;
  }

  /** Deletes a finalized artifact of any run by id, as the REST API does; false when there is none. */
  deleteById(id: number): boolean {
    const record = this.byId(id);
    if (record === undefined) return false;
    record.state = 'deleted';
    this.blobs.delete(record.blobPath);
    return true;
  }

  /** The repository's finalized artifacts, newest first, as the REST API lists them. */
  ofRepository(owner: string, repo: string): ArtifactRecord[] {
    const key = `${owner}/${repo}`.toLowerCase();
    return this.records
      .filter((r) => r.state === 'finalized' && `${r.run.owner}/${r.run.repo}`.toLowerCase() === key)
      .sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  }

  byId(id: number): ArtifactRecord | undefined {
    return this.records.find((r) => r.id === id && r.state === 'finalized');
  }

  expired(record: ArtifactRecord): boolean {
    return record.expiresAt !== null && Date.parse(record.expiresAt) <= this.now();
  }

  /** Every artifact ever finalized, deleted ones included: what uploads cost. */
  finalizedCount(): number {
    return this.records.filter((r) => r.createdAt !== null).length;
  }
}
