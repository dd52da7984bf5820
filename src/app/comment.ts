import {
  type Command,
  type CommandErrorCode,
  type CommandFilter,
  commandHelp,
  parseCommand,
} from '../core/commands.js';
import { clipText, escapeInline, fenced } from '../core/report-escape.js';
import { explainRootCause } from '../core/root-cause-docs.js';
import type { RootCause } from '../core/types.js';
import type { CommentRef, IssueConversation, PostedComment, Reaction } from '../ports/issue-tracker.js';
import { atLeast, type PermissionChecker, type PermissionLevel } from '../ports/permissions.js';

/**
 * The `issue_comment` use case: a slash command from a person with write access, answered on
 * the comment itself. 👀 on receipt, then 🚀 and a reply on success, or 👎 and a reply saying
 * why. Everything that is not a fresh command by a person on an issue is ignored without a
 * word, so sweepwatch never talks to bots (itself included) or answers an edit twice.
 */

/** The comment as the trigger reads it (action/trigger.ts's `comment` Trigger fits as is). */
export interface IncomingComment {
  /** `created`, `edited` or `deleted`. */
  readonly action: string;
  readonly body: string;
  readonly author: string;
  /** `User`, `Bot` or `Organization`. */
  readonly authorType: string;
  readonly issueNumber: number;
  readonly commentId: number;
  readonly onPullRequest: boolean;
}

export interface RelaunchOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** The login of the person who asked. */
  readonly requestedBy: string;
}

export interface RelaunchReply {
  /** The plan (dry run) or what was dispatched. */
  readonly markdown: string;
  /** The dispatched workflow run, when GitHub said which. */
  readonly runUrl?: string | null;
}

/**
 * What the commands do, injected by the wiring. Every string returned is trusted markdown
 * (rendered by sweepwatch, escaping what it quotes) and goes into the reply as is.
 */
export interface CommandHandlers {
  status(): Promise<string>;
  relaunch(filter: CommandFilter, options: RelaunchOptions): Promise<RelaunchReply>;
  cancel(filter: CommandFilter, requestedBy: string): Promise<string>;
  pause(requestedBy: string): Promise<string>;
  resume(requestedBy: string): Promise<string>;
  /** Defaults to the text of docs/root-causes.md (explainRootCause). */
  explain?(rootCause: RootCause): string;
}

export interface CommentDeps {
  readonly conversation: IssueConversation;
  readonly permissions: PermissionChecker;
  readonly handlers: CommandHandlers;
  /** The sweep's factors, to reject a filter naming another one before anything runs. */
  readonly factorNames?: readonly string[];
}

/** Write, maintain and admin may command a sweep; triage and read may not. */
export const REQUIRED_PERMISSION: PermissionLevel = 'write';

export const COMMENT_REASON_CODES = [
  /** Edited or deleted (any action but created): a command runs once, when posted. */
  'command_ignored_edited',
  'command_ignored_bot',
  'not_a_command',
  'command_ignored_pull_request',
  'command_refused_permission',
  'command_invalid',
  'command_failed',
  'command_done',
] as const;
export type CommentReasonCode = (typeof COMMENT_REASON_CODES)[number];

export interface CommentOutcome {
  readonly reasonCode: CommentReasonCode;
  readonly author: string;
  readonly command?: Command;
  /** Asked of GitHub for every command, never cached. */
  readonly permission?: PermissionLevel;
  /** command_invalid: which parse error. */
  readonly commandError?: CommandErrorCode;
  /** command_failed: the error, as thrown by the handler or the permission check. */
  readonly failure?: string;
  /** The answer posted on the issue, when there was one. */
  readonly reply?: PostedComment;
}

const PULL_REQUEST_REPLY =
  'sweepwatch takes commands on issues only, not on pull requests: a pull request may come from a fork, and sweepwatch never acts on behalf of one or runs its code. Please comment on an issue of this repository instead.';

