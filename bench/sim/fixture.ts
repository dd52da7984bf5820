/**
 * A simulated sweep written to files, so the process that is measured holds only what a real
 * tick holds: the manifest (parsed from its JSON, as a store loads it), the bytes the cluster
 * sends (the observe output, prepared for the exact id chunks the tick will send, and read
 * from its file in pieces when asked, as a transport receives it: the tick holds what it keeps
 * of them, and nothing else does), and the log files that exist. The job table that made
 * them stays in the process that wrote them.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkIds } from '../../src/adapters/slurm/job-ids.js';
import { liveJobIds } from '../../src/app/job-request.js';
import { parseSweepConfig, type SweepConfig } from '../../src/config/sweep-config.js';
import { type Manifest, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { logFilesOf, type SimCluster, type SimLogFile } from './sim-transport.js';
import { observeStdout } from './slurm-output.js';
import { buildSweep, countFates, sweepYaml } from './sweep.js';

/** The nonce the measured scheduler is built with, so the observe output can be prepared. */
export const FIXTURE_NONCE = 'bench';
/** The Slurm adapter's default id chunk size (SlurmSchedulerOptions.chunkBytes). */
const CHUNK_BYTES = 100_000;

interface FixtureMeta {
  readonly size: number;
  readonly now: string;
  readonly clusterNow: string;
  readonly fates: Readonly<Record<string, number>>;
}

export function writeFixture(size: number, dir: string): FixtureMeta {
  mkdirSync(dir, { recursive: true });
  const sweep = buildSweep(size);
  const chunks = chunkIds(liveJobIds(sweep.launched), CHUNK_BYTES);
  const byId = new Map(sweep.jobs.map((j) => [j.id, j]));
  writeFileSync(join(dir, 'observe.out'), observeStdout(FIXTURE_NONCE, chunks, byId, sweep.clusterNow));
  writeFileSync(join(dir, 'chunks.txt'), `${chunks.join('\n')}\n`);
  writeFileSync(join(dir, 'manifest.json'), serializeManifest(sweep.launched));
  writeFileSync(join(dir, 'sweep.yml'), sweepYaml(size));
  writeFileSync(join(dir, 'logs.json'), JSON.stringify([...logFilesOf(sweep.jobs)]));
  const meta = { size, now: sweep.now, clusterNow: sweep.clusterNow, fates: countFates(sweep.jobs) };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

export interface Fixture {
  readonly meta: FixtureMeta;
  readonly config: SweepConfig;
  readonly manifest: Manifest;
  readonly cluster: SimCluster;
}

/** The size of the pieces an answer arrives in: ssh2 hands over a channel's data ~32 KiB at a time. */
const PIECE_BYTES = 32 * 1024;

/** A file's bytes in pieces, read as they are asked for: the whole is never in memory. */
function* pieces(path: string): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const piece = Buffer.allocUnsafe(PIECE_BYTES);
      const n = readSync(fd, piece, 0, PIECE_BYTES, null);
      if (n === 0) return;
      yield piece.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export function readFixture(dir: string): Fixture {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
  const stdin = readFileSync(join(dir, 'chunks.txt'), 'utf8');
  // The endings repeat (a few hundred excerpts): each is kept once, as the corpus would be.
  const endings = new Map<string, string>();
  const listed = JSON.parse(readFileSync(join(dir, 'logs.json'), 'utf8')) as [string, SimLogFile][];
  const files = new Map(
    listed.map(([path, f]): [string, SimLogFile] => {
      const ending = endings.get(f.ending) ?? f.ending;
      endings.set(ending, ending);
      return [path, { stream: f.stream, ending }];
    }),
  );
  const cluster: SimCluster = {
    observe: (nonce, chunks) => {
      // Prepared for one question only; another one would be a bug in the benchmark.
      if (nonce !== FIXTURE_NONCE || `${chunks.join('\n')}\n` !== stdin)
        throw new Error('unexpected observe call');
      // The reading is the cluster's and the network's time (busyMs), not the tick's.
      return pieces(join(dir, 'observe.out'));
    },
    logFile: (path) => files.get(path),
  };
  return {
    meta,
    config: parseSweepConfig(readFileSync(join(dir, 'sweep.yml'), 'utf8'), 'bench/sweepwatch.yml'),
    manifest: parseManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), { source: 'bench' }),
    cluster,
  };
}
