import type { Mode } from './inputs.js';

/**
 * What started this run, reduced to what sweepwatch needs. Untrusted event fields (comment
 * bodies, dispatch inputs) are carried as data only: they never reach a shell or an expression.
 */
export type Trigger =
  | { readonly kind: 'schedule'; readonly cron: string }
  | { readonly kind: 'dispatch'; readonly command: string; readonly payload: string }
  | {
      readonly kind: 'comment';
      readonly action: string;
      readonly body: string;
      readonly author: string;
      readonly authorType: string;
      readonly issueNumber: number;
      readonly commentId: number;
      readonly onPullRequest: boolean;
    }
  | { readonly kind: 'other'; readonly eventName: string };

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function readTrigger(eventName: string, payload: unknown): Trigger {
  const event = record(payload);
  switch (eventName) {
    case 'schedule':
      return { kind: 'schedule', cron: text(event.schedule) };
    case 'workflow_dispatch': {
      const inputs = record(event.inputs);
      return { kind: 'dispatch', command: text(inputs.command) || 'tick', payload: text(inputs.payload) };
    }
    case 'issue_comment': {
      const comment = record(event.comment);
      const user = record(comment.user);
      const issue = record(event.issue);
      return {
        kind: 'comment',
        action: text(event.action),
        body: text(comment.body),
        author: text(user.login),
        authorType: text(user.type),
        issueNumber: typeof issue.number === 'number' ? issue.number : 0,
        commentId: typeof comment.id === 'number' ? comment.id : 0,
        onPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
      };
    }
    default:
      return { kind: 'other', eventName };
  }
}

/** The mode a trigger implies when the `mode` input is empty. */
export function modeFor(trigger: Trigger): Mode | null {
  switch (trigger.kind) {
    case 'schedule':
      return 'tick';
    case 'comment':
      return 'comment';
    case 'dispatch': {
      const known: readonly string[] = ['tick', 'launch', 'relaunch', 'cancel', 'report', 'preflight'];
      return known.includes(trigger.command) ? (trigger.command as Mode) : null;
    }
    default:
      return null;
  }
}
