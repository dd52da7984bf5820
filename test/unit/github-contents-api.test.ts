import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitHub, type RepoState, startFakeGitHub } from '../helpers/fake-github/index.js';

// The fake GitHub's Contents API, which the state branch store is built on, driven with raw fetch:
// the answers GitHub gives (raw bytes, 409 on a stale sha, 422 on a missing one, 404 without the
// branch), on the same git objects as the Git Data routes, every response checked against the
// OpenAPI description.

let gh: FakeGitHub;
let repo: RepoState;
let name: string;
let n = 0;

beforeAll(async () => {
  gh = await startFakeGitHub();
});
beforeEach(() => {
  n += 1;
  name = `contents${n}`;
  repo = gh.repo('acme', name);
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

const FILE = 'sweepwatch%2Fexp.json';

async function call(method: string, path: string, body?: unknown, accept = 'application/vnd.github+json') {
  const res = await fetch(`${gh.url}/repos/acme/${name}${path}`, {
    method,
    headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json', accept },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const json =
    type.startsWith('application/json') && bytes.length > 0 ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.status, type, bytes, json: json as Record<string, unknown> | undefined };
}

/** Creates the branch with the file through the Git Data routes, as the store's first save does. */
async function branchWith(text: string): Promise<string> {
  const blob = await call('POST', '/git/blobs', { content: text, encoding: 'utf-8' });
  const tree = await call('POST', '/git/trees', {
    tree: [{ path: 'sweepwatch/exp.json', mode: '100644', type: 'blob', sha: blob.json?.sha }],
  });
  const commit = await call('POST', '/git/commits', { message: 'init', tree: tree.json?.sha, parents: [] });
  await call('POST', '/git/refs', { ref: 'refs/heads/state', sha: commit.json?.sha });
  return String(blob.json?.sha);
}

const put = (content: string, sha?: string) =>
  call('PUT', `/contents/${FILE}`, {
    message: 'update',
    branch: 'state',
    content: Buffer.from(content).toString('base64'),
    ...(sha === undefined ? {} : { sha }),
  });

describe('the fake Contents API', () => {
  it('serves a file raw with the raw media type, and as base64 JSON without it', async () => {
    const sha = await branchWith('{"μ":1}');
    const raw = await call(
      'GET',
      `/contents/${FILE}?ref=state`,
      undefined,
      'application/vnd.github.raw+json',
    );
    expect(raw).toMatchObject({ status: 200, type: 'application/vnd.github.raw; charset=utf-8' });
    expect(raw.bytes.toString('utf8')).toBe('{"μ":1}');
    const json = await call('GET', `/contents/${FILE}?ref=state`);
    expect(json.json).toMatchObject({ type: 'file', path: 'sweepwatch/exp.json', sha, encoding: 'base64' });
    expect(Buffer.from(String(json.json?.content), 'base64').toString('utf8')).toBe('{"μ":1}');
  });

  it('carries no content in JSON past 1 MB, but serves it raw', async () => {
    const big = 'x'.repeat(1_100_000);
    await branchWith(big);
    const json = await call('GET', `/contents/${FILE}?ref=state`);
    expect(json.json).toMatchObject({ content: '', encoding: 'none', size: 1_100_000 });
    const raw = await call(
      'GET',
      `/contents/${FILE}?ref=state`,
      undefined,
      'application/vnd.github.raw+json',
    );
    expect(raw.bytes.length).toBe(1_100_000);
  });

  it('answers 404 for a missing file or branch', async () => {
    await branchWith('{}');
    expect((await call('GET', '/contents/sweepwatch%2Fnone.json?ref=state')).status).toBe(404);
    expect(await call('GET', `/contents/${FILE}?ref=nope`)).toMatchObject({
      status: 404,
      json: { message: 'No commit found for the ref nope' },
    });
  });

  it('updates a file naming its current sha: one commit on the head, seen by Git Data', async () => {
    const sha = await branchWith('{"v":1}');
    const head = repo.refs.get('refs/heads/state');
    const updated = await put('{"v":2}', sha);
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      content: { path: 'sweepwatch/exp.json' },
      commit: { parents: [{ sha: head }] },
    });
    const commit = updated.json?.commit as { readonly sha?: string } | undefined;
    expect(repo.refs.get('refs/heads/state')).toBe(commit?.sha);
    expect(repo.readFile('state', 'sweepwatch/exp.json')).toBe('{"v":2}');
  });

  it('refuses a stale sha with 409 and a missing one with 422, writing nothing', async () => {
    const sha = await branchWith('{"v":1}');
    expect((await put('{"v":2}', sha)).status).toBe(200);
    const head = repo.refs.get('refs/heads/state');
    expect(await put('{"v":"stale"}', sha)).toMatchObject({
      status: 409,
      json: { message: `sweepwatch/exp.json does not match ${sha}` },
    });
    expect(await put('{"v":"blind"}')).toMatchObject({
      status: 422,
      json: { message: expect.stringMatching(/"sha" wasn't supplied/) },
    });
    expect(repo.refs.get('refs/heads/state')).toBe(head);
    expect(repo.readFile('state', 'sweepwatch/exp.json')).toBe('{"v":2}');
  });

  it('creates a new file without a sha (201), beside the others', async () => {
    await branchWith('{"v":1}');
    const created = await call('PUT', '/contents/sweepwatch%2Fother.json', {
      message: 'add',
      branch: 'state',
      content: Buffer.from('{}').toString('base64'),
    });
    expect(created.status).toBe(201);
    expect(repo.readFile('state', 'sweepwatch/other.json')).toBe('{}');
    expect(repo.readFile('state', 'sweepwatch/exp.json')).toBe('{"v":1}');
  });

  it('answers 404 to a write on a branch that does not exist', async () => {
    expect(await put('{}')).toMatchObject({ status: 404, json: { message: 'Branch state not found' } });
  });
});
