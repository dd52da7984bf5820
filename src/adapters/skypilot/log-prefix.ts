/**
 * `sky jobs logs` prints each line of the task's output behind the process that wrote it:
 * `(<task name>, pid=2383) `, `(setup pid=2383) `, on several nodes
 * `(worker1, rank=1, pid=2383, ip=10.0.0.2) `, in cyan on a terminal (the `streaming_prefix`
 * of sky's log_lib and its task codegen). The task name is the job name, different for every
 * condition: left in, the same error in two conditions would never have the same signature, so
 * it would neither group nor trip the kill switch. The prefix goes, and the colours with it;
 * what the program printed stays, as a Slurm log holds it.
 */
import { stripAnsi } from './text-table.js';

const RUN_PREFIX = /^\([^()\n]*\bpid=\d+[^()\n]*\) ?/gm;

export function stripSkyLogPrefixes(text: string): string {
  return stripAnsi(text).replace(RUN_PREFIX, '');
}
