import { createHash } from 'node:crypto';
import { refuse } from '../../core/manifest-errors.js';
import type { Logger } from '../../ports/logger.js';
import type { SaveResult, TextStore, VersionedText } from '../../ports/text-store.js';
import { type BlobOptions, putBlob } from './artifact-blob.js';
import {
  deleteRepoArtifact,
  downloadArtifact,
  listStateArtifacts,
  type StateArtifact,
} from './artifact-listing.js';
import { MANIFEST_ENTRY, readZipEntry, ZipError, zipSingleFile } from './artifact-zip.js';
import { type GitHubRepo, httpStatus } from './octokit.js';
import { type ResultsService, ResultsServiceError, type RunArtifact } from './results-service.js';

/**
 * TextStore as workflow artifacts: every save uploads a new artifact holding one file,
 * `manifest.json`, and a load takes the newest artifact of the state's name across the runs of the
 * repository on its default branch (artifact-listing.ts says why no other run is trusted). The
 * version is the artifact's id.
 *
 * Two names, because the results service lets a run upload a name only once and a run saves many
 * times: a run alternates between `sweepwatch-state-<experiment>` and `…+1`. After a save lands it
 * deletes the artifact it superseded (`expectedVersion`, through the REST API since another run
 * uploaded it; needs `actions: write`) and this run's own previous one, so the repository keeps one
 * state artifact per experiment instead of one per run until the retention ends. Both deletions are
 * best effort: one that fails is a warning and leaves an old artifact behind, never a failed save.
 *
 * Compare-and-swap is emulated, and it is NOT atomic. Artifacts have no conditional write, so a
 * save checks, then writes:
 *  1. before uploading, it lists the state's artifacts; if the newest is not `expectedVersion`,
 *     it is a conflict and nothing is uploaded;
 *  2. after finalizing, it lists again; ANY other state artifact with an id above
 *     `expectedVersion` means another writer started from the same version, so this one withdraws
 *     its artifact (deletes it) and reports a conflict, and saveWithRetry re-applies its
 *     transitions on whatever is newest then. Whether ids are given at CreateArtifact or at
 *     finalize is not documented: were only ids between `expectedVersion` and its own counted, a
 *     writer created first and finalized last would miss the other and both would keep their
 *     saves, the lower one silently lost. Counting every id above it, two writers whose listings
 *     each see the other both withdraw, and both retry after saveWithRetry's jittered backoff: safe,
 *     only slower. Of two overlapping saves at least one sees the other (a listing follows its own
 *     finalize), so two never both keep theirs.
 *  3. after finalizing, a save whose `expectedVersion` is no longer listed withdraws too: it was
 *     built on a loser's artifact read between that loser's finalize and its withdrawal (two
 *     writers that both withdrew can do this to each other on their retries), so it carries the
 *     loser's change, which the loser makes again.
 * What remains open: a withdrawal that lands after such a save's own listing goes unseen, and
 * the loser's change is then saved twice (a transition that refuses it fails the loser's run), or
 * a third writer's build on it drops the winner's change; a loser that crashes before its
 * withdrawal, or cannot delete, stays the newest (the latter fails the run, naming both
 * artifacts). It relies on the REST listing showing a finalized artifact at once. All of it
 * needs two runs of the same experiment to overlap; the example workflows' `concurrency` group
 * queues runs instead, so it takes a run from outside that group.
 *
 * FinalizeArtifact is not idempotent, so it is sent once (results-service.ts); when its answer is
 * lost, the run's own listing tells whether it landed.
 *
 * Retention: artifacts get the repository's retention (90 days unless configured) unless
 * `retentionDays` is given. Every save starts a new retention period, but a sweep whose manifest
 * does not change for longer than that loses its state: an expired newest artifact is refused
 * (an older one would silently roll the sweep back), and never overwritten.
 */

export interface ArtifactStoreOptions {
  readonly experiment: string;
  /**
   * The repository's default branch: only artifacts uploaded by runs on it are loaded. The Action
   * takes it from the event, so that it costs no request.
   */
  readonly defaultBranch: string;
  /** Where a clean-up that failed is reported (the save itself still succeeds). */
  readonly logger?: Pick<Logger, 'warning'>;
  /** The results service of this job (its token names the run); only these calls are used. */
  readonly results: Pick<
    ResultsService,
    'ids' | 'createArtifact' | 'finalizeArtifact' | 'listRunArtifacts' | 'deleteArtifact'
  >;
  readonly retentionDays?: number;
  readonly blob?: BlobOptions;
  readonly now?: () => number;
}

