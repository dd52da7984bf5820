/**
 * Suite 2 in a process of its own, bundled by ncc and run on plain node as the Action runs
 * (bench/support/child.ts): under tsx every closure the tick makes goes through esbuild's
 * name-keeping helper, a cost the Action does not have. Reads the lab's jobs from the JSON
 * file named by its argument (lab.ts writes it), logs progress on stderr and prints one JSON
 * line: PairsResult.
 *
 *   node --import tsx bench/suites/lab-child.ts <input.json>
 */
// The CommonJS shim first, as in the Action's entry: a bundled ssh2 needs it at load.
import '../../src/shims/cjs-globals.js';
import { readFileSync } from 'node:fs';
import { readLab } from '../../test/helpers/lab.js';
import { labTransports } from '../lab/lab-jobs.js';
import { type PairsInput, runPairs } from './lab-pairs.js';

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as PairsInput;
  const result = await runPairs(input, labTransports(readLab()), (m) => process.stderr.write(`${m}\n`));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
