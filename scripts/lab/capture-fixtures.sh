#!/usr/bin/env bash
# Captures REAL Slurm outputs from the running lab into test/fixtures/slurm/ for the
# parser tests: one job per outcome (COMPLETED, FAILED, OUT_OF_MEMORY, CANCELLED,
# TIMEOUT, NODE_FAIL, requeue, array with a failing task, pending reasons, rejected
# submissions), then squeue/sacct/scontrol outputs and every job's stdout/stderr.
# Needs root (node DOWN/RESUME) and the lab up (scripts/lab/up.sh). Takes ~2 minutes,
# dominated by the TIMEOUT job. Regenerates the whole folder.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lab/lib.sh
source "$HERE/lib.sh"
# shellcheck source=scripts/lab/capture-lib.sh
source "$HERE/capture-lib.sh"

[[ $EUID -eq 0 ]] || die "capture-fixtures.sh must run as root"
OUT=$(cd "$HERE/../.." && pwd)/test/fixtures/slurm
NODE=$(hostname -s)
WORK=/home/alice/sc            # the jobs' working directory (alice's)
T0=$EPOCHREALTIME

lab_ssh alice true || die "the lab does not answer: run scripts/lab/up.sh first"
rm -rf "$OUT" && mkdir -p "$OUT/job-output"
runuser -u alice -- bash -c "rm -rf $WORK && mkdir -p $WORK"
write_job_scripts

# ---- NODE_FAIL first: an admin DOWN kills every running job on the only node.
NODEFAIL=$(submit alice -J sc-nodefail --no-requeue nodefail.sh)
wait_sq "$NODEFAIL" RUNNING 30
scontrol update NodeName="$NODE" State=DOWN Reason=fixture-nodefail
wait_sq "$NODEFAIL" NODE_FAIL 30
save sinfo-node-down.txt "node list while the node is admin DOWN" sinfo -N -o "%N${US}%t${US}%T${US}%E"
save scontrol-show-node-down.txt "the node while admin DOWN" scontrol show node "$NODE"
# With ReturnToService=2 the node usually returns by itself as soon as slurmd registers
# again (RESUME is then refused: "Invalid node state transition ... from=IDLE").
wait_for 30 node_back || die "node $NODE did not come back after DOWN"

# ---- long ones first, so they run while the rest is produced.
TIMEOUT=$(submit alice -J sc-timeout --time=1 timeout.sh)
REQUEUE=$(submit alice -J sc-requeue --requeue requeue.sh)
COMPLETED=$(submit alice -J sc-completed completed.sh)
WRAP=$(submit alice -J 'sc-wrap' --wrap 'echo hello world | tr a-z A-Z')
FAILED=$(submit alice -J sc-failed failed.sh)
OOM=$(submit alice -J sc-oom --mem=50M oom.sh)
ARRAY=$(submit alice -J sc-array --array=0-3 -o '%x-%A_%a.out' -e '%x-%A_%a.err' array.sh)
CANCELLED=$(submit alice -J sc-cancelled cancel.sh)
BOB=$(submit bob -J sc-bob --wrap 'echo bob was here')
HELD=$(submit alice -J sc-held --hold pending.sh)
BEGIN=$(submit alice -J sc-begin --begin=now+1hour pending.sh)
PARTDOWN=$(submit alice -J sc-partdown -p maint pending.sh)

wait_sq "$CANCELLED" RUNNING 30
lab_ssh alice scancel "$CANCELLED"
wait_sq "$REQUEUE" RUNNING 30
lab_ssh alice scontrol requeue "$REQUEUE"   # as the owner, like sweepwatch would
wait_acct "$FAILED" FAILED 30
DEPNEVER=$(submit alice -J sc-depnever --dependency=afterok:"$FAILED" pending.sh)

# Rejected submissions: keep stderr and the exit code. --mem=100G still uses a job id.
rejected rejected-partition -J sc-rejected -p nosuch pending.sh
rejected rejected-mem -J sc-rejected-mem --mem=100G pending.sh

# Pending reasons are set by the scheduler (sched_interval=10): wait for each.
wait_reason "$HELD" JobHeldUser 30
wait_reason "$BEGIN" BeginTime 30
wait_reason "$PARTDOWN" PartitionDown 30
wait_reason "$DEPNEVER" DependencyNeverSatisfied 40
wait_sq "$TIMEOUT" RUNNING 30

# ---- a snapshot while the TIMEOUT job runs and the pending jobs wait.
save squeue-midrun.txt "squeue -o, mid-run (RUNNING, PENDING with reasons, finished)" \
  squeue -a -t all -h -o "$SQ_FMT"
