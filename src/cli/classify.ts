import { createInterface } from 'node:readline';
import { classifyJsonLine } from '../core/classify-jsonl.js';
import { noPositionals, parseFlags } from './args.js';
import type { CliCommand, CliIo } from './commands.js';

/**
 * `sweepwatch classify`: the stable JSON Lines contract of docs/root-causes.md. One output line
 * per input line, in order; a bad line gets {"error": …} and the rest goes on. Exit 0 unless
 * stdin cannot be read. Output is written in batches so 100,000 lines take seconds, not minutes.
 */

const BATCH = 1000;

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export const classifyCommand: CliCommand = {
  summary: 'classify failures from JSON Lines on stdin (the root-cause contract)',
  help: [
    'usage: sweepwatch classify < attempts.jsonl',
    '',
    'Reads one attempt per line: {"log": "...", "scheduler_state": "OUT_OF_MEMORY" | null, "exit_code": "137:0" | 1 | null}',
    'Writes one line per input line, in order:',
    '  {"root_cause": "...", "confidence": 0.0-1.0, "signature": "...", "evidence": [...], "rule": "..."}',
    'A line that is not valid JSON gets {"error": "..."}; the rest goes on.',
    'Exit status: 0, or 1 when stdin cannot be read.',
  ].join('\n'),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    // No options: anything on the command line is a mistake, said before stdin is read.
    noPositionals(parseFlags(args, {}).positionals);
    const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    let batch: string[] = [];
    for await (const line of lines) {
      batch.push(classifyJsonLine(line));
      if (batch.length >= BATCH) {
        await write(io.stdout, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) await write(io.stdout, `${batch.join('\n')}\n`);
    return 0;
  },
};
