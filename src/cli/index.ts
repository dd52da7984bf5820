// The `sweepwatch` command's entry: the CommonJS shim first (ssh2 needs it), then the CLI.
// The local backend runs job supervisors through this same entry (`__supervise <jobDir>`).
import '../shims/cjs-globals.js';
import { runCli } from './main.js';
import { runSupervisor } from './supervise.js';
import { SUPERVISE_COMMAND } from './supervisor-command.js';

const argv = process.argv.slice(2);
if (argv[0] === SUPERVISE_COMMAND) await runSupervisor(argv.slice(1));
process.exitCode = await runCli(argv, process.stdout, process.stderr, process.stdin);
