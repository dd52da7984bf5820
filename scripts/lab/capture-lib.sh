# shellcheck shell=bash
# Helpers for capture-fixtures.sh (sourced after lib.sh). Globals used: OUT, WORK, NODE.

# Field delimiter for the parsable outputs: ASCII unit separator (0x1f). '|' can appear
# in job names, WorkDir and above all SubmitLine (`--wrap 'a | b'`), 0x1f cannot be typed
# into any of them by accident.
US=$'\x1f'
SQ_FIELDS=(%i %A %F %K %j %u %P %T %r %M %l %C %m %N %V %S %e)
SQ_FMT=$(IFS=$US; echo "${SQ_FIELDS[*]}")
# squeue -O: "Name:<suffix>" (empty size) prints the value unpadded followed by the
# suffix; the last field has no suffix (nor padding).
SQ_OFIELDS=(JobID JobArrayID ArrayJobID ArrayTaskID Name UserName Partition State Reason
  exit_code DerivedEC RestartCnt TimeUsed TimeLimit NumCPUs MinMemory NodeList SubmitTime
  StartTime EndTime WorkDir STDOUT STDERR)
SQ_OFMT=$(printf "%s:$US," "${SQ_OFIELDS[@]:0:${#SQ_OFIELDS[@]}-1}")${SQ_OFIELDS[-1]}:
# No Restarts/StdOut/StdErr in sacct 22.05 (sacct --helpformat).
SACCT_FIELDS=JobID,JobIDRaw,JobName,User,Account,Partition,State,ExitCode,DerivedExitCode,Reason,Submit,Eligible,Start,End,Elapsed,ElapsedRaw,Timelimit,TimelimitRaw,NodeList,AllocCPUS,ReqMem,MaxRSS,Flags,WorkDir,SubmitLine,Comment

README_ROWS=()

