import type { ClusterFiles, QuarantineResult } from '../ports/cluster-files.js';
import type { Transport } from '../ports/transport.js';

/**
 * ClusterFiles over any Transport (SSH to a login node, or this machine): one constant script,
 * the destination and the paths as positional arguments, so no path ever becomes shell code.
 * Nothing is deleted: each existing path is moved (mv -n: never over an earlier quarantine).
 */
const QUARANTINE_SCRIPT = `dest=$1; shift
mkdir -p -- "$dest" || exit 3
for p do
  if [ -e "$p" ] || [ -L "$p" ]; then
    mv -n -- "$p" "$dest/" || { printf 'failed\\t%s\\n' "$p"; exit 4; }
    printf 'moved\\t%s\\n' "$p"
  else
    printf 'missing\\t%s\\n' "$p"
  fi
done`;

export class TransportClusterFiles implements ClusterFiles {
  constructor(private readonly transport: Transport) {}

  async quarantine(paths: readonly string[], dest: string): Promise<QuarantineResult> {
    if (paths.length === 0) return { moved: [], missing: [] };
    const r = await this.transport.exec([
      'sh',
      '-c',
      QUARANTINE_SCRIPT,
      'sweepwatch-quarantine',
      dest,
      ...paths,
    ]);
    const moved: string[] = [];
    const missing: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const [status, path] = line.split('\t');
      if (path === undefined) continue;
      if (status === 'moved') moved.push(path);
      else if (status === 'missing') missing.push(path);
    }
    if (r.code !== 0) {
      throw new Error(
        `could not move partial outputs aside into ${dest}: ${r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`}`,
      );
    }
    return { moved, missing };
  }
}
