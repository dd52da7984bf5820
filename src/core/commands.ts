import { parseRelaunchFilter, type RelaunchFilter } from './relaunch-plan.js';
import { clipText } from './report-escape.js';
import { ROOT_CAUSES, type RootCause } from './types.js';

/**
 * `/sweepwatch <verb> …` in an issue comment, parsed without side effects. Only the first line
 * that starts with `/sweepwatch` counts, and lines a person did not write as a command (quotes
 * of earlier comments, code blocks, HTML comments of a template) are skipped, so quoting an old
 * command never runs it again. The result is a Command, a CommandError to show its author, or
 * null for an ordinary comment (ignored silently).
 */

/** Only this much of a comment is read, so a megabyte of text costs no more than a short one. */
export const MAX_COMMENT_SCAN = 4096;
/** Comment text echoed in an error message is cut to this many characters. */
const MAX_ECHO = 40;

export const COMMAND_VERBS = ['status', 'relaunch', 'cancel', 'pause', 'resume', 'explain', 'help'] as const;
export type CommandVerb = (typeof COMMAND_VERBS)[number];

/** A filter of conditions: `all`, a root-cause id, or `factor=level,…` (see parseRelaunchFilter). */
export type CommandFilter = RelaunchFilter;

export type Command =
  | { readonly verb: 'status' }
  | {
      readonly verb: 'relaunch';
      readonly filter: CommandFilter;
      readonly dryRun: boolean;
      readonly force: boolean;
    }
  | { readonly verb: 'cancel'; readonly filter: CommandFilter }
  | { readonly verb: 'pause' }
  | { readonly verb: 'resume' }
  | { readonly verb: 'explain'; readonly rootCause: RootCause }
  | { readonly verb: 'help'; readonly topic?: CommandVerb };

export const COMMAND_ERROR_CODES = [
  'unknown_verb',
  'unknown_flag',
  'missing_argument',
  'too_many_arguments',
  'unknown_root_cause',
  'malformed_filter',
  'too_long',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

export interface CommandError {
  readonly code: CommandErrorCode;
  /** One line of plain text. It may echo the comment: renderers must escape it. */
  readonly message: string;
  /** Trusted markdown: the usage of the verb concerned, or of every verb. */
  readonly help: string;
}

export type ParsedCommand =
  | { readonly ok: true; readonly command: Command; readonly line: string }
  | { readonly ok: false; readonly error: CommandError; readonly line: string };

export interface ParseCommandOptions {
  /** The sweep's factor names: a filter naming another factor is malformed. Unchecked when absent. */
  readonly factorNames?: readonly string[];
}

interface VerbSpec {
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly string[];
}

const FILTER_FORMS = 'all, a root-cause id or a filter like model=vit,fold=3';

const VERBS: Readonly<Record<CommandVerb, VerbSpec>> = {
  status: { usage: '/sweepwatch status', summary: 'where the sweep stands now', flags: [] },
  relaunch: {
    usage: '/sweepwatch relaunch [all | <root-cause> | <factor=level,…>] [--dry-run] [--force]',
    summary:
      'relaunch the failed conditions (all of them when no filter is given); `--dry-run` only shows the plan, `--force` relaunches even what the policy would hold back',
    flags: ['--dry-run', '--force'],
  },
  cancel: {
    usage: '/sweepwatch cancel <all | <root-cause> | <factor=level,…>>',
    summary: 'cancel the matching jobs; a filter is required and `all` must be written out',
    flags: [],
  },
  pause: { usage: '/sweepwatch pause', summary: 'ticks keep observing but stop acting', flags: [] },
  resume: { usage: '/sweepwatch resume', summary: 'ticks act again', flags: [] },
  explain: {
    usage: '/sweepwatch explain <root-cause>',
    summary: 'what a root cause means and what is usually done about it',
    flags: [],
  },
  help: { usage: '/sweepwatch help [<command>]', summary: 'this list', flags: [] },
};

const ROOT_CAUSE_LIST = `Root causes: ${ROOT_CAUSES.map((c) => `\`${c}\``).join(', ')}.`;

/** Every verb's usage: the reply to `help` and to an unknown verb. */
export function commandHelp(topic?: CommandVerb): string {
  if (topic !== undefined) return verbHelp(topic);
  return [
    'sweepwatch commands (people with write access; the command goes on its own line):',
    ...COMMAND_VERBS.map((verb) => `- \`${VERBS[verb].usage}\`: ${VERBS[verb].summary}`),
    '',
    ROOT_CAUSE_LIST,
  ].join('\n');
}

