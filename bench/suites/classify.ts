/**
 * Suite 6: `sweepwatch classify` throughput. The lines are the labelled corpus's real excerpts
 * as the contract's JSON records, cycled to the requested count; each goes through
 * classifyJsonLine, which parses, classifies and serializes, exactly what the CLI does per line.
 */
import { classifyJsonLine } from '../../src/core/classify-jsonl.js';
import { allExcerpts } from '../sim/logs.js';

export interface ClassifyResult {
  readonly lines: number;
  readonly inputBytes: number;
  readonly seconds: number;
  readonly linesPerSecond: number;
  /** Lines that came back as {"error"}: must be 0 for the corpus. */
  readonly errors: number;
}

export function runClassify(count: number): ClassifyResult {
  const records = allExcerpts().map((e) =>
    JSON.stringify({ log: e.log, scheduler_state: e.schedulerState, exit_code: e.exitCode }),
  );
  let inputBytes = 0;
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const line = records[i % records.length] ?? '';
    inputBytes += line.length;
    if (classifyJsonLine(line).startsWith('{"error"')) errors++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { lines: count, inputBytes, seconds, linesPerSecond: count / seconds, errors };
}
