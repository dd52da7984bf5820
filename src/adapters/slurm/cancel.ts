/**
 * cancel(): scancel only what is ours, checked twice in one round trip.
 * 1. Here: ids outside the manifest scope or not shaped like job ids are refused unsent.
 * 2. Remote, before scancel: squeue reports each id's owner, state and name; an id of another
 *    user, outside the sweep's name prefix, unknown, or already finished is refused.
 * 3. scancel itself runs with --user=<remote user>, so even a race cannot reach another's job.
 */
import {
  CANCEL_REFUSALS,
  type CancelRefusal,
  type CancelResult,
  type CancelScope,
} from '../../ports/scheduler.js';
import { type Transport, TransportError } from '../../ports/transport.js';
import { clip } from './fields.js';
import { isValidJobId } from './job-ids.js';
import { parseFramed, SCRIPT_PRELUDE } from './sections.js';

const FINISHED =
  'COMPLETED|FAILED|TIMEOUT|CANCELLED|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|SPECIAL_EXIT|REVOKED';

/**
 * $1 nonce, $2 name prefix ('' = any), then the ids. A row matches an id by its display id, its
 * raw id, or as a task of the array the id names (scancel 43 cancels every task of array 43).
 */
export const CANCEL_SCRIPT = `${SCRIPT_PRELUDE}
prefix=$2
shift 2
ids=$(IFS=,; printf '%s' "$*")
begin squeue 0
sq=$(squeue --noheader --array --all --states=all --jobs="$ids" --format="%i$D%A$D%u$D%T$D%j")
rc=$?
[ -z "$sq" ] || printf '%s\\n' "$sq"
end squeue 0 "$rc"
begin verdicts 0
n=$#
for id do
  v=$(printf '%s\\n' "$sq" | awk -F "$D" -v id="$id" -v u="$user" -v p="$prefix" '
    $1 == id || $2 == id || index($1, id "_") == 1 {
      seen = 1
      if ($3 != u) other = 1
      else if (p != "" && index($5, p) != 1) name = 1
      else if ($4 !~ /^(${FINISHED})/) live = 1
    }
    END {
      if (!seen) print "not_found"; else if (other) print "other_user"; else if (name) print "name_mismatch"
      else if (!live) print "already_finished"; else print "ok"
    }')
  echo "$id $v"
  [ "$v" != ok ] || set -- "$@" "$id"
done
end verdicts 0 0
shift "$n"
if [ "$#" -gt 0 ]; then
  begin scancel 0
  scancel --user="$user" "$@"
  end scancel 0 "$?"
fi
finish
`;

type Refused = CancelResult['refused'][number];

export async function cancelJobs(
  transport: Transport,
  jobIds: readonly string[],
  scope: CancelScope,
  nonce: string,
  timeoutMs: number,
): Promise<CancelResult> {
  const inScope = new Set(scope.jobIds);
  const refused: Refused[] = [];
  const send: string[] = [];
  for (const id of new Set(jobIds)) {
    if (!isValidJobId(id)) refused.push({ jobId: id, reason: 'invalid_id', detail: 'not a Slurm job id' });
    else if (!inScope.has(id))
      refused.push({ jobId: id, reason: 'not_in_scope', detail: 'not in this sweep' });
    else send.push(id);
  }
  if (send.length === 0) return { cancelled: [], refused };

  const argv = ['sh', '-c', CANCEL_SCRIPT, 'sweepwatch-cancel', nonce, scope.namePrefix ?? '', ...send];
  let out: { stdout: string; stderr: string };
  try {
    out = await transport.exec(argv, { timeoutMs });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    for (const id of send) refused.push({ jobId: id, reason: 'scheduler_error', detail: error.message });
    return { cancelled: [], refused };
  }
  const framed = parseFramed(out.stdout, out.stderr, nonce);
  const squeue = framed.sections.find((s) => s.source === 'squeue');
  const verdicts = framed.sections.find((s) => s.source === 'verdicts');
  const scancel = framed.sections.find((s) => s.source === 'scancel');
  const squeueOk = squeue && (squeue.rc === 0 || /Invalid job id specified/i.test(squeue.stderr));
  if (!squeueOk || !verdicts || verdicts.rc === null) {
    // Without the owner check nothing may be cancelled (and the script did not run scancel).
    const detail = clip(squeue?.stderr.trim() || 'the ownership check did not complete');
    for (const id of send) refused.push({ jobId: id, reason: 'scheduler_error', detail });
    return { cancelled: [], refused };
  }
  const verdictOf = new Map<string, string>();
  for (const line of verdicts.lines) {
    const [id = '', verdict = ''] = line.split(' ');
    verdictOf.set(id, verdict);
  }
  const cancelled: string[] = [];
  const scancelErrors = scancel ? scancel.stderr.split('\n').filter((l) => /error/i.test(l)) : [];
  for (const id of send) {
    const verdict = verdictOf.get(id) ?? 'not_found';
    if (verdict !== 'ok') {
      const known = (CANCEL_REFUSALS as readonly string[]).includes(verdict);
      const reason: CancelRefusal = known ? (verdict as CancelRefusal) : 'scheduler_error';
      refused.push({
        jobId: id,
        reason,
        detail: known ? describe(verdict) : `unexpected verdict '${clip(verdict)}'`,
      });
      continue;
    }
    const err = scancelErrors.find((l) => new RegExp(`job id ${id.replace('+', '\\+')}\\b`).test(l));
    if (!scancel || scancel.rc === null) {
      refused.push({ jobId: id, reason: 'scheduler_error', detail: 'scancel did not complete' });
    } else if (err) {
      refused.push({ jobId: id, reason: 'scheduler_error', detail: clip(err) });
    } else if (
      scancel.rc !== 0 &&
      scancelErrors.length > 0 &&
      !scancelErrors.some((l) => /job id \d/.test(l))
    ) {
      // A failure not tied to any id (e.g. the controller is unreachable): nothing is known cancelled.
      refused.push({ jobId: id, reason: 'scheduler_error', detail: clip(scancelErrors[0] ?? '') });
    } else {
      cancelled.push(id);
    }
  }
  return { cancelled, refused };
}

function describe(verdict: string): string {
  switch (verdict) {
    case 'other_user':
      return 'the job belongs to another user';
    case 'name_mismatch':
      return "the job's name is outside the sweep's prefix";
    case 'already_finished':
      return 'the job has already finished';
    case 'not_found':
      return 'the scheduler does not know this job (finished long ago?)';
    default:
      return verdict;
  }
}
