/**
 * The hidden `__supervise <jobDir>` command: the local backend starts one detached process per
 * job with it (see supervisor-command.ts). It supervises the job to its end, then exits
 * explicitly: the supervisor's timers must not keep a finished job's process alive.
 */
import { superviseJob } from '../adapters/local/local-supervisor.js';

export async function runSupervisor(args: readonly string[]): Promise<never> {
  const [jobDir] = args;
  if (jobDir === undefined) {
    console.error('usage: sweepwatch __supervise <jobDir> (started by the local backend, not by hand)');
    process.exit(2);
  }
  try {
    await superviseJob(jobDir);
    process.exit(0);
  } catch (error) {
    // stderr is the job's supervisor.log, where a person looks when a job went wrong.
    console.error(error);
    process.exit(1);
  }
}
