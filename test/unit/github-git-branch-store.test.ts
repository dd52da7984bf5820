import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitBranchStore, manifestPath } from '../../src/adapters/github/git-branch-store.js';
import type { GitHubRepo } from '../../src/adapters/github/octokit.js';
import type { TextStore } from '../../src/ports/text-store.js';
import { fakeGitHubRepo } from '../helpers/fake-github/client.js';
import {
  type FakeGitHub,
  type RepoState,
  serverError,
  startFakeGitHub,
} from '../helpers/fake-github/index.js';

let gh: FakeGitHub;
let repo: RepoState;
let api: GitHubRepo;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
});
beforeEach(() => {
  n += 1;
  repo = gh.repo('acme', `sweeps${n}`);
  api = fakeGitHubRepo(gh, 'acme', `sweeps${n}`);
  gh.resetRequests();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

const PATH = manifestPath('lr-sweep');

function store(path = PATH): TextStore {
  return new GitBranchStore(api, { path });
}

/** A manifest-like JSON document of about `bytes` bytes, not ASCII-only. */
function manifest(bytes: number, tag: string): string {
  const jobs: unknown[] = [];
  for (let size = 0; size < bytes; ) {
    const job = { id: jobs.length, state: 'COMPLETED', note: `μ=${tag}` };
    jobs.push(job);
    size += Buffer.byteLength(JSON.stringify(job)) + 1;
  }
  return JSON.stringify({ tag, jobs });
}

const CONTENTS = '/repos/{owner}/{repo}/contents/{path}';

/** The blob sha GitHub holds for the file on the branch: the version a load must report. */
function blobOnBranch(path = PATH): string | undefined {
  const head = repo.refs.get('refs/heads/sweepwatch-state');
  const commit = head === undefined ? undefined : repo.git.getAs(head, 'commit');
  return commit === undefined ? undefined : repo.git.flatten(commit.tree).get(path)?.sha;
}

async function saved(s: TextStore, content: string, expected: string | null): Promise<string> {
  const result = await s.save(content, expected);
  if (!result.ok) throw new Error(`save of ${content} conflicted`);
  return result.version;
}

describe('GitBranchStore', () => {
  it('first save creates the branch as an orphan commit holding only the file', async () => {
    expect(await store().load()).toBeNull();
    gh.resetRequests();
    const version = await saved(store(), '{"v":1}', null);
    // The write is tried first (404: no branch), then the branch is made through Git Data.
    expect(gh.counts()).toEqual({
      [`PUT ${CONTENTS}`]: 1,
      'POST /repos/{owner}/{repo}/git/blobs': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'POST /repos/{owner}/{repo}/git/refs': 1,
    });
    const head = repo.refs.get('refs/heads/sweepwatch-state');
    const commit = head === undefined ? undefined : repo.git.getAs(head, 'commit');
    expect(commit?.parents).toEqual([]);
    expect(commit === undefined ? [] : [...repo.git.flatten(commit.tree).keys()]).toEqual([PATH]);
    expect(version).toBe(blobOnBranch());
    expect(await store().load()).toEqual({ content: '{"v":1}', version });
  });

  it('loads in one request, saves in one, and a save of the content already there costs none', async () => {
    const s = store();
    const v1 = await saved(s, '{"v":1}', null);
    gh.resetRequests();
    expect(await s.load()).toEqual({ content: '{"v":1}', version: v1 });
    expect(gh.counts()).toEqual({ [`GET ${CONTENTS}`]: 1 });
    gh.resetRequests();
    const v2 = await saved(s, '{"v":2}', v1);
    expect(gh.counts()).toEqual({ [`PUT ${CONTENTS}`]: 1 });
    expect(v2).toBe(blobOnBranch());
    gh.resetRequests();
    expect(await s.save('{"v":2}', v2)).toEqual({ ok: true, version: v2 });
    expect(gh.count()).toBe(0);
  });

  it('round-trips a manifest past 1 MB through the raw media type', async () => {
    const big = manifest(1_500_000, 'big');
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_048_576);
    const first = await saved(store(), big, null);
    const loaded = await store().load();
    expect(loaded?.content).toBe(big);
    expect(loaded?.version).toBe(first);
    const bigger = manifest(1_600_000, 'bigger');
    expect(await store().save(bigger, first)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe(bigger);
    expect(gh.requests({ route: 'repos/get-content' }).length).toBe(1);
  });

  it('keeps every byte: a byte-order mark, accents and emoji come back as saved', async () => {
    const text = '\uFEFF{"note":"μ=3e-4 🙂","crlf":"a\\r\\nb"}\r\n';
    const version = await saved(store(), text, null);
    const loaded = await store().load();
    expect(loaded).toEqual({ content: text, version });
    expect(version).toBe(blobOnBranch());
    // The version is GitHub's own sha, so the next save is accepted rather than refused.
    expect(await store().save('{}', version)).toMatchObject({ ok: true });
  });

  it('answers null for a branch or a file that does not exist', async () => {
    expect(await store().load()).toBeNull();
    await saved(store(manifestPath('other')), '{}', null);
    expect(await store().load()).toBeNull();
  });

  it('lets exactly one of two concurrent savers of the same version win', async () => {
    const base = await saved(store(), '{"v":0}', null);
    const results = await Promise.all([store().save('{"v":"a"}', base), store().save('{"v":"b"}', base)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, conflict: true }]);
    const winner = results[0]?.ok ? '{"v":"a"}' : '{"v":"b"}';
    expect(repo.readFile('sweepwatch-state', PATH)).toBe(winner);
  });

  it('lets exactly one of two savers that both found no branch create it', async () => {
    const results = await Promise.all([store().save('{"a":1}', null), store().save('{"b":1}', null)]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
  });

  it('conflicts on a stale version and writes nothing; succeeds after reloading', async () => {
    const v1 = await saved(store(), '{"v":1}', null);
    await saved(store(), '{"v":2}', v1);
    const head = repo.refs.get('refs/heads/sweepwatch-state');
    expect(await store().save('{"v":"stale"}', v1)).toEqual({ ok: false, conflict: true });
    expect(repo.refs.get('refs/heads/sweepwatch-state')).toBe(head);
    expect(repo.readFile('sweepwatch-state', PATH)).toBe('{"v":2}');
    const fresh = await store().load();
    expect(await store().save('{"v":3}', fresh?.version ?? null)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe('{"v":3}');
  });

  it('conflicts when the file it saw absent has been written since', async () => {
    await saved(store(), '{"first":1}', null);
    expect(await store().save('{"late":1}', null)).toEqual({ ok: false, conflict: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe('{"first":1}');
  });

  it('shares the branch between experiments: another file changing is not a conflict', async () => {
    const a = store(manifestPath('exp-a'));
    const b = store(manifestPath('exp-b'));
    const a1 = await saved(a, '{"a":1}', null);
    const b1 = await saved(b, '{"b":1}', null);
    // b moved the branch's head after a saved; a's file did not change, so a's save goes through.
    await saved(b, '{"b":2}', b1);
    gh.resetRequests();
    expect(await a.save('{"a":2}', a1)).toMatchObject({ ok: true });
    expect(gh.count()).toBe(1);
    expect(repo.readFile('sweepwatch-state', manifestPath('exp-a'))).toBe('{"a":2}');
    expect(repo.readFile('sweepwatch-state', manifestPath('exp-b'))).toBe('{"b":2}');
  });

  it('a deleted branch is a conflict, and the reload-and-save that follows recreates it', async () => {
    const v1 = await saved(store(), '{"v":1}', null);
    repo.refs.delete('refs/heads/sweepwatch-state');
    expect(await store().save('{"v":2}', v1)).toEqual({ ok: false, conflict: true });
    expect(await store().load()).toBeNull();
    expect(await store().save('{"v":2}', null)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe('{"v":2}');
  });

  it('survives a 502 on a write that had landed: the retry’s refusal is recognised as its own', async () => {
    const v1 = await saved(store(), '{"v":1}', null);
    gh.inject({
      method: 'PUT',
      route: 'repos/create-or-update-file-contents',
      applied: true,
      ...serverError(502),
    });
    const v2 = await store().save('{"v":2}', v1);
    expect(v2).toMatchObject({ ok: true });
    expect(gh.count({ method: 'PUT', faulted: false })).toBeGreaterThan(0);
    expect(await store().load()).toEqual({ content: '{"v":2}', version: v2.ok ? v2.version : '' });
  });

  it('does not retry a refused write: one request, then the caller reloads', async () => {
    const v1 = await saved(store(), '{"v":1}', null);
    await saved(store(), '{"v":2}', v1);
    gh.resetRequests();
    expect(await store().save('{"v":3}', v1)).toEqual({ ok: false, conflict: true });
    expect(gh.counts()).toEqual({ [`PUT ${CONTENTS}`]: 1, [`GET ${CONTENTS}`]: 1 });
  });

  it('rejects paths that are not plain relative paths', () => {
    expect(() => store('../x.json')).toThrow(/invalid state file path/);
    expect(() => manifestPath('a/b')).toThrow(/invalid experiment name/);
  });
});
