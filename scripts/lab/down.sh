#!/usr/bin/env bash
# Stops what scripts/lab/up.sh started, and nothing else: each daemon by its pid file in
# /run/slurm-lab (TERM, bounded wait, then KILL; zombies count as stopped). State, keys,
# the database and lab.json are kept, so the next up.sh is quick.
# Running jobs' slurmstepd processes are not daemons of the lab and are left alone.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lab/lib.sh
source "$HERE/lib.sh"

[[ $EUID -eq 0 ]] || die "down.sh must run as root"
[[ -d $RUN_DIR ]] || { log "nothing to stop"; exit 0; }
exec 9>"$RUN_DIR/lock"
flock -w 600 9 || die "timed out waiting for the lab lock"

# Reverse start order: clients of a daemon stop before it.
for (( i = ${#DAEMONS[@]} - 1; i >= 0; i-- )); do
  stop_daemon "${DAEMONS[i]}"
done
log "lab stopped"
