import { classify, parseExitCode } from './root-cause.js';
import type { ClassifyInput } from './types.js';

/**
 * One line of `sweepwatch classify`, per the stable contract in docs/root-causes.md:
 * `{"log", "scheduler_state", "exit_code"}` in, `{"root_cause", "confidence", "signature",
 * "evidence", "rule"}` out, `{"error"}` for a line that cannot be classified. Other input
 * fields are never read. The CLI owns stdin/stdout and calls this once per line, in order.
 *
 * Tolerant where the contract is silent: a missing `log` is an empty log and a missing state
 * or exit code is null, so partial records still get an answer. Strict where a value is
 * present but of the wrong type, since guessing would hide a bug in the producer.
 */

type Parsed = { readonly input: ClassifyInput } | { readonly error: string };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function parseRecord(line: string): Parsed {
  if (line.trim() === '') return { error: 'empty line: expected a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return { error: `invalid JSON: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `expected a JSON object, got ${typeName(value)}` };
  }
  const record = value as Record<string, unknown>;

  const log = record.log ?? '';
  if (typeof log !== 'string') return { error: `"log" must be a string, got ${typeName(log)}` };

  const state = record.scheduler_state ?? null;
  if (state !== null && typeof state !== 'string') {
    return { error: `"scheduler_state" must be a string or null, got ${typeName(state)}` };
  }

  const exit = record.exit_code ?? null;
  if (exit !== null && typeof exit !== 'string' && typeof exit !== 'number') {
    return { error: `"exit_code" must be "code:signal", an integer or null, got ${typeName(exit)}` };
  }
  if (parseExitCode(exit) === null) {
    return { error: `"exit_code" must be "code:signal", an integer or null, got ${describe(exit)}` };
  }
  return { input: { log, schedulerState: state, exitCode: exit } };
}

/** Maps one input line to one output line (without the newline). Never throws. */
export function classifyJsonLine(line: string): string {
  const parsed = parseRecord(line.endsWith('\r') ? line.slice(0, -1) : line);
  if ('error' in parsed) return JSON.stringify({ error: parsed.error });
  const result = classify(parsed.input);
  return JSON.stringify({
    root_cause: result.rootCause,
    confidence: Math.round(result.confidence * 100) / 100,
    signature: result.signature,
    evidence: result.evidence,
    rule: result.rule,
  });
}
