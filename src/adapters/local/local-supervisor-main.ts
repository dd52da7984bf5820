/**
 * The supervisor's entry when run from source (`node --import tsx local-supervisor-main.ts
 * <jobDir>`); the bundle reaches superviseJob through the CLI instead. Its stdout and stderr
 * are the job's supervisor.log.
 */
import { superviseJob } from './local-supervisor.js';

const jobDir = process.argv[2];
if (jobDir === undefined) {
  console.error('usage: local-supervisor-main <jobDir>');
  process.exit(2);
}
superviseJob(jobDir).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