function verbHelp(verb: CommandVerb): string {
  return `Usage: \`${VERBS[verb].usage}\`: ${VERBS[verb].summary}.`;
}

const PREFIX = /^ {0,3}\/sweepwatch(?=\s|$)/i;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})\s*$/;
const QUOTE = /^ {0,3}>/;
// An unclosed HTML comment hides the rest of the comment when rendered, so it is cut the same way.
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

/** The command line, and whether the scan cap cut it (then its end is unknown). */
function findCommandLine(body: string): { readonly line: string; readonly cut: boolean } | null {
  const lines = body
    .slice(0, MAX_COMMENT_SCAN)
    .replace(HTML_COMMENT, '')
    .split(/\r\n|\r|\n/);
  let fence: string | null = null;
  let quoted = false;
  for (const [i, line] of lines.entries()) {
    if (fence !== null) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close !== undefined && close[0] === fence[0] && close.length >= fence.length) fence = null;
      continue;
    }
    const open = FENCE_OPEN.exec(line)?.[1];
    if (open !== undefined) {
      fence = open;
      quoted = false;
    } else if (line.trim() === '') quoted = false;
    else if (QUOTE.test(line)) quoted = true;
    // A line right under a quote, with no blank line between, renders inside the quote.
    else if (!quoted && PREFIX.test(line))
      return { line: line.trim(), cut: i === lines.length - 1 && body.length > MAX_COMMENT_SCAN };
  }
  return null;
}

/** Parses a comment body. null: not a command. */
export function parseCommand(body: string, options: ParseCommandOptions = {}): ParsedCommand | null {
  const found = findCommandLine(body);
  if (found === null) return null;
  const { line } = found;
  const fail = (code: CommandErrorCode, message: string, topic?: CommandVerb): ParsedCommand => ({
    ok: false,
    error: {
      code,
      message,
      help:
        code === 'unknown_root_cause' ? `${commandHelp(topic)}\n\n${ROOT_CAUSE_LIST}` : commandHelp(topic),
    },
    line,
  });
  if (found.cut) {
    return fail('too_long', `command too long: only the first ${MAX_COMMENT_SCAN} characters are read`);
  }
  const [, verbToken, ...rest] = line.split(/\s+/);
  if (verbToken === undefined) return { ok: true, command: { verb: 'help' }, line };
  const verb = COMMAND_VERBS.find((v) => v === verbToken.toLowerCase());
  if (verb === undefined) {
    return fail('unknown_verb', `unknown command ${echo(verbToken)}${didYouMean(verbToken, COMMAND_VERBS)}`);
  }
  const parsed = parseArguments(verb, rest.map(normalizeDashes), options);
  if (!('code' in parsed)) return { ok: true, command: parsed, line };
  return fail(parsed.code, parsed.message, parsed.code === 'unknown_verb' ? undefined : verb);
}

type Built = Command | { readonly code: CommandErrorCode; readonly message: string };

