/**
 * argv → one POSIX `sh` command line. The remote side of an SSH exec is always a shell
 * (sshd runs `$SHELL -c <line>`), so every argument must be quoted or it is code.
 */

/**
 * Words made only of these characters mean the same thing quoted or not in every POSIX shell,
 * so they stay bare to keep commands readable in logs. Notably absent: glob characters, `~`
 * (tilde expansion at a word start), `=` (assignment when it is argv[0]) and `!`.
 */
const SAFE_BARE_WORD = /^[A-Za-z0-9_@%+,./:-]+$/;

/** Quotes one argument: bare when that is provably safe, else inside single quotes. */
export function shellQuoteArg(arg: string): string {
  if (arg.includes('\0')) {
    // A C string ends at NUL: the remote program would silently see a shorter argument.
    throw new TypeError('shell-quote: an argument contains a NUL byte, which no command line can carry');
  }
  if (arg === '') return "''";
  if (SAFE_BARE_WORD.test(arg)) return arg;
  // Inside single quotes nothing is special except the closing quote itself, so each embedded
  // quote closes the string, adds an escaped quote, and reopens it.
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Quotes every argument and joins them with spaces. An empty argv is a programming error. */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('shell-quote: argv is empty');
  return argv.map(shellQuoteArg).join(' ');
}
