import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, serverError, startFakeGitHub } from '../helpers/fake-github/index.js';
import { toJsonSchema } from '../helpers/fake-github/schema.js';
import { loadSpec } from '../helpers/fake-github/spec.js';

// The fake itself, driven with raw fetch so that requests Octokit would never send can be tried.

let gh: FakeGitHub;

beforeAll(async () => {
  gh = await startFakeGitHub();
  gh.repo('acme', 'sweeps');
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

async function call(method: string, path: string, body?: unknown, token = gh.token) {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('the OpenAPI subset', () => {
  it('is generated, not hand-written, and holds every operation the adapters use', () => {
    const spec = loadSpec();
    expect(spec.generatedBy).toMatch(/^node scripts\/extract-openapi\.mjs \(from @octokit\/openapi@\d+/);
    expect(spec.operations.map((o) => o.operationId)).toEqual(
      expect.arrayContaining(['issues/create', 'git/update-ref', 'actions/create-workflow-dispatch']),
    );
  });

  it('checks responses too: an issue without its required fields fails', () => {
    const check = loadSpec()
      .operations.find((o) => o.operationId === 'issues/get')
      ?.responses.get(200);
    expect(check?.({ number: 1 })).toMatch(/must have required property/);
    expect(
      loadSpec()
        .operations.find((o) => o.operationId === 'issues/list-for-repo')
        ?.responses.get(200)?.([{}]),
    ).toMatch(/^item 0: /);
  });

  it("turns OpenAPI 3.0's nullable into JSON Schema", () => {
    expect(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] }, { closed: false })).toEqual({
      type: ['string', 'null'],
      enum: ['a', null],
    });
    expect(toJsonSchema({ nullable: true, oneOf: [{ type: 'string' }] }, { closed: false })).toEqual({
      anyOf: [{ oneOf: [{ type: 'string' }] }, { type: 'null' }],
    });
  });
});

describe('request validation', () => {
  it('lets a valid request through and answers with a schema-valid body', async () => {
    const res = await call('POST', '/repos/acme/sweeps/issues', {
      title: 'OOM',
      body: 'b',
      labels: ['sweepwatch'],
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      number: 1,
      title: 'OOM',
      state: 'open',
      labels: [{ name: 'sweepwatch' }],
    });
  });

  it.each([
    ['title missing', { body: 'no title' }, /must have required property 'title'/],
    ['labels of the wrong type', { title: 't', labels: 'bug' }, /\/labels must be array/],
    ['a misspelt field', { title: 't', label: ['bug'] }, /must NOT have additional properties.*label/],
  ])('rejects a body with %s: 400 and a violation', async (_, body, problem) => {
    const res = await call('POST', '/repos/acme/sweeps/issues', body);
    expect(res.status).toBe(400);
    const [violation, ...more] = gh.takeViolations();
    expect(more).toEqual([]);
    expect(violation).toMatchObject({ kind: 'request', operationId: 'issues/create' });
    expect(violation?.problems.join()).toMatch(problem);
  });

  it('rejects an unknown route with 404 and a violation', async () => {
    const res = await call('GET', '/repos/acme/sweeps/pulls');
    expect(res.status).toBe(404);
    expect(gh.takeViolations()).toMatchObject([
      { kind: 'route', method: 'GET', path: '/repos/acme/sweeps/pulls' },
    ]);
  });

  it('rejects unknown or ill-typed query parameters', async () => {
    expect((await call('GET', '/repos/acme/sweeps/issues?label=x')).status).toBe(400);
    expect((await call('GET', '/repos/acme/sweeps/issues?state=shut')).status).toBe(400);
    expect((await call('GET', '/repos/acme/sweeps/issues?per_page=lots')).status).toBe(400);
    expect(gh.takeViolations().map((v) => v.problems.join())).toEqual([
      expect.stringMatching(/unknown query parameter label/),
      expect.stringMatching(/state=.*allowed values/),
      expect.stringMatching(/per_page=.*must be integer/),
    ]);
  });

  it('rejects a request without the token', async () => {
    expect((await call('GET', '/repos/acme/sweeps/issues', undefined, 'wrong')).status).toBe(401);
    expect(gh.takeViolations()).toMatchObject([{ kind: 'auth' }]);
  });

  it('answers 404 for a repository nobody created, without a violation', async () => {
    expect((await call('GET', '/repos/acme/other/issues')).status).toBe(404);
  });
});

describe('git refs', () => {
  async function commit(parents: string[], text: string): Promise<string> {
    const blob = await call('POST', '/repos/acme/sweeps/git/blobs', { content: text, encoding: 'utf-8' });
    const tree = await call('POST', '/repos/acme/sweeps/git/trees', {
      tree: [{ path: 'dir/f.txt', mode: '100644', type: 'blob', sha: blob.json?.sha }],
    });
    const made = await call('POST', '/repos/acme/sweeps/git/commits', {
      message: text,
      tree: tree.json?.sha,
      parents,
    });
    return String(made.json?.sha);
  }

  it('computes the object ids git computes', async () => {
    const blob = await call('POST', '/repos/acme/sweeps/git/blobs', { content: 'hello\n' });
    expect(blob.json?.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const empty = await call('POST', '/repos/acme/sweeps/git/trees', { tree: [] });
    expect(empty.json?.sha).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });

  it('refuses to create a ref twice', async () => {
    const sha = await commit([], 'root');
    expect((await call('POST', '/repos/acme/sweeps/git/refs', { ref: 'refs/heads/twice', sha })).status).toBe(
      201,
    );
    const again = await call('POST', '/repos/acme/sweeps/git/refs', { ref: 'refs/heads/twice', sha });
    expect(again).toMatchObject({ status: 422, json: { message: 'Reference already exists' } });
  });

  it('updates a ref only as a fast-forward unless forced (the compare-and-swap)', async () => {
    const root = await commit([], 'root 2');
    await call('POST', '/repos/acme/sweeps/git/refs', { ref: 'refs/heads/cas', sha: root });
    const child = await commit([root], 'child');
    const sibling = await commit([root], 'sibling');
    expect(
      (await call('PATCH', '/repos/acme/sweeps/git/refs/heads/cas', { sha: child, force: false })).status,
    ).toBe(200);
    const lost = await call('PATCH', '/repos/acme/sweeps/git/refs/heads/cas', { sha: sibling, force: false });
    expect(lost).toMatchObject({ status: 422, json: { message: 'Update is not a fast forward' } });
    expect(
      (await call('PATCH', '/repos/acme/sweeps/git/refs/heads/cas', { sha: sibling, force: true })).status,
    ).toBe(200);
    const ref = await call('GET', '/repos/acme/sweeps/git/ref/heads/cas');
    expect(ref.json).toMatchObject({ ref: 'refs/heads/cas', object: { sha: sibling } });
    expect(gh.repo('acme', 'sweeps').readFile('cas', 'dir/f.txt')).toBe('sibling');
  });
});

describe('fault injection and counting', () => {
  it('serves queued faults to the next matching requests, then the real thing', async () => {
    gh.resetRequests();
    gh.inject({ method: 'GET', route: 'issues/list-for-repo', times: 2, ...serverError(502) });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/repos/acme/sweeps/issues')).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(gh.count({ route: '/repos/{owner}/{repo}/issues', method: 'GET' })).toBe(3);
    expect(gh.count({ faulted: true })).toBe(2);
    expect(gh.counts()).toEqual({ 'GET /repos/{owner}/{repo}/issues': 3 });
    expect(gh.faults.pending()).toBe(0);
  });

  it('pages with a Link header', async () => {
    for (let i = 0; i < 3; i++)
      await call('POST', '/repos/acme/sweeps/issues', { title: `t${i}`, labels: ['paged'] });
    const first = await call('GET', '/repos/acme/sweeps/issues?labels=paged&per_page=2');
    expect(first.json).toHaveLength(2);
    expect(first.headers.get('link')).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    const second = await call('GET', '/repos/acme/sweeps/issues?labels=paged&per_page=2&page=2');
    expect(second.json).toHaveLength(1);
    expect(second.headers.get('link')).not.toMatch(/rel="next"/);
  });
});
