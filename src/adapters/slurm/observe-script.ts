/**
 * The one remote script behind observe(). It is a constant: data reaches it only as positional
 * arguments ($1 nonce, $2 fallback cap) and on stdin (one comma-joined id chunk per line), never
 * spliced into code. Per chunk it runs squeue and sacct, each framed by markers with its own exit
 * status (sections.ts), so a failing sacct is visible as such. When sacct fails it falls back to
 * `scontrol show job` for the finished jobs squeue still holds (exit codes, restarts, log paths).
 * Every query is scoped to the chunk's ids AND the remote user.
 */
import { TERMINAL_STATES } from '../../core/types.js';
import { FIELD_SEPARATOR, SACCT_FIELDS } from './sacct-parse.js';
import { SCRIPT_PRELUDE } from './sections.js';
import { SQUEUE_FIELDS } from './squeue-parse.js';

/** squeue states after which the job will not change: scontrol is asked for their exit codes. */
const FINISHED_STATES = TERMINAL_STATES;

if (FIELD_SEPARATOR !== '\x1f') throw new Error('observe-script assumes the unit separator');

const squeueFormat = SQUEUE_FIELDS.join('$D');
const sacctFormat = SACCT_FIELDS.join(',');

export const OBSERVE_SCRIPT = `${SCRIPT_PRELUDE}
cap=$2
i=0
while IFS= read -r ids || [ -n "$ids" ]; do
  [ -n "$ids" ] || continue
  begin squeue "$i"
  sq=$(squeue --noheader --array --all --states=all --user="$user" --jobs="$ids" --format="${squeueFormat}")
  rc=$?
  [ -z "$sq" ] || printf '%s\\n' "$sq"
  end squeue "$i" "$rc"
  begin sacct "$i"
  { se=$(sacct --noheader --parsable2 --delimiter="$D" --duplicates --user="$user" --jobs="$ids" --format=${sacctFormat} 2>&1 1>&3 3>&-); } 3>&1
  rc=$?
  [ -z "$se" ] || printf '%s\\n' "$se" >&2
  end sacct "$i" "$rc"
  case "$se" in *error*) rc=1 ;; esac
  if [ "$rc" -ne 0 ] && [ -n "$sq" ]; then
    printf '%s\\n' "$sq" | awk -F "$D" '$3 ~ /^(${FINISHED_STATES.join('|')})/ { print $2 }' | sort -u | head -n "$cap" |
    while IFS= read -r jid; do
      begin scontrol "$jid"
      scontrol --oneliner show job "$jid"
      end scontrol "$jid" "$?"
    done
  fi
  i=$((i + 1))
done
finish
`;

/** The argv of the observe call; $0 names the script in the remote `ps` and in error messages. */
export function observeArgv(nonce: string, fallbackCap: number): string[] {
  return ['sh', '-c', OBSERVE_SCRIPT, 'sweepwatch-observe', nonce, String(fallbackCap)];
}
