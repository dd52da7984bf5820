/**
 * Jobs print what they like, and sweepwatch quotes them where people read: issue bodies, the
 * tick summary, replies to comments. A log with code fences, @-mentions, HTML (an <img onerror>,
 * an unclosed comment) and table pipes must come out inert: no ping, no HTML, no fence closed
 * early, no table split. Rendered through the real tick and the real comment handler.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/ports/transport.js';
import { harness, jobsWhere, launched, runTick } from '../fakes/sweep-fixture.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github/index.js';
import { actionWorld, failedBatch } from '../helpers/reliability/action-world.js';
import { HOSTILE_LOG, markdownProblems } from '../helpers/reliability/markdown-safety.js';
import { type ClassSpec, noProblems, recorder } from '../helpers/reliability/recorder.js';
import { webhookExamples } from '../helpers/webhooks.js';

const rec = recorder(import.meta.url);
const spec = (klass: string, against: string): ClassSpec => ({
  area: 'Injection',
  klass,
  against,
  expected: 'fenced or escaped: no ping, no HTML, no fence closed early, no table split',
});

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterEach(() => gh.expectNoViolations());
afterAll(() => gh.close());

describe('the safety check itself', () => {
  it('catches a raw log, a fence the log closes early, and a pipe that splits a table row', () => {
    expect(markdownProblems(HOSTILE_LOG.split('\n').at(-1) ?? '').join('\n')).toMatch(
      /raw HTML[\s\S]*live @-mention/,
    );
    expect(markdownProblems(HOSTILE_LOG)).toContain(
      'a code fence is never closed: the rest of the page is swallowed',
    );
    expect(markdownProblems(`\`\`\`\n${HOSTILE_LOG}\n\`\`\``)).not.toEqual([]);
    expect(markdownProblems('| a | b |\n|---|---|\n| x | y | z |')).not.toEqual([]);
    expect(markdownProblems(`\`\`\`\`\`\n${HOSTILE_LOG}\n\`\`\`\`\``)).toEqual([]);
  });
});

describe('hostile logs in what sweepwatch writes', () => {
  it('an issue body and the tick summary quoting a hostile log', async () => {
    const h = harness();
    await launched(h);
    const failing = jobsWhere(h, { model: 'vit' });
    for (const id of jobsWhere(h)) {
      if (failing.includes(id))
        h.scheduler.set(id, 'FAILED', { exit: { code: 1, signal: null }, log: HOSTILE_LOG });
      else h.scheduler.set(id, 'COMPLETED', { exit: { code: 0, signal: null } });
    }
    const result = await runTick(h);
    const bodies = [...h.issues.issues.values()].map((i) => i.body);
    expect(bodies.length, 'the hostile failure must be filed for the test to mean anything').toBeGreaterThan(
      0,
    );
    expect(bodies.join('\n')).toContain('onerror');
    const issueProblems = bodies.flatMap((b) => markdownProblems(b));
    expect(
      rec.check(spec('hostile log in an issue body', 'the real tick, rendered issue'), {
        leak: issueProblems,
      }),
    ).toEqual(noProblems());
    expect(result.summaryMarkdown).toContain('onerror');
    const summaryProblems = markdownProblems(result.summaryMarkdown);
    expect(
      rec.check(spec('hostile log in the tick summary', 'the real tick, job summary'), {
        leak: summaryProblems,
      }),
    ).toEqual(noProblems());
  });

  it('a hostile scheduler error in the tick summary', async () => {
    const h = harness();
    await launched(h);
    for (const id of jobsWhere(h)) h.scheduler.set(id, 'RUNNING');
    await runTick(h);
    h.scheduler.failObserve = new TransportError('remote', HOSTILE_LOG);
    const result = await runTick(h);
    expect(result.summaryMarkdown).toContain('onerror');
    expect(
      rec.check(spec('hostile scheduler error in the tick summary', 'the real tick, observation failed'), {
        leak: markdownProblems(result.summaryMarkdown),
      }),
    ).toEqual(noProblems());
  });

  it('replies to comments quoting hostile arguments', async () => {
    const w = actionWorld(gh);
    await failedBatch(w);
    const repo = w.repo();
    repo.setPermission('writer', 'write');
    const issue = repo.seedIssue({ title: 'sweep', user: 'writer' });
    const [example] = webhookExamples('issue_comment', 'created');
    const bodies = [
      '/sweepwatch explain <img src=x onerror=alert(1)>@octocat',
      '/sweepwatch cancel model=```@octocat<img/src/onerror=alert(1)>',
      '/sweepwatch relaunch model=vit|x|y<!-- --dry-run',
      '/sweepwatch pause @octocat <script>alert(1)</script>',
    ];
    let id = 7000;
    for (const body of bodies) {
      id += 1;
      const now = new Date().toISOString();
      repo.comments.set(id, {
        id,
        issueNumber: issue.number,
        body,
        user: 'writer',
        createdAt: now,
        updatedAt: now,
      });
      await w.action('', {
        name: 'issue_comment',
        payload: {
          ...example,
          issue: { ...(example?.issue as object), number: issue.number, pull_request: undefined },
          comment: { ...(example?.comment as object), id, body, user: { login: 'writer', type: 'User' } },
        },
      });
    }
    const replies = repo.commentsOf(issue.number).filter((c) => c.user !== 'writer');
    expect(replies).toHaveLength(bodies.length);
    expect(
      rec.check(
        spec('hostile command arguments in comment replies', 'main() + fake GitHub, posted replies'),
        {
          leak: replies.flatMap((c) => markdownProblems(c.body)),
        },
      ),
    ).toEqual(noProblems());
  });
});
