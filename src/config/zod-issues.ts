/**
 * zod in the sweep file's words: strict objects whose unknown keys carry a "did you mean", and
 * zod issues rewritten as short messages that show the offending value.
 */
import { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { clip, formatPath } from './config-error.js';
import { didYouMean } from './suggest.js';
import { BRACE_HINT } from './yaml-source.js';

/**
 * The error map of a closed key set. zod reports all unknown keys of one object in a single
 * issue; the message holds one line per key, in the issue's key order, so toConfigIssues can
 * split it back into one issue (and one line number) per key.
 */
export function unknownKeyError(known: readonly string[]) {
  return (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys
          .map((key) => `unknown key${didYouMean(key, known)}; known keys: ${known.join(', ')}`)
          .join('\n')
      : undefined;
}

/** z.strictObject whose unknown keys get a "did you mean". */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: unknownKeyError(Object.keys(shape)) });
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(clip(value))}`;
  return `${typeof value} ${clip(String(value))}`;
}

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Reflect.get(node, segment);
  }
  return node;
}

/** `- {model}` parses as the mapping {model: null}. */
function looksLikeUnquotedPlaceholder(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length === 1 && entries[0]?.[1] === null;
}

// zod's stock wording; anything else was written in a schema on purpose and is kept.
const STOCK = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid number)/;

function stockMessage(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required (${TYPE_WORDS[issue.expected] ?? issue.expected})`;
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      return `must be one of ${options.join(', ')}, got ${describeValue(value)}${didYouMean(String(value), options)}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${describeValue(value)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${describeValue(value)}`;
    default:
      return `${issue.message}, got ${describeValue(value)}`;
  }
}

function message(issue: z.core.$ZodIssue, data: unknown): string {
  const value = valueAt(data, issue.path);
  if (looksLikeUnquotedPlaceholder(value)) return `expected a string, got a mapping${BRACE_HINT}`;
  if (STOCK.test(issue.message)) return stockMessage(issue, value);
  // Schema-written messages for a wrong-shaped value still show what was there.
  const shown =
    issue.code === 'invalid_union' || issue.code === 'invalid_format' || issue.code === 'invalid_type';
  return shown && !issue.message.includes(', got ')
    ? `${issue.message}, got ${describeValue(value)}`
    : issue.message;
}

/** One ConfigIssue per problem (per unknown key), with the path as the user sees it. */
export function toConfigIssues(
  error: z.ZodError,
  data: unknown,
  lineOf: (path: readonly PropertyKey[]) => number | null,
): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n');
      return issue.keys.map((key, i) => {
        const path = [...issue.path, key];
        return { path: formatPath(path), message: lines[i] ?? 'unknown key', line: lineOf(path) };
      });
    }
    return [{ path: formatPath(issue.path), message: message(issue, data), line: lineOf(issue.path) }];
  });
}