export async function handleComment(comment: IncomingComment, deps: CommentDeps): Promise<CommentOutcome> {
  const { author, commentId } = comment;
  if (comment.action !== 'created') return { reasonCode: 'command_ignored_edited', author };
  if (comment.authorType === 'Bot' || author.toLowerCase().endsWith('[bot]')) {
    return { reasonCode: 'command_ignored_bot', author };
  }
  const parsed = parseCommand(
    comment.body,
    deps.factorNames === undefined ? {} : { factorNames: deps.factorNames },
  );
  if (parsed === null) return { reasonCode: 'not_a_command', author };

  const { conversation } = deps;
  // The adapter quotes `body` verbatim, so only the command line goes, escaped.
  const to: CommentRef = {
    issueNumber: comment.issueNumber,
    commentId,
    author,
    body: escapeInline(clipText(parsed.line, 200)),
  };
  const answer = async (
    outcome: Omit<CommentOutcome, 'author' | 'reply'>,
    reaction: Reaction,
    body: string,
  ): Promise<CommentOutcome> => {
    const reply = await conversation.reply(to, body);
    await conversation.react(commentId, reaction);
    return { ...outcome, author, reply };
  };

  await conversation.react(commentId, 'eyes');
  if (comment.onPullRequest) {
    return answer({ reasonCode: 'command_ignored_pull_request' }, '-1', PULL_REQUEST_REPLY);
  }
  let permission: PermissionLevel;
  try {
    permission = await deps.permissions.permission(author);
  } catch (error) {
    const failure = errorMessage(error);
    return answer(
      { reasonCode: 'command_failed', failure },
      '-1',
      failed('checking your permission', failure),
    );
  }
  if (!atLeast(permission, REQUIRED_PERMISSION)) {
    return answer({ reasonCode: 'command_refused_permission', permission }, '-1', refusal(permission));
  }
  if (!parsed.ok) {
    const { code, message, help } = parsed.error;
    return answer(
      { reasonCode: 'command_invalid', permission, commandError: code },
      '-1',
      `${escapeInline(message)}\n\n${help}`,
    );
  }
  const { command } = parsed;
  let result: string;
  try {
    result = await run(command, deps.handlers, author);
  } catch (error) {
    const failure = errorMessage(error);
    return answer(
      { reasonCode: 'command_failed', permission, command, failure },
      '-1',
      failed(`running \`${command.verb}\``, failure),
    );
  }
  return answer({ reasonCode: 'command_done', permission, command }, 'rocket', result);
}

async function run(command: Command, handlers: CommandHandlers, requestedBy: string): Promise<string> {
  switch (command.verb) {
    case 'status':
      return handlers.status();
    case 'relaunch': {
      const { dryRun, force } = command;
      const done = await handlers.relaunch(command.filter, { dryRun, force, requestedBy });
      return `${done.markdown}${runLink(done.runUrl)}`;
    }
    case 'cancel':
      return handlers.cancel(command.filter, requestedBy);
    case 'pause':
      return handlers.pause(requestedBy);
    case 'resume':
      return handlers.resume(requestedBy);
    case 'explain':
      return handlers.explain?.(command.rootCause) ?? explainRootCause(command.rootCause);
    case 'help':
      return commandHelp(command.topic);
  }
}

/** Only an https URL, normalized (spaces and brackets percent-encoded), can become a link. */
function runLink(url: string | null | undefined): string {
  if (url === null || url === undefined || !URL.canParse(url)) return '';
  const parsed = new URL(url);
  return parsed.protocol === 'https:' ? `\n\nWorkflow run: ${parsed.href}` : '';
}

function refusal(permission: PermissionLevel): string {
  return `sweepwatch commands need the **${REQUIRED_PERMISSION}** permission on this repository (write, maintain or admin); yours is **${permission}**.`;
}

/** Error text is untrusted (it may quote a server or the comment): fenced, mentions defused. */
function failed(what: string, failure: string): string {
  return `sweepwatch failed ${what}:\n\n${fenced(clipText(failure, 2000))}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