function parseArguments(verb: CommandVerb, tokens: readonly string[], options: ParseCommandOptions): Built {
  const spec = VERBS[verb];
  const flags = new Set<string>();
  const positional: string[] = [];
  for (const token of tokens) {
    if (!token.startsWith('-')) positional.push(token);
    else if (spec.flags.includes(token.toLowerCase())) flags.add(token.toLowerCase());
    else
      return {
        code: 'unknown_flag',
        message:
          spec.flags.length === 0
            ? `unknown flag ${echo(token)}: ${verb} takes no flags`
            : `unknown flag ${echo(token)} for ${verb}${didYouMean(token, spec.flags)}`,
      };
  }
  const args = joinFilterTerms(positional);
  const maxArgs = verb === 'status' || verb === 'pause' || verb === 'resume' ? 0 : 1;
  if (args.length > maxArgs) return tooMany(verb, maxArgs, args);
  const [arg] = args;
  switch (verb) {
    case 'status':
    case 'pause':
    case 'resume':
      return { verb };
    case 'help': {
      if (arg === undefined) return { verb };
      const topic = COMMAND_VERBS.find((v) => v === arg.toLowerCase());
      return topic !== undefined
        ? { verb, topic }
        : { code: 'unknown_verb', message: `unknown command ${echo(arg)}${didYouMean(arg, COMMAND_VERBS)}` };
    }
    case 'explain': {
      if (arg === undefined) return { code: 'missing_argument', message: 'explain needs a root-cause id' };
      const rootCause = ROOT_CAUSES.find((c) => c === arg.toLowerCase());
      return rootCause !== undefined ? { verb, rootCause } : unknownRootCause(arg);
    }
    case 'relaunch':
    case 'cancel': {
      if (arg === undefined && verb === 'cancel') {
        return { code: 'missing_argument', message: `cancel needs a filter: ${FILTER_FORMS}` };
      }
      const filter = parseFilter(arg ?? 'all', options);
      if ('code' in filter) return filter;
      return verb === 'cancel'
        ? { verb, filter }
        : { verb, filter, dryRun: flags.has('--dry-run'), force: flags.has('--force') };
    }
  }
}

function parseFilter(
  arg: string,
  options: ParseCommandOptions,
): CommandFilter | { readonly code: CommandErrorCode; readonly message: string } {
  // Ids and `all` are matched whatever their case; factor levels are the user's own and kept as written.
  const text = arg.includes('=') ? arg : arg.toLowerCase();
  const parsed = parseRelaunchFilter(text, options.factorNames);
  if (parsed.ok) return parsed.filter;
  if (!text.includes('=')) return unknownRootCause(arg, ` (expected ${FILTER_FORMS})`);
  return {
    code: 'malformed_filter',
    message: `malformed filter ${echo(arg)}: ${clipText(parsed.error, 120)}`,
  };
}

function unknownRootCause(arg: string, otherwise = '') {
  const hint = didYouMean(arg.toLowerCase(), ROOT_CAUSES);
  return {
    code: 'unknown_root_cause' as const,
    message: `unknown root cause ${echo(arg)}${hint === '' ? otherwise : hint}`,
  };
}

function tooMany(verb: CommandVerb, max: number, args: readonly string[]) {
  const got = args.map(echo).join(' ');
  const takes = max === 0 ? 'takes no arguments' : 'takes one argument';
  const hint = verb === 'relaunch' || verb === 'cancel' ? '; join filter terms with commas' : '';
  return {
    code: 'too_many_arguments' as const,
    message: `${verb} ${takes}, got ${args.length}: ${got}${hint}`,
  };
}

/** `model=vit, fold=3`: a term ending or starting with a comma continues the filter. */
function joinFilterTerms(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    const last = out.at(-1);
    if (last !== undefined && (last.endsWith(',') || token.startsWith(',')))
      out[out.length - 1] = last + token;
    else out.push(token);
  }
  return out;
}

/** Phones and word processors turn `--` into a dash; `—dry-run` means `--dry-run`. */
function normalizeDashes(token: string): string {
  return token.replace(/^[\u2013\u2014]/, '--');
}

function echo(token: string): string {
  return `"${clipText(token, MAX_ECHO)}"`;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closest(word.toLowerCase(), candidates);
  return guess === undefined ? '' : `; did you mean "${guess}"?`;
}

/**
 * The candidate a typo most likely meant: the nearest by edit distance when it is close enough
 * (a third of its length, at least 1), else the first one the word begins (3+ characters).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = clipText(word, MAX_ECHO);
  let best: { readonly candidate: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(w, candidate);
    if (distance > Math.max(1, Math.floor(candidate.length / 3))) continue;
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best !== undefined) return best.candidate;
  return w.length >= 3 ? candidates.find((c) => c.startsWith(w)) : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
