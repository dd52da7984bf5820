/**
 * Puts the stand-in `sky` (sky-standin.py) on a host as <dir>/bin/sky with a scenario, over
 * any Transport, and reads back the argv of every call it answered.
 */
import { readFileSync } from 'node:fs';
import type { Transport } from '../../../src/ports/transport.js';
import type { Scenario } from './records.js';

const STANDIN = readFileSync(new URL('./sky-standin.py', import.meta.url), 'utf8');

async function sh(transport: Transport, script: string, args: readonly string[], stdin?: string) {
  const r = await transport.exec(['sh', '-c', script, 'sh', ...args], stdin === undefined ? {} : { stdin });
  if (r.code !== 0) throw new Error(`stand-in sky: ${r.stderr}`);
  return r.stdout;
}

/** Installs (or reinstalls, with fresh counters and log) the stand-in; returns its path. */
export async function installStandin(transport: Transport, dir: string, scenario: Scenario): Promise<string> {
  await sh(transport, 'mkdir -p "$1/bin" && rm -f "$1/argv.jsonl" "$1/state.json"', [dir]);
  await sh(transport, 'cat > "$1/bin/sky" && chmod +x "$1/bin/sky"', [dir], STANDIN);
  await sh(transport, 'cat > "$1/scenario.json"', [dir], JSON.stringify(scenario));
  return `${dir}/bin/sky`;
}

/** Every argv the stand-in was called with, in order. */
export async function standinCalls(transport: Transport, dir: string): Promise<string[][]> {
  const text = await sh(transport, 'cat "$1/argv.jsonl" 2>/dev/null || true', [dir]);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as string[]);
}