/** `sweepwatch-state-<experiment>`: an experiment id is a slug, already valid in artifact names. */
export function artifactName(experiment: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(experiment)) {
    // Refused, not rewritten: two experiments must never share a state by sanitizing into one name.
    throw new Error(`invalid experiment name for a state artifact: ${JSON.stringify(experiment)}`);
  }
  return `sweepwatch-state-${experiment}`;
}

const CONFLICT: SaveResult = { ok: false, conflict: true };
/** Listing-then-download attempts when the newest artifact vanishes in between. */
const LOAD_ROUNDS = 3;

export class ArtifactTextStore implements TextStore {
  /** Both names; `+` cannot occur in an experiment id, so no other experiment's name collides. */
  readonly names: readonly [string, string];
  private readonly known = new Map<number, string>();
  private cached: { readonly id: number; readonly content: string } | null = null;

  constructor(
    private readonly gh: GitHubRepo,
    private readonly options: ArtifactStoreOptions,
  ) {
    const name = artifactName(options.experiment);
    this.names = [name, `${name}+1`];
  }

  /** Where a version is, for messages: `artifact <name> (id <id>) in <owner>/<repo>`. */
  describe(version: string): string {
    const id = Number(version);
    const name = this.known.get(id) ?? this.names[0];
    return `artifact ${name} (id ${version}) in ${this.gh.owner}/${this.gh.repo}`;
  }

  async load(): Promise<VersionedText | null> {
    for (let round = 1; round <= LOAD_ROUNDS; round++) {
      const newest = (await this.list(null))[0];
      if (newest === undefined) return null;
      if (newest.expired) throw this.expired(newest);
      if (this.cached?.id === newest.id) return { content: this.cached.content, version: String(newest.id) };
      const zip = await downloadArtifact(this.gh, newest.id, this.options.blob);
      if (zip === null) continue;
      const content = this.decode(newest, zip);
      this.cached = { id: newest.id, content };
      return { content, version: String(newest.id) };
    }
    throw new Error(
      `the newest state artifact of ${this.options.experiment} was deleted ${LOAD_ROUNDS} times while being read`,
    );
  }

  async save(content: string, expectedVersion: string | null): Promise<SaveResult> {
    const expected = expectedVersion === null ? 0 : Number(expectedVersion);
    if (!Number.isSafeInteger(expected)) return CONFLICT;
    const newest = (await this.list(null))[0];
    if ((newest?.id ?? 0) !== expected) return CONFLICT;

    const mine = (await this.options.results.listRunArtifacts())
      .filter((a) => this.names.includes(a.name))
      .sort((a, b) => b.id - a.id);
    const free = this.names.find((n) => !mine.some((a) => a.name === n));
    // Both names taken means a save of this run died before its clean-up: reuse the older one.
    const oldest = mine.at(-1);
    const target = free ?? oldest?.name ?? this.names[0];
    if (free === undefined && oldest !== undefined) await this.options.results.deleteArtifact(oldest);

    const zip = zipSingleFile(MANIFEST_ENTRY, Buffer.from(content, 'utf8'));
    const uploadUrl = await this.create(target);
    await putBlob(uploadUrl, zip, 'application/zip', this.options.blob);
    const id = await this.finalize(target, zip);
    this.known.set(id, target);

    // Paging down to `expected` (to id - 1 for a first save) sees every artifact above it.
    const after = await this.list(expected === 0 ? id - 1 : expected);
    const loser = { id, name: target, ...this.options.results.ids };
    const rival = after.find((a) => a.id !== id && a.id > expected);
    if (rival !== undefined) {
      await this.withdraw(loser, `lost a race with ${this.describe(String(rival.id))}`, rival.id);
      return CONFLICT;
    }
    // The state this save built on is gone: its writer withdrew it (it lost a race) after this
    // save had loaded it, so this save carries that writer's change, which it will make again.
    // (A superseded state is deleted only after a newer one landed: that one is a rival above.)
    if (expected !== 0 && !after.some((a) => a.id === expected)) {
      await this.withdraw(
        loser,
        `was built on ${this.describe(String(expected))}, which its writer withdrew`,
      );
      return CONFLICT;
    }
    for (const previous of mine.filter((a) => a.name !== target)) {
      // Clean-up only: a leftover is harmless (the next save of this run reuses its name), so a
      // failure here must not turn a save that landed into an error.
      await this.options.results.deleteArtifact(previous).catch(() => false);
    }
    // This run's own previous state went above; one of another run goes through the REST API.
    if (expected !== 0 && !mine.some((a) => a.id === expected)) await this.dropSuperseded(expected);
    this.cached = { id, content };
    return { ok: true, version: String(id) };
  }

