/**
 * Log text for the simulated cluster: the real excerpts of the labelled corpus
 * (test/fixtures/logs) as the end of each failed job's stderr, after realistic training output
 * (logging lines, tqdm redraws with \r, warnings), so the classifier scans what it scans in
 * production: mostly noise, the cause near the end.
 */
import { type CorpusEntry, loadCorpus } from '../../test/helpers/log-corpus.js';

/** Which corpus folders a job that ended in a given Slurm state draws its excerpt from. */
const FOLDERS_BY_STATE: Readonly<Record<string, readonly string[]>> = {
  FAILED: [
    'code_error',
    'config_error',
    'env_import',
    'nan_divergence',
    'crash',
    'distributed',
    'disk_quota',
    'gpu_fault',
    'gpu_oom',
    'unknown',
  ],
  OUT_OF_MEMORY: ['host_oom', 'gpu_oom'],
  TIMEOUT: ['timeout'],
  CANCELLED: ['cancelled'],
  NODE_FAIL: ['node_failure'],
  PREEMPTED: ['preempted'],
};

let corpus: Map<string, CorpusEntry[]> | undefined;

function byFolder(): Map<string, CorpusEntry[]> {
  if (corpus !== undefined) return corpus;
  corpus = new Map();
  for (const entry of loadCorpus()) {
    const folder = entry.name.split('/')[0] ?? '';
    corpus.set(folder, [...(corpus.get(folder) ?? []), entry]);
  }
  return corpus;
}

/** Every corpus entry, in a stable order (for the classify JSONL input). */
export function allExcerpts(): CorpusEntry[] {
  return [...byFolder().values()].flat();
}

/** A deterministic corpus excerpt for a job that ended in `state`, picked by `seed`. */
export function excerptFor(state: string, seed: number): CorpusEntry {
  const folders = FOLDERS_BY_STATE[state] ?? ['unknown'];
  const folder = folders[seed % folders.length] ?? 'unknown';
  const entries = byFolder().get(folder) ?? allExcerpts();
  const entry = entries[Math.floor(seed / folders.length) % entries.length];
  if (entry === undefined) throw new Error(`no corpus excerpt for ${state}`);
  return entry;
}

/** Line `n` of a training run's stdout: what fills a log file before anything goes wrong. */
export function trainingLine(n: number): string {
  const epoch = Math.floor(n / 400);
  const step = (n % 400) * 25;
  const loss = (2.5 / (1 + n / 300) + (n % 7) * 0.003).toFixed(4);
  switch (n % 10) {
    case 0:
      return `[2026-11-26 ${String(8 + (epoch % 12)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:${String((n * 7) % 60).padStart(2, '0')},${String(n % 1000).padStart(3, '0')}][train][INFO] - epoch ${epoch} step ${step}/10000 loss=${loss} lr=3.0e-04 grad_norm=${((n % 13) / 5 + 0.4).toFixed(2)} throughput=${800 + (n % 50)}.4 samples/s`;
    case 3: {
      // tqdm redraws one line with \r; the log keeps every state of it on one line.
      const redraws = [10, 20, 30].map(
        (p) =>
          `Epoch ${epoch}: ${p + (n % 10)}%|${'█'.repeat(p / 10)}${' '.repeat(10 - p / 10)}| ${(p + (n % 10)) * 10}/1000 [${String(n % 60).padStart(2, '0')}:02<12:15,  1.34s/it, loss=${loss}]`,
      );
      return redraws.join('\r');
    }
    case 6:
      return `/opt/conda/lib/python3.11/site-packages/torch/utils/data/dataloader.py:${550 + (n % 40)}: UserWarning: This DataLoader will create 8 worker processes in total.`;
    case 8:
      return `wandb: Step ${step}: val/acc=${(0.5 + (n % 40) / 100).toFixed(3)} val/loss=${loss}`;
    default:
      return `step ${step} | loss ${loss} | tokens/s ${12000 + ((n * 37) % 900)} | mem ${(30 + (n % 20) / 3).toFixed(1)}GiB`;
  }
}

/**
 * The last `bytes` bytes of a log of `totalLines` training lines followed by `ending`, as
 * `tail -c` returns them (possibly starting mid-line). Built backwards, so a 64 KiB tail of a
 * long log costs 64 KiB of work, not the whole file.
 */
export function logTail(totalLines: number, ending: string, bytes: number): string {
  const parts: string[] = [ending];
  let size = Buffer.byteLength(ending);
  for (let n = totalLines - 1; n >= 0 && size < bytes; n--) {
    const line = `${trainingLine(n)}\n`;
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  const text = Buffer.from(parts.reverse().join(''));
  return text.subarray(Math.max(0, text.length - bytes)).toString('utf8');
}
