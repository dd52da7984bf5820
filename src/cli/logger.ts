import type { Logger } from '../ports/logger.js';

/** The use cases' progress lines on stderr: warnings always, info and debug with --verbose. */
export function stderrLogger(stream: NodeJS.WritableStream, verbose: boolean): Logger {
  return {
    info: (message) => {
      if (verbose) stream.write(`sweepwatch: ${message}\n`);
    },
    warning: (message) => stream.write(`sweepwatch: warning: ${message}\n`),
    debug: (message) => {
      if (verbose) stream.write(`sweepwatch: debug: ${message}\n`);
    },
  };
}
