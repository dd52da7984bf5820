# shellcheck shell=bash
# Shared helpers for the Slurm + SSH lab (sourced by up.sh, down.sh, capture-fixtures.sh).
# See docs in /work/shared/docs/slurm-lab.md for why things are the way they are.

# ---- Locations (all owned by the lab, nothing else on the machine uses them) ----
LAB_DIR=/var/lib/slurm-lab          # persistent: keys, generated configs, lab.json
SSH_DIR=$LAB_DIR/ssh                # host key, user keys, known_hosts
RUN_DIR=/run/slurm-lab              # pid files (one per daemon) and the up/down lock
LOG_DIR=/var/log/slurm-lab          # daemon logs
SPOOL_DIR=/var/spool/slurm-lab      # slurmctld state and slurmd spool
SLURM_ETC=/etc/slurm                # Debian's slurm binaries read their configs here
SSHD_CONFIG=$LAB_DIR/sshd_config
MARIADB_CNF=$LAB_DIR/mariadb.cnf
MYSQL_SOCK=/run/mysqld/mysqld.sock
LAB_JSON=$LAB_DIR/lab.json
KNOWN_HOSTS=$SSH_DIR/known_hosts
SSH_PORT=2222
LAB_USERS=(alice bob)

# Daemons in start order. down.sh stops them in reverse order.
DAEMONS=(munged mariadb slurmdbd slurmctld slurmd sshd)

log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# Binary that a daemon's /proc/PID/exe must resolve to. Compared after `readlink -f`,
# because /usr/sbin/slurmctld and slurmd are alternatives symlinks to *-wlm binaries.
daemon_exe() {
  case $1 in
    munged) echo /usr/sbin/munged ;;
    mariadb) echo /usr/sbin/mariadbd ;;
    slurmdbd) echo /usr/sbin/slurmdbd ;;
    slurmctld) echo /usr/sbin/slurmctld ;;
    slurmd) echo /usr/sbin/slurmd ;;
    sshd) echo /usr/sbin/sshd ;;
    *) die "unknown daemon $1" ;;
  esac
}

# Log file of a daemon (used for the tail printed on failure).
daemon_log() {
  case $1 in
    munged) echo /var/log/munge/munged.log ;;
    *) echo "$LOG_DIR/$1.log" ;;
  esac
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# True when PID is a live (not zombie) process running binary EXE.
# PID 1 here is not an init and reaps orphans only every ~2 s, so a stopped daemon
# lingers as a zombie: state Z/X counts as dead.
pid_is() {
  local pid=$1 exe=$2 stat state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }           # the comm field may contain spaces: cut after the last ')'
  state=${state%% *}
  [[ $state != Z && $state != X ]] || return 1
  [[ $(readlink -f "/proc/$pid/exe" 2>/dev/null) == "$(readlink -f "$exe")" ]]
}

pid_gone() { ! pid_is "$@"; }

# Prints the pid of a running lab daemon (from its pid file), or fails.
daemon_pid() {
  local name=$1 pid
  pid=$(cat "$(pid_file "$name")" 2>/dev/null) || return 1
  pid_is "$pid" "$(daemon_exe "$name")" || return 1
  echo "$pid"
}

# Polls CMD every 0.1 s until it succeeds or CAP seconds have passed.
wait_for() {
  local cap=$1; shift
  local deadline=$(( ${EPOCHREALTIME/./} + cap * 1000000 ))
  until "$@" >/dev/null 2>&1; do
    (( ${EPOCHREALTIME/./} < deadline )) || return 1
    sleep 0.1
  done
}

# Stops a lab daemon by pid file: TERM, bounded wait, then KILL. Zombies count as gone.
stop_daemon() {
  local name=$1 pid exe
  exe=$(daemon_exe "$name")
  if pid=$(daemon_pid "$name"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for 15 pid_gone "$pid" "$exe"; then
      log "$name did not stop after TERM, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 5 pid_gone "$pid" "$exe" || die "could not kill $name (pid $pid)"
    fi
  fi
  rm -f "$(pid_file "$name")"
}

# Prints the last lines of a daemon's log (for failure messages).
show_log_tail() {
  local f
  for f in "$LOG_DIR/$1.start.log" "$(daemon_log "$1")"; do
    [[ -s $f ]] || continue
    printf -- '----- last lines of %s -----\n' "$f" >&2
    tail -n "${2:-40}" "$f" >&2
    printf -- '-----\n' >&2
  done
}

# Runs a command as a lab user over the lab's sshd, with the pinned host key.
lab_ssh() {
  local user=$1; shift
  ssh -p "$SSH_PORT" -i "$SSH_DIR/${user}_ed25519" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$KNOWN_HOSTS" -o ConnectTimeout=5 -o LogLevel=ERROR \
    "$user@127.0.0.1" "$@"
}
