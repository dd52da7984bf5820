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

describe('GitBranchStore', () => {
  it('creates the branch as an orphan commit holding only the file', async () => {
    expect(await store().load()).toBeNull();
    const saved = await store().save('{"v":1}', null);
    expect(saved.ok).toBe(true);
    const head = repo.refs.get('refs/heads/sweepwatch-state');
    const commit = head === undefined ? undefined : repo.git.getAs(head, 'commit');
    expect(commit?.parents).toEqual([]);
    expect(commit === undefined ? [] : [...repo.git.flatten(commit.tree).keys()]).toEqual([PATH]);
    expect(await store().load()).toEqual({ content: '{"v":1}', version: head });
  });

  it('round-trips a manifest past the Contents API’s 1 MB limit', async () => {
    const big = manifest(1_500_000, 'big');
    expect(Buffer.byteLength(big)).toBeGreaterThan(1_048_576);
    const first = await store().save(big, null);
    if (!first.ok) throw new Error('first save conflicted');
    const loaded = await store().load();
    expect(loaded?.content).toBe(big);
    const bigger = manifest(1_600_000, 'bigger');
    expect(await store().save(bigger, first.version)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe(bigger);
    expect(gh.count({ route: '/repos/{owner}/{repo}/contents/{path}' })).toBe(0);
  });

  it('costs four writes to save and one read to load what it saved', async () => {
    const s = store();
    const first = await s.save('{"v":1}', null);
    if (!first.ok) throw new Error('conflict');
    gh.resetRequests();
    const second = await s.save('{"v":2}', first.version);
    expect(gh.counts()).toEqual({
      'POST /repos/{owner}/{repo}/git/blobs': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
    });
    gh.resetRequests();
    expect(await s.load()).toEqual({ content: '{"v":2}', version: second.ok ? second.version : '' });
    expect(gh.count()).toBe(1);
  });

  it('writes nothing when saving the content already there', async () => {
    const first = await store().save('{"v":1}', null);
    if (!first.ok) throw new Error('conflict');
    gh.resetRequests();
    expect(await store().save('{"v":1}', first.version)).toEqual({ ok: true, version: first.version });
    expect(gh.count({ method: 'POST' }) + gh.count({ method: 'PATCH' })).toBe(0);
  });

  it('lets exactly one of two concurrent savers of the same version win', async () => {
    const base = await store().save('{"v":0}', null);
    if (!base.ok) throw new Error('conflict');
    const results = await Promise.all([
      store().save('{"v":"a"}', base.version),
      store().save('{"v":"b"}', base.version),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, conflict: true }]);
    const winner = results[0]?.ok ? '{"v":"a"}' : '{"v":"b"}';
    expect(repo.readFile('sweepwatch-state', PATH)).toBe(winner);
  });

  it('lets exactly one of two savers that both found no branch create it', async () => {
    const results = await Promise.all([store().save('{"a":1}', null), store().save('{"b":1}', null)]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
  });

  it('conflicts on a stale version, and succeeds after reloading', async () => {
    const v1 = await store().save('{"v":1}', null);
    if (!v1.ok) throw new Error('conflict');
    expect((await store().save('{"v":2}', v1.version)).ok).toBe(true);
    expect(await store().save('{"v":"stale"}', v1.version)).toEqual({ ok: false, conflict: true });
    const fresh = await store().load();
    expect(await store().save('{"v":3}', fresh?.version ?? null)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', PATH)).toBe('{"v":3}');
  });

  it('shares the branch between experiments without false conflicts', async () => {
    const a = store(manifestPath('exp-a'));
    const b = store(manifestPath('exp-b'));
    const a1 = await a.save('{"a":1}', null);
    const b1 = await b.save('{"b":1}', null);
    if (!a1.ok || !b1.ok) throw new Error('conflict');
    // b moved the head after a loaded; a's file did not change, so a's save rebases.
    expect(await a.save('{"a":2}', a1.version)).toMatchObject({ ok: true });
    expect(repo.readFile('sweepwatch-state', manifestPath('exp-a'))).toBe('{"a":2}');
    expect(repo.readFile('sweepwatch-state', manifestPath('exp-b'))).toBe('{"b":1}');
    // A file absent at the version the caller had, but written since: a conflict.
    expect(await store(manifestPath('exp-c')).save('{}', a1.version)).toMatchObject({ ok: true });
    expect(await store(manifestPath('exp-c')).save('{"late":1}', null)).toEqual({
      ok: false,
      conflict: true,
    });
  });

  it('survives a 502 on the ref update whose write had landed', async () => {
    const v1 = await store().save('{"v":1}', null);
    if (!v1.ok) throw new Error('conflict');
    gh.inject({ method: 'PATCH', route: 'git/update-ref', applied: true, ...serverError(502) });
    const v2 = await store().save('{"v":2}', v1.version);
    expect(v2).toMatchObject({ ok: true });
    expect(await store().load()).toEqual({ content: '{"v":2}', version: v2.ok ? v2.version : '' });
  });

  it('rejects paths that are not plain relative paths', () => {
    expect(() => store('../x.json')).toThrow(/invalid state file path/);
    expect(() => manifestPath('a/b')).toThrow(/invalid experiment name/);
  });
});