save squeue-midrun-default.txt "squeue default format, mid-run (names cut to 8 chars)" squeue -a
save squeue-midrun.json "squeue --json, mid-run (ignores -t/-u/-j: all jobs)" squeue -a --json
save scontrol-show-job-running.txt "a RUNNING job (sc-timeout)" scontrol show job "$TIMEOUT"
save scontrol-show-job-pending.txt "a PENDING job (sc-depnever, DependencyNeverSatisfied)" \
  scontrol show job "$DEPNEVER"

wait_acct "$COMPLETED" COMPLETED 30
# Without cgroups (SLURM_LAB_CGROUP=none) OverMemoryKill ends it FAILED instead.
wait_acct "$OOM" 'OUT_OF_MEMORY|FAILED' 60
wait_acct "$BOB" COMPLETED 30
wait_acct "$WRAP" COMPLETED 30
wait_acct "$REQUEUE" COMPLETED 60
wait_array_done "$ARRAY" 60
log "waiting for the TIMEOUT job $TIMEOUT (about 90 s after submit)"
wait_acct "$TIMEOUT" TIMEOUT 180
wait_acct "$CANCELLED" 'CANCELLED.*' 30

# ---- final outputs, all jobs within MinJobAge (300 s), pending ones still pending.
ALL_IDS="$NODEFAIL,$TIMEOUT,$REQUEUE,$COMPLETED,$WRAP,$FAILED,$OOM,$ARRAY,$CANCELLED,$BOB,$HELD,$BEGIN,$PARTDOWN,$DEPNEVER,$REJECTED_MEM_ID"
save squeue-all.txt "squeue -o, all states (the parsable form)" squeue -a -t all -h -o "$SQ_FMT"
save squeue-all-O.txt "squeue -O, all states, incl. StdOut/StdErr (NOT expanded) and RestartCnt" \
  squeue -a -t all -h -O "$SQ_OFMT"
save squeue-all-default.txt "squeue default format, all states" squeue -a -t all
save squeue.json "squeue --json (all jobs slurmctld holds; exit_code is the raw wait status)" \
  squeue -a --json
save sacct.txt "sacct with steps, parsable, unit-separator delimiter, header line" \
  sacct -j "$ALL_IDS" --parsable2 --delimiter="$US" -o "$SACCT_FIELDS"
save sacct-allocations.txt "sacct -X (allocations only, no steps)" \
  sacct -X -j "$ALL_IDS" --parsable2 --delimiter="$US" -o "$SACCT_FIELDS"
save sacct-pipe.txt "sacct -P with the default pipe delimiter (sc-wrap's SubmitLine shows why it is unsafe)" \
  sacct -X -j "$ALL_IDS" -P -o "$SACCT_FIELDS"
save sacct-duplicates.txt "sacct -D for the requeued job (REQUEUED row, then the final run)" \
  sacct -D -j "$REQUEUE" --parsable2 --delimiter="$US" -o "$SACCT_FIELDS"
save sacct.json "sacct --json (non-zero exits wrongly reported as SUCCESS/0 in 22.05)" \
  sacct --json -j "$ALL_IDS"
save sacct-default.txt "sacct default format (states cut at 10 chars: OUT_OF_ME+)" sacct -j "$ALL_IDS"
save sacct-batch-script.txt "sacct -B: the stored batch script of sc-failed" sacct -B -j "$FAILED"
for kind in timeout failed oom cancelled nodefail requeue; do
  id_var=${kind^^}
  save "scontrol-show-job-$kind.txt" "scontrol show job for sc-$kind" scontrol show job "${!id_var}"
done
save scontrol-show-job-array-task-2.txt "scontrol show job for array task 2 (exit 3)" \
  scontrol show job "${ARRAY}_2"
save scontrol-show-job-oneliner.txt "scontrol -o show job (one line per job) for sc-array" \
  scontrol -o show job "$ARRAY"

# ---- clean up the pending jobs (held would wait forever), then see what sacct says.
lab_ssh alice scancel "$HELD" "$BEGIN" "$PARTDOWN" "$DEPNEVER"
wait_acct "$DEPNEVER" 'CANCELLED.*' 30
save sacct-pending-cancelled.txt "sacct after scancel of the pending jobs (Reason unreliable)" \
  sacct -X -j "$HELD,$BEGIN,$PARTDOWN,$DEPNEVER" --parsable2 --delimiter="$US" -o "$SACCT_FIELDS"

copy_job_outputs
write_ids_json
write_readme
log "fixtures written to $OUT in $(( (${EPOCHREALTIME/./} - ${T0/./}) / 1000000 )) s"
