/**
 * preflight(): everything a launch needs, checked in ONE remote call, each problem specific:
 * the commands and their versions, the remote user, that the partitions exist (sinfo), that the
 * accounts and QOS are the user's (sacctmgr associations), that the directories are writable,
 * and whether accounting answers (without it observation runs on the squeue fallback).
 */
import type { PreflightProblem, PreflightReport, PreflightRequest } from '../../ports/scheduler.js';
import type { Transport } from '../../ports/transport.js';
import { clip } from './fields.js';
import { parseFramed, SCRIPT_PRELUDE, type Section } from './sections.js';

/** Without these nothing works; without the others monitoring degrades. */
const REQUIRED = ['sbatch', 'squeue', 'scancel', 'scontrol'] as const;
const OPTIONAL = ['sacct', 'sinfo', 'sacctmgr'] as const;

/** $1 nonce, then the directories to check. */
export const PREFLIGHT_SCRIPT = `${SCRIPT_PRELUDE}
shift 1
begin commands 0
for c in ${[...REQUIRED, ...OPTIONAL].join(' ')}; do
  if command -v "$c" >/dev/null 2>&1; then echo "$c $("$c" --version 2>&1 | head -n 1)"; else echo "$c"; fi
done
end commands 0 0
begin sinfo 0
sinfo --noheader --format=%R
end sinfo 0 "$?"
begin assoc 0
sacctmgr --noheader --parsable2 show assoc where user="$user" format=account,partition,qos
end assoc 0 "$?"
begin sacct 0
sacct --noheader --parsable2 --allocations --user="$user" --starttime=now --endtime=now --format=JobID
end sacct 0 "$?"
begin dirs 0
i=0
for d do
  if [ -d "$d" ] && [ -w "$d" ]; then echo "$i ok"; elif [ -e "$d" ]; then echo "$i not_writable"; else echo "$i missing"; fi
  i=$((i + 1))
done
end dirs 0 0
finish
`;

export async function runPreflight(
  transport: Transport,
  request: PreflightRequest,
  nonce: string,
  timeoutMs: number,
): Promise<PreflightReport> {
  const dirs = [...(request.writableDirs ?? [])];
  const out = await transport.exec(['sh', '-c', PREFLIGHT_SCRIPT, 'sweepwatch-preflight', nonce, ...dirs], {
    timeoutMs,
  });
  const framed = parseFramed(out.stdout, out.stderr, nonce);
  const section = (name: string) => framed.sections.find((s) => s.source === name);
  const problems: PreflightProblem[] = [];
  const problem = (p: PreflightProblem) => problems.push(p);

  const user = framed.meta.get('user') ?? null;
  if (user === null) {
    problem({
      code: 'user_unknown',
      severity: 'error',
      subject: 'id -un',
      message: framed.meta.get('error') ?? firstLine(out.stderr),
    });
  }

  const versions: Record<string, string | null> = {};
  for (const line of section('commands')?.lines ?? []) {
    const [name = '', ...rest] = line.split(' ');
    versions[name] = rest.length > 0 ? rest.join(' ') : null;
  }
  for (const name of [...REQUIRED, ...OPTIONAL]) {
    if (versions[name] === undefined) versions[name] = null;
    if (versions[name] !== null) continue;
    const required = (REQUIRED as readonly string[]).includes(name);
    problem({
      code: 'command_missing',
      severity: required ? 'error' : 'warning',
      subject: name,
      message: `${name} is not on the remote PATH${required ? '' : ' (monitoring degrades)'}`,
    });
  }

  const sacct = section('sacct');
  const accountingAvailable = versions.sacct !== null && sacct?.rc === 0 && !/error/i.test(sacct.stderr);
  if (versions.sacct !== null && !accountingAvailable) {
    problem({
      code: 'accounting_unavailable',
      severity: 'warning',
      subject: 'sacct',
      message: `sacct does not answer (${errorOf(sacct)}); jobs are observed via squeue/scontrol and vanish after MinJobAge`,
    });
  }

  checkPartitions(request, section('sinfo'), problem);
  checkAssociations(request, section('assoc'), problem);

  const verdicts = section('dirs')?.lines ?? [];
  dirs.forEach((dir, i) => {
    const verdict = verdicts.find((l) => l.startsWith(`${i} `))?.slice(String(i).length + 1) ?? 'unchecked';
    if (verdict === 'ok') return;
    const why =
      verdict === 'missing'
        ? 'does not exist'
        : verdict === 'not_writable'
          ? 'is not a writable directory'
          : 'could not be checked';
    problem({
      code: 'dir_not_writable',
      severity: 'error',
      subject: dir,
      message: `${dir} ${why} for ${user ?? 'the remote user'}`,
    });
  });

  return { ok: !problems.some((p) => p.severity === 'error'), user, versions, accountingAvailable, problems };
}

function checkPartitions(
  req: PreflightRequest,
  sinfo: Section | undefined,
  problem: (p: PreflightProblem) => void,
) {
  const wanted = req.partitions ?? [];
  if (wanted.length === 0) return;
  if (sinfo?.rc !== 0) {
    problem({
      code: 'query_failed',
      severity: 'error',
      subject: 'sinfo',
      message: `cannot list partitions: ${errorOf(sinfo)}`,
    });
    return;
  }
  const known = new Set(sinfo.lines.map((l) => l.trim().replace(/\*$/, '')));
  for (const p of wanted) {
    if (!known.has(p)) {
      problem({
        code: 'partition_unknown',
        severity: 'error',
        subject: p,
        message: `partition '${p}' does not exist (known: ${[...known].join(', ') || 'none'})`,
      });
    }
  }
}

function checkAssociations(
  req: PreflightRequest,
  assoc: Section | undefined,
  problem: (p: PreflightProblem) => void,
) {
  const accounts = req.accounts ?? [];
  const qos = req.qos ?? [];
  if (accounts.length === 0 && qos.length === 0) return;
  if (assoc?.rc !== 0) {
    // Without the accounting database the associations cannot be read: say so, do not guess.
    problem({
      code: 'accounting_unavailable',
      severity: 'warning',
      subject: 'sacctmgr',
      message: `cannot verify accounts/QOS: ${errorOf(assoc)}`,
    });
    return;
  }
  const knownAccounts = new Set<string>();
  const knownQos = new Set<string>();
  for (const line of assoc.lines) {
    const [account = '', , qosList = ''] = line.split('|');
    if (account !== '') knownAccounts.add(account);
    for (const q of qosList.split(',')) if (q !== '') knownQos.add(q);
  }
  for (const a of accounts) {
    if (!knownAccounts.has(a))
      problem({
        code: 'account_unknown',
        severity: 'error',
        subject: a,
        message: `the user has no association with account '${a}'`,
      });
  }
  for (const q of qos) {
    if (!knownQos.has(q))
      problem({
        code: 'qos_unknown',
        severity: 'error',
        subject: q,
        message: `QOS '${q}' is not allowed for the user's associations`,
      });
  }
}

function errorOf(s: Section | undefined): string {
  if (!s) return 'no output';
  return firstLine(s.stderr) || `exit ${s.rc ?? 'unknown'}`;
}

function firstLine(text: string): string {
  return clip(
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '',
  );
}
