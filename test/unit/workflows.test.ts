import { readdirSync, readFileSync } from 'node:fs';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// GitHub's own parser (the one behind the Actions language service) checks every workflow and
// action.yml against GitHub's schema; on top of that, each workflow must ask for least privilege.
const DIR = '.github/workflows';
const workflows = readdirSync(DIR).filter((name) => name.endsWith('.yml'));

function errorsOf(result: { context: { errors: { getErrors(): { message: string }[] } } }): string[] {
  return result.context.errors.getErrors().map((e) => e.message);
}

describe('workflows and action.yml', () => {
  it('has the workflows it documents', () => {
    expect(workflows).toEqual(
      expect.arrayContaining([
        'ci.yml',
        'check-dist.yml',
        'sweepwatch-tick.yml',
        'sweepwatch-relaunch.yml',
        'sweepwatch-command.yml',
      ]),
    );
  });

  it.each(['sweepwatch-tick.yml', 'sweepwatch-relaunch.yml', 'sweepwatch-command.yml'])(
    '%s queues runs per experiment instead of cancelling them, and never grants more than it needs',
    (name) => {
      const doc = parse(readFileSync(`${DIR}/${name}`, 'utf8')) as {
        concurrency: { group: string; 'cancel-in-progress': boolean };
        permissions: Record<string, string>;
      };
      expect(doc.concurrency['cancel-in-progress']).toBe(false);
      const allowed: Record<string, string> = { contents: 'write', issues: 'write', actions: 'write' };
      for (const [scope, level] of Object.entries(doc.permissions)) expect(allowed[scope], scope).toBe(level);
    },
  );

  it.each(workflows)('%s never puts event text or inputs into a run script', (name) => {
    // `${{ github.event.comment.body }}` (or a dispatch input) inside `run:` is a script injection.
    const doc = parse(readFileSync(`${DIR}/${name}`, 'utf8')) as {
      jobs: Record<string, { steps?: { run?: string }[] }>;
    };
    const scripts = Object.values(doc.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? ''));
    for (const script of scripts)
      expect(script).not.toMatch(/\$\{\{[^}]*(github\.event|inputs\.|github\.head_ref)/);
  });

  it.each(workflows)('%s is valid for GitHub', (name) => {
    const content = readFileSync(`${DIR}/${name}`, 'utf8');
    expect(errorsOf(parseWorkflow({ name, content }, new NoOperationTraceWriter()))).toEqual([]);
  });

  it.each(workflows)('%s sets top-level permissions and pins every action to a commit', (name) => {
    const content = readFileSync(`${DIR}/${name}`, 'utf8');
    const doc = parse(content) as { permissions?: unknown };
    expect(doc.permissions, 'top-level permissions').toBeDefined();
    for (const [, ref] of content.matchAll(/uses:\s*[\w.-]+\/[\w./-]+@(\S+)/g))
      expect(ref).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(workflows)('%s never persists the checkout credentials', (name) => {
    const content = readFileSync(`${DIR}/${name}`, 'utf8');
    const checkouts = content.match(/uses: actions\/checkout@/g)?.length ?? 0;
    expect(content.match(/persist-credentials: false/g)?.length ?? 0).toBe(checkouts);
  });

  it('action.yml is valid for GitHub', () => {
    const content = readFileSync('action.yml', 'utf8');
    expect(errorsOf(parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter()))).toEqual([]);
  });

  it('the parser really rejects a broken workflow', () => {
    const content = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(errorsOf(parseWorkflow({ name: 'bad.yml', content }, new NoOperationTraceWriter()))).not.toEqual(
      [],
    );
  });
});
