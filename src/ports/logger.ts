/** Progress lines for a person: the Action maps them to core.info/warning/debug, the CLI to stderr. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** For callers (and tests) that have nowhere to write. */
export const silentLogger: Logger = { info: () => {}, warning: () => {}, debug: () => {} };
