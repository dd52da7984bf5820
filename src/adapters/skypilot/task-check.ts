/**
 * Reading and checking a task YAML where sky will read it (the cluster side of the transport),
 * once per file: ONE remote call returns the file and its sha256, checked here (task-yaml.ts)
 * and cached by (workdir, path). The launch script compares the digest again right before
 * `sky jobs launch`, so what launches is exactly what was checked.
 */
import type { Transport } from '../../ports/transport.js';
import { clip } from '../slurm/fields.js';
import { parseFramed, SKY_PRELUDE } from './script.js';
import { checkTaskYaml, type TaskCheck, type TaskCheckOptions } from './task-yaml.js';

/** Task YAMLs are small; anything larger is not one. */
export const MAX_TASK_YAML_BYTES = 1024 * 1024;

/** sha256 of a file with whatever the host has (coreutils, perl's shasum, openssl). */
export const DIGEST_FN = `digest() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum < "$1"
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 < "$1"
  else openssl dgst -sha256 -r < "$1"; fi 2>/dev/null | cut -d' ' -f1
}`;

/** $1 nonce, $2 workdir ('' = none), $3 the YAML path, $4 max bytes. */
export const READ_TASK_SCRIPT = `${SKY_PRELUDE}
${DIGEST_FN}
wd=$2
f=$3
if [ -n "$wd" ] && ! cd -- "$wd" 2>/dev/null; then meta error "cannot enter the workdir"; finish; exit 0; fi
if [ -f "$f" ] && [ -r "$f" ]; then
  meta digest "$(digest "$f")"
  meta size "$(wc -c < "$f" | tr -d ' ')"
  begin yaml 0
  head -c "$4" < "$f"
  echo
  end yaml 0 0
else
  meta missing 1
fi
finish
`;

export type CheckedTask = { readonly check: TaskCheck; readonly digest: string };

export class TaskChecks {
  private readonly cache = new Map<string, CheckedTask>();

  constructor(
    private readonly transport: Transport,
    private readonly options: TaskCheckOptions & { timeoutMs: number; nonce: () => string },
  ) {}

  /** The cached check of a file, or a fresh one (one remote call). A TransportError propagates. */
  async get(workdir: string, path: string): Promise<CheckedTask> {
    const key = `${workdir}\0${path}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const fresh = await this.read(workdir, path);
    // Only a readable file is cached: a missing one may appear before the next launch.
    if (fresh.digest !== '') this.cache.set(key, fresh);
    return fresh;
  }

  forget(workdir: string, path: string): void {
    this.cache.delete(`${workdir}\0${path}`);
  }

  private async read(workdir: string, path: string): Promise<CheckedTask> {
    const nonce = this.options.nonce();
    const argv = [
      'sh',
      '-c',
      READ_TASK_SCRIPT,
      'sweepwatch-sky-task',
      nonce,
      workdir,
      path,
      String(MAX_TASK_YAML_BYTES),
    ];
    const out = await this.transport.exec(argv, {
      timeoutMs: this.options.timeoutMs,
      maxStdoutBytes: MAX_TASK_YAML_BYTES + 64 * 1024,
    });
    const framed = parseFramed(out.stdout, out.stderr, nonce);
    const where = workdir === '' ? path : `${path} (in ${workdir})`;
    const refuse = (message: string): CheckedTask => ({
      check: { ok: false, file: where, key: '(file)', message },
      digest: '',
    });
    const error = framed.meta.get('error');
    if (error !== undefined) return refuse(`${where}: ${error}`);
    if (framed.meta.has('missing'))
      return refuse(`${where}: the task YAML does not exist or is not readable`);
    const section = framed.sections.find((s) => s.source === 'yaml');
    const digest = framed.meta.get('digest') ?? '';
    const size = Number(framed.meta.get('size'));
    if (section?.rc !== 0 || !framed.done)
      return refuse(`${where}: could not be read (${clip(out.stderr.trim())})`);
    if (size > MAX_TASK_YAML_BYTES) return refuse(`${where}: ${size} bytes is too large for a task YAML`);
    if (!/^[0-9a-f]{64}$/.test(digest))
      return refuse(`${where}: no sha256 tool on the host (sha256sum, shasum, openssl)`);
    return {
      check: checkTaskYaml(section.lines.join('\n'), where, {
        allowBareVm: this.options.allowBareVm,
        ...(this.options.imageId !== undefined ? { imageId: this.options.imageId } : {}),
      }),
      digest,
    };
  }
}
