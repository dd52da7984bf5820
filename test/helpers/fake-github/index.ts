import type { FaultSpec, Faults } from './faults.js';
import type { RepoState } from './repo-state.js';
import { type FakeGitHubOptions, FakeGitHubServer, type RecordedRequest, type Violation } from './server.js';

/**
 * A fake GitHub for tests, validated against GitHub's official OpenAPI description:
 *
 *   const gh = await startFakeGitHub();
 *   afterEach(() => gh.expectNoViolations());
 *   afterAll(() => gh.close());
 *   const repo = gh.repo('acme', 'sweeps'); // seed and inspect state here
 *   // point the adapter's Octokit at gh.url with gh.token
 */

export type { FaultResponse, FaultSpec } from './faults.js';
export {
  notFoundFault,
  primaryRateLimit,
  secondaryRateLimit,
  serverError,
} from './faults.js';
export type { RepoState } from './repo-state.js';
export type { FakeGitHubOptions, RecordedRequest, Violation } from './server.js';

export interface RequestFilter {
  readonly method?: string;
  /** Path template (`/repos/{owner}/{repo}/issues`) or operationId (`issues/create`). */
  readonly route?: string;
  /** Only requests that did (true) or did not (false) get an injected fault. */
  readonly faulted?: boolean;
}

export interface FakeGitHub {
  /** Base URL to give Octokit instead of https://api.github.com. */
  readonly url: string;
  readonly token: string;
  readonly viewer: string;
  repo(owner: string, name: string): RepoState;
  readonly faults: Faults;
  inject(spec: FaultSpec): void;
  requests(filter?: RequestFilter): readonly RecordedRequest[];
  count(filter?: RequestFilter): number;
  /** `"METHOD /path/template"` → number of requests: what a tick cost. */
  counts(): Readonly<Record<string, number>>;
  resetRequests(): void;
  violations(): readonly Violation[];
  /** The violations so far, forgotten: for a test that provokes them on purpose. */
  takeViolations(): Violation[];
  /** Throws, listing them, when any request or response broke the description. */
  expectNoViolations(): void;
  close(): Promise<void>;
}

function matches(r: RecordedRequest, f: RequestFilter): boolean {
  return (
    (f.method === undefined || r.method === f.method.toUpperCase()) &&
    (f.route === undefined || r.route === f.route || r.operationId === f.route) &&
    (f.faulted === undefined || r.faulted === f.faulted)
  );
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const server = new FakeGitHubServer(options);
  await server.listen();
  const requests = (filter: RequestFilter = {}) => server.requests().filter((r) => matches(r, filter));
  return {
    url: server.url,
    token: server.token,
    viewer: server.viewer,
    faults: server.faults,
    repo: (owner, name) => server.repo(owner, name),
    inject: (spec) => server.faults.inject(spec),
    requests,
    count: (filter) => requests(filter).length,
    counts: () => {
      const out: Record<string, number> = {};
      for (const r of server.requests()) {
        const key = `${r.method} ${r.route ?? '(unknown route)'}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    },
    resetRequests: () => server.clearRequests(),
    violations: () => server.violations(),
    takeViolations: () => server.takeViolations(),
    expectNoViolations: () => {
      const found = server.violations();
      if (found.length === 0) return;
      const lines = found.map((v) => `${v.kind}: ${v.method} ${v.path}: ${v.problems.join('; ')}`);
      throw new Error(
        `fake GitHub saw ${found.length} violation(s) of GitHub's OpenAPI description:\n${lines.join('\n')}`,
      );
    },
    close: () => server.close(),
  };
}
