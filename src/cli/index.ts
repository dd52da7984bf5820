// The `sweepwatch` command's entry: the CommonJS shim first (ssh2 needs it), then the CLI.
import '../shims/cjs-globals.js';
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2), process.stdout, process.stderr);