# The job scripts, written to the jobs' working directory and kept in the fixtures.
write_job_scripts() {
  local d=$OUT/job-scripts
  mkdir -p "$d"
  printf '#!/bin/bash\necho "started on $(hostname)"\nsleep 600\n' >"$d/timeout.sh"
  cp "$d/timeout.sh" "$d/cancel.sh"
  cp "$d/timeout.sh" "$d/nodefail.sh"
  printf '#!/bin/bash\necho "this should not run"\n' >"$d/pending.sh"
  cat >"$d/completed.sh" <<'EOF'
#!/bin/bash
echo "job $SLURM_JOB_ID on $(hostname)"
for epoch in 1 2 3; do echo "epoch $epoch loss 0.$((9 - epoch))"; done
echo "done"
EOF
  cat >"$d/failed.sh" <<'EOF'
#!/bin/bash
echo "loading data"
python3 - <<'PY'
def reshape(values, shape):
    if len(values) != shape[0] * shape[1]:
        raise ValueError(f"bad shape: {shape} for {len(values)} values")

reshape([1, 2, 3], (2, 2))
PY
EOF
  cat >"$d/oom.sh" <<'EOF'
#!/bin/bash
echo "allocating"
python3 - <<'PY'
import time
chunks = []
for i in range(1, 51):
    chunks.append(b"\x01" * (10 * 1024 * 1024))   # touched pages, unlike bytearray(n)
    print(f"allocated {i * 10} MB", flush=True)
    time.sleep(0.1)   # without cgroups, memory is only polled every second
PY
EOF
  cat >"$d/array.sh" <<'EOF'
#!/bin/bash
echo "task $SLURM_ARRAY_TASK_ID of array $SLURM_ARRAY_JOB_ID (job $SLURM_JOB_ID)"
if [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo "task 2 fails on purpose" >&2; exit 3; fi
EOF
  cat >"$d/requeue.sh" <<'EOF'
#!/bin/bash
echo "restart count ${SLURM_RESTART_COUNT:-0}"
if [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then sleep 600; fi
echo "finished"
EOF
  chmod 755 "$d"/*.sh
  rm -rf /home/bob/sc && install -d -o bob -g bob /home/bob/sc
  install -m 755 -o alice -g alice "$d"/*.sh "$WORK/"
}

# submit USER SBATCH_ARGS... -> prints the job id. Runs sbatch over ssh as USER (clean
# login environment, as sweepwatch would) in /home/USER/sc.
submit() {
  local user=$1; shift
  local out
  out=$(lab_ssh "$user" "cd /home/$user/sc && sbatch --parsable -o %x-%j.out -e %x-%j.err $(printf '%q ' "$@")")
  echo "${out%%;*}"
}

# rejected NAME SBATCH_ARGS...: a submission sbatch refuses; keeps its stderr.
rejected() {
  local name=$1 rc=0; shift
  local cmd
  cmd="cd sc && sbatch --parsable $(printf '%q ' "$@")"
  lab_ssh alice "$cmd" >"$OUT/$name.stdout.txt" 2>"$OUT/$name.stderr.txt" || rc=$?
  [[ $rc -ne 0 ]] || die "sbatch $* was expected to fail"
  [[ -s $OUT/$name.stdout.txt ]] || rm -f "$OUT/$name.stdout.txt"
  README_ROWS+=("| \`$name.stderr.txt\` | stderr of a rejected submission (exit code $rc, as alice in ~/sc) | \`sbatch --parsable $(shell_words "$@")\` |")
  if [[ $name == rejected-mem ]]; then
    # Rejected, yet it used a job id: squeue -t all shows it FAILED (BadConstraints).
    REJECTED_MEM_ID=$(squeue -a -t all -h -n sc-rejected-mem -o %A | tail -n1)
  fi
}

# save FILE DESCRIPTION COMMAND...: runs COMMAND (as root), output to $OUT/FILE, and
# records the exact command for the README.
save() {
  local file=$1 desc=$2; shift 2
  "$@" >"$OUT/$file"
  README_ROWS+=("| \`$file\` | $desc | \`$(shell_words "$@")\` |")
}

# Prints ARGS as a bash command line a human can paste: plain words as they are, others
# in single quotes, control characters as $'..'; '|' escaped for the Markdown table.
shell_words() {
  local a out=()
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,%+@-]+$ ]]; then out+=("$a")
    elif [[ $a != *[\'[:cntrl:]]* ]]; then out+=("'$a'")
    else out+=("$(printf '%q' "$a")")
    fi
  done
  a="${out[*]}"
  echo "${a//|/\\|}"
}

sq_is() { [[ $(squeue -a -h -t all -j "$1" -o %T 2>/dev/null | head -n1) == "$2" ]]; }
reason_is() { [[ $(squeue -a -h -j "$1" -o %r 2>/dev/null | head -n1) == "$2" ]]; }
acct_is() { [[ $(sacct -n -X -P -j "$1" -o State 2>/dev/null | head -n1) =~ ^$2$ ]]; }
node_idle() { [[ $(sinfo -h -N -n "$NODE" -p debug -o %t) =~ ^(idle|mix)$ ]]; }
node_back() {
  node_idle && return 0
  scontrol update NodeName="$NODE" State=RESUME 2>/dev/null
  node_idle
}
array_done() {
  local states
  states=$(sacct -n -X -P -j "$1" -o State 2>/dev/null)
  [[ $(grep -c . <<<"$states") -ge 4 ]] && ! grep -qE 'PENDING|RUNNING|COMPLETING' <<<"$states"
}

wait_sq() { wait_for "$3" sq_is "$1" "$2" || die "job $1 did not reach $2 in squeue within $3 s"; }
wait_reason() { wait_for "$3" reason_is "$1" "$2" || die "job $1 did not get reason $2 within $3 s"; }
wait_acct() { wait_for "$3" acct_is "$1" "$2" || die "job $1 did not reach $2 in sacct within $3 s"; }
wait_array_done() { wait_for "$2" array_done "$1" || die "array $1 did not finish within $2 s"; }

copy_job_outputs() {
  local f
  for f in "$WORK"/*.out "$WORK"/*.err /home/bob/sc/*.out /home/bob/sc/*.err; do
    [[ -e $f ]] && cp "$f" "$OUT/job-output/"
  done
  README_ROWS+=("| \`job-output/\` | each job's stdout/stderr as Slurm wrote them (\`%x-%j.out\`, \`%x-%A_%a.out\`) | \`cp /home/{alice,bob}/sc/*.{out,err}\` |")
  README_ROWS+=("| \`job-scripts/\` | the batch scripts that were submitted | |")
}

write_ids_json() {
  local tasks
  tasks=$(sacct -n -X -P -j "$ARRAY" -o JobIDRaw | paste -sd, -)
  cat >"$OUT/ids.json" <<EOF
{
  "nodeName": "$NODE",
  "nodefail": $NODEFAIL,
  "timeout": $TIMEOUT,
  "requeue": $REQUEUE,
  "completed": $COMPLETED,
  "wrap": $WRAP,
  "failed": $FAILED,
  "oom": $OOM,
  "array": $ARRAY,
  "arrayTaskJobIds": [$tasks],
  "cancelled": $CANCELLED,
  "bob": $BOB,
  "held": $HELD,
  "begin": $BEGIN,
  "partitionDown": $PARTDOWN,
  "dependencyNeverSatisfied": $DEPNEVER,
  "rejectedMem": ${REJECTED_MEM_ID:-null}
}
EOF
  README_ROWS+=("| \`ids.json\` | which job id is which outcome | |")
}

write_readme() {
  local version mode
  version=$(sinfo --version)
  mode=$(grep -o '"cgroupMode": "[a-z0-9]*"' "$LAB_JSON" | cut -d'"' -f4)
  {
    cat <<EOF
# Real Slurm outputs (fixtures for the Slurm parser tests)

Captured by \`scripts/lab/capture-fixtures.sh\` from the lab of \`scripts/lab/up.sh\`
(single node \`$NODE\`, cluster \`lab\`, cgroup mode \`$mode\`, node CPUs=8 RealMemory=8000).

- Slurm: **$version** (Debian bookworm package 22.05.8)
- Captured: $(date -u '+%Y-%m-%dT%H:%M:%SZ'); times inside the files are the machine's local time ($(date +%Z)).
- Jobs were submitted over ssh as \`alice\` (one as \`bob\`) from \`/home/<user>/sc\`, with
  \`-o %x-%j.out -e %x-%j.err\` unless stated. Which job id is which outcome: \`ids.json\`.
  The commands below ran as root on the lab machine.

## Delimiter

Parsable files use the ASCII unit separator **0x1f** (\`\$'\\x1f'\`) between fields
(\`sacct --parsable2 --delimiter=\$'\\x1f'\`; squeue \`-o\`/\`-O\` formats built with it), because
\`|\` can occur inside fields: job names, WorkDir and above all SubmitLine (job \`sc-wrap\` was
submitted with \`--wrap 'echo hello world | tr a-z A-Z'\`: compare \`sacct-pipe.txt\`). 0x1f
cannot get into a name or a command line by accident. sacct files start with a header line;
squeue \`-h\` files do not. In the commands below, \`\$'\\037'\` is that byte.

- squeue \`-o\` fields, in order: \`${SQ_FIELDS[*]}\` (%i job id, \`A_T\` for array tasks;
  %A raw job id; %F array job id; %K array task id; %j name; %u user; %P partition; %T state;
  %r reason; %M time used; %l time limit; %C CPUs; %m min memory; %N nodes; %V submit;
  %S start; %e end).
- squeue \`-O\` fields, in order: \`${SQ_OFIELDS[*]}\`.
- sacct fields, in order: \`$SACCT_FIELDS\`.

## Files

| file | what | command |
|---|---|---|
EOF
    printf '%s\n' "${README_ROWS[@]}"
    cat <<'EOF'

## Notes

- sacct 22.05 has no `StdOut`/`StdErr`/`Restarts` fields. Output paths: `scontrol show job`
  (expanded, only within MinJobAge=300 s after the end) or `squeue -O STDOUT` / squeue JSON
  `standard_output` (NOT expanded, e.g. `/home/alice/sc/%x-%j.out`). Restart count: squeue
  `RestartCnt` / JSON `restart_cnt`, or the `REQUEUED` rows of `sacct -D`.
- `squeue --json` ignores `-t/-u/-j` (returns every job slurmctld holds); its `exit_code` is the
  raw wait status (256 = exit 1, 768 = exit 3, 15 = SIGTERM). `sacct --json` reports a plain
  non-zero exit as `SUCCESS`/0: take exit codes from the parsable sacct `ExitCode`.
- sacct `State` can carry a suffix (`CANCELLED by 1001`). Take pending reasons from squeue:
  sacct's `Reason` is whatever reached slurmdbd last.
- The requeued job's `.out` was truncated on restart (default `--open-mode=truncate`).
- squeue outputs hold every job slurmctld still knows (finished ones for MinJobAge=300 s):
  also up.sh's `lab-ready` jobs and whatever else ran on the lab then (other test runs).
  Select rows by the ids in `ids.json`.
EOF
  } >"$OUT/README.md"
}