  private async create(target: string): Promise<string> {
    try {
      return await this.options.results.createArtifact(target, this.expiry());
    } catch (error) {
      if (!(error instanceof ResultsServiceError && error.code === 'already_exists')) throw error;
      // Not a lost race between runs: the name is taken in this run by an artifact it does not
      // list, an upload of this run that never finished (or another job saving at this moment).
      // Retrying would only hit it again.
      throw new Error(
        `artifact ${target} already exists in this workflow run but is not finalized (an earlier save of ` +
          'this run stopped halfway, or another job of the run is saving): the next run saves normally',
      );
    }
  }

  /**
   * Finalizes the upload; its id. The call is sent once: when its answer is lost, the run's listing
   * tells whether it landed. The name was free when this save created it, so a finalized artifact
   * of that name in this run is this save's.
   */
  private async finalize(target: string, zip: Buffer): Promise<number> {
    const digest = createHash('sha256').update(zip).digest('hex');
    try {
      return await this.options.results.finalizeArtifact(target, zip.length, digest);
    } catch (error) {
      if (!(error instanceof ResultsServiceError && error.outcomeUnknown)) throw error;
      const landed = await this.options.results.listRunArtifacts().then(
        (all) => all.find((a) => a.name === target),
        () => undefined,
      );
      if (landed === undefined) throw error;
      return landed.id;
    }
  }

  /** Deletes the state a landed save superseded; a failure is a warning (it expires eventually). */
  private async dropSuperseded(id: number): Promise<void> {
    try {
      await deleteRepoArtifact(this.gh, id);
    } catch (error) {
      const status = httpStatus(error);
      const why =
        status === 403
          ? 'HTTP 403: the workflow needs `permissions: actions: write`'
          : status === undefined
            ? 'no answer'
            : `HTTP ${status}`;
      this.options.logger?.warning(
        `could not delete ${this.describe(String(id))}, the state this save superseded (${why}): it stays ` +
          "until it expires and counts against the repository's artifact storage",
      );
    }
  }

  private async list(floor: number | null): Promise<StateArtifact[]> {
    const found = await listStateArtifacts(this.gh, this.names, {
      branch: this.options.defaultBranch,
      floor,
      ...(this.options.now ? { now: this.options.now } : {}),
    });
    for (const a of found) this.known.set(a.id, a.name);
    return found;
  }

  /** Deletes this save's artifact; `why` names what it lost to, `winner` whose changes it would hide. */
  private async withdraw(loser: RunArtifact, why: string, winner?: number): Promise<void> {
    try {
      await this.options.results.deleteArtifact(loser);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const lost = winner === undefined ? '' : `, or the changes saved in artifact ${winner} are lost`;
      throw new Error(
        `${this.describe(String(loser.id))} ${why} and could not be withdrawn (${detail}): delete artifact ` +
          `${loser.id} before the next run${lost}`,
      );
    }
  }

  private expiry(): Date | null {
    const days = this.options.retentionDays;
    if (days === undefined) return null;
    return new Date((this.options.now ?? Date.now)() + days * 86_400_000);
  }

  private expired(a: StateArtifact): Error {
    return new Error(
      `${this.describe(String(a.id))}, the newest state of experiment ${this.options.experiment}, expired` +
        `${a.expiresAt === null ? '' : ` at ${a.expiresAt}`}: the manifest is gone (artifacts are kept for the ` +
        "repository's retention period after the last change). sweepwatch will not fall back to an older state " +
        'nor start over on its own: delete the expired artifacts, or use a new experiment id, to start afresh',
    );
  }

  private decode(a: StateArtifact, zip: Buffer): string {
    const source = this.describe(String(a.id));
    let bytes: Buffer;
    try {
      bytes = readZipEntry(zip, MANIFEST_ENTRY);
    } catch (error) {
      if (!(error instanceof ZipError)) throw error;
      throw refuse(error.problem, source, `the artifact's zip is unreadable: ${error.message}`, error);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (error) {
      throw refuse('corrupt', source, `${MANIFEST_ENTRY} is not UTF-8 text`, error);
    }
  }
}
