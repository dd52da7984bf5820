/**
 * The shell side of every SkyPilot script. Same framing protocol as the Slurm adapter's
 * (adapters/slurm/sections.ts: marker lines with a per-call nonce, each command's exit status,
 * `done` at the end), so its parser is reused. $1 is always the nonce; the sky command itself
 * arrives last, as positional arguments, and runs as "$@": an argv, never a shell string.
 *
 * `run` captures one command: stdout into the section, stderr into the same section of the
 * stderr stream AND into $err (a file) so the script can look at it (click's usage errors).
 * A newline follows the output so the end marker always starts a line (an extra blank line is
 * harmless to every parser here).
 */
export { type Framed, newNonce, parseFramed, type Section } from '../slurm/sections.js';

export const SKY_PRELUDE = [
  // sky prints `↳`, `⚙︎` and friends: without UTF-8 a C locale makes Python fail on them.
  'export PYTHONIOENCODING=utf-8 NO_COLOR=1',
  'M="@@SW:$1:"',
  `begin() { printf '%sbegin:%s:%s\\n' "$M" "$1" "$2"; printf '%sbegin:%s:%s\\n' "$M" "$1" "$2" >&2; }`,
  `end() { printf '%send:%s:%s:%s\\n' "$M" "$1" "$2" "$3"; }`,
  `meta() { printf '%smeta:%s:%s\\n' "$M" "$1" "$2"; }`,
  `finish() { printf '%sdone\\n' "$M"; }`,
  `err=$(mktemp) || { meta error 'mktemp failed'; exit 3; }`,
  `trap 'rm -f "$err"' EXIT`,
  // run <source> <key> cmd…: runs cmd as a framed section; rc in $rc, stderr in $err.
  `run() { s=$1; k=$2; shift 2; begin "$s" "$k"; "$@" 2>"$err"; rc=$?; echo; cat "$err" >&2; end "$s" "$k" "$rc"; }`,
  `user=$(id -un) || { meta error 'id -un failed'; exit 3; }`,
  'meta user "$user"',
  'meta epoch "$(date +%s)"',
].join('\n');
