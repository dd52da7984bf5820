import { describe, expect, it } from 'vitest';
import { modeFor, readTrigger } from '../../src/action/trigger.js';
import { webhookExamples } from '../helpers/webhooks.js';

describe('reading the event that started the run', () => {
  it('turns a schedule into a tick', () => {
    const trigger = readTrigger('schedule', { schedule: '*/15 * * * *' });
    expect(trigger).toEqual({ kind: 'schedule', cron: '*/15 * * * *' });
    expect(modeFor(trigger)).toBe('tick');
  });

  it.each(webhookExamples('issue_comment', 'created'))(
    'reads a real issue_comment payload (#%#)',
    (payload) => {
      const trigger = readTrigger('issue_comment', payload);
      const comment = payload.comment as { body: string; id: number; user: { login: string; type: string } };
      expect(trigger).toMatchObject({
        kind: 'comment',
        action: 'created',
        body: comment.body,
        commentId: comment.id,
        author: comment.user.login,
        authorType: comment.user.type,
      });
      expect(modeFor(trigger)).toBe('comment');
    },
  );

  it.each(webhookExamples('issue_comment', 'edited'))(
    'keeps the edited action so edits can be ignored (#%#)',
    (payload) => {
      expect(readTrigger('issue_comment', payload)).toMatchObject({ kind: 'comment', action: 'edited' });
    },
  );

  it.each(webhookExamples('workflow_dispatch'))(
    'defaults a real workflow_dispatch without a command to a tick (#%#)',
    (payload) => {
      const trigger = readTrigger('workflow_dispatch', payload);
      expect(trigger.kind).toBe('dispatch');
      expect(modeFor(readTrigger('workflow_dispatch', { ...payload, inputs: {} }))).toBe('tick');
    },
  );

  it('routes a dispatch to its command input and carries the JSON payload as data', () => {
    const trigger = readTrigger('workflow_dispatch', {
      inputs: { command: 'relaunch', payload: '{"cycle":1}' },
    });
    expect(trigger).toEqual({ kind: 'dispatch', command: 'relaunch', payload: '{"cycle":1}' });
    expect(modeFor(trigger)).toBe('relaunch');
  });

  it('does not guess a mode for an unknown dispatch command', () => {
    expect(modeFor(readTrigger('workflow_dispatch', { inputs: { command: 'rm -rf' } }))).toBeNull();
  });

  it('tells a comment on a pull request from one on an issue', () => {
    const onPr = readTrigger('issue_comment', {
      action: 'created',
      issue: { number: 3, pull_request: {} },
      comment: {},
    });
    expect(onPr).toMatchObject({ onPullRequest: true, issueNumber: 3 });
  });
});
