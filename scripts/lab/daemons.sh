# shellcheck shell=bash
# How each lab daemon is started and how its readiness is checked. Sourced by up.sh.
#
# Every daemon is started with stdin from /dev/null, stdout/stderr to a log file and
# all other fds closed: a caller reading our output through a pipe (vitest's
# globalSetup) must see EOF when up.sh exits, not when the daemons do.
# The Slurm daemons and munged/sshd fork themselves and exit 0 *before* fatal config
# errors, so their exit status means nothing: readiness is always polled.

# Daemons that cannot write to $RUN_DIR (they run as their own user) keep their pid
# file elsewhere; ensure_daemon copies it to $RUN_DIR/NAME.pid.
declare -A OWN_PID_FILE=([munged]=/run/munge/munged.pid [mariadb]=/run/mysqld/mysqld.pid)

# --- munged: runs as munge.
start_munged() { runuser -u munge -- /usr/sbin/munged; }
ready_munged() { munge -n | unmunge; }

# --- mariadbd: does not fork; started in its own session, logging to stderr (as user
# mysql it could not create a --log-error file in the slurm-owned log dir).
start_mariadb() {
  setsid /usr/sbin/mariadbd --defaults-extra-file="$MARIADB_CNF" --user=mysql \
    >>"$(daemon_log mariadb)" 2>&1 &
}
ready_mariadb() { mariadb --socket="$MYSQL_SOCK" -N -e 'SELECT 1'; }

# --- slurmdbd / slurmctld / slurmd write their pid files into $RUN_DIR themselves.
start_slurmdbd() { /usr/sbin/slurmdbd; }
ready_slurmdbd() { sacctmgr -n -P list cluster format=cluster; }

start_slurmctld() { /usr/sbin/slurmctld; }
ready_slurmctld() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

start_slurmd() { /usr/sbin/slurmd; }
ready_slurmd() { node_ready; }   # registered with slurmctld and responding

# --- sshd: the lab's own instance; -E keeps its log out of syslog (there is none).
start_sshd() { /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$(daemon_log sshd)"; }
ready_sshd() { (: </dev/tcp/127.0.0.1/"$SSH_PORT"); }

# Closes every fd above 2 in the current (sub)shell: the lock (fd 9) and whatever our
# caller inherited to us (a CI harness's or test runner's pipes). A daemon holding such a
# pipe would keep the caller waiting for EOF long after up.sh exited.
close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-"; fi
  done 2>/dev/null
}

# Seconds to wait for each daemon to answer after a start.
declare -A READY_CAP=([munged]=10 [mariadb]=60 [slurmdbd]=30 [slurmctld]=30 [slurmd]=40 [sshd]=10)

# The pid file the daemon itself writes.
written_pid_file() { echo "${OWN_PID_FILE[$1]:-$(pid_file "$1")}"; }

# True once the started daemon has written its pid and that process is gone again
# (e.g. "fatal: ... Address already in use" right after forking): no need to wait more.
started_and_died() {
  local pid
  pid=$(cat "$(written_pid_file "$1")" 2>/dev/null) && [[ -n $pid ]] &&
    pid_gone "$pid" "$(daemon_exe "$1")"
}

# Polls ready_NAME every 0.1 s, up to READY_CAP[NAME] s; fails early if the daemon died.
wait_ready() {
  local name=$1
  local deadline=$(( ${EPOCHREALTIME/./} + READY_CAP[$name] * 1000000 ))
  until "ready_$name" >/dev/null 2>&1; do
    if started_and_died "$name"; then log "$name exited during startup"; return 1; fi
    (( ${EPOCHREALTIME/./} < deadline )) || return 1
    sleep 0.1
  done
}

# Makes sure daemon NAME runs and answers. Restarts it when its config changed
# (CHANGED[NAME]) or when it runs but does not answer; starts it when the pid file is
# missing or stale (killed daemon, recycled pid, zombie).
ensure_daemon() {
  local name=$1 pid
  if pid=$(daemon_pid "$name"); then
    if [[ -n ${CHANGED[$name]:-} ]]; then
      log "config of $name changed: restarting it"
      stop_daemon "$name"
    elif wait_for 10 "ready_$name"; then
      return 0
    else
      log "$name (pid $pid) runs but does not answer: restarting it"
      stop_daemon "$name"
    fi
  elif [[ -n ${OWN_PID_FILE[$name]:-} ]] &&
    pid=$(cat "${OWN_PID_FILE[$name]}" 2>/dev/null) && pid_is "$pid" "$(daemon_exe "$name")"; then
    # Running, but our copy of its pid file was lost: adopt it.
    echo "$pid" >"$(pid_file "$name")"
    ensure_daemon "$name"
    return
  fi
  rm -f "$(pid_file "$name")" "$(written_pid_file "$name")"   # stale ones
  log "starting $name"
  # The start command's own output goes to NAME.start.log: munged refuses a log file
  # that root created, and the daemons' logs are theirs to write.
  ( close_inherited_fds; "start_$name" ) </dev/null >>"$LOG_DIR/$name.start.log" 2>&1 ||
    { show_log_tail "$name"; die "$name failed to start"; }
  if ! wait_ready "$name"; then
    show_log_tail "$name"
    die "$name did not become ready (waited up to ${READY_CAP[$name]} s)"
  fi
  if [[ -n ${OWN_PID_FILE[$name]:-} ]]; then
    cp "${OWN_PID_FILE[$name]}" "$(pid_file "$name")"
  fi
  daemon_pid "$name" >/dev/null || {
    show_log_tail "$name"; die "$name answers but its pid file $(pid_file "$name") is not right"; }
}

# The accounting database and its user; idempotent SQL, cheap enough to run every time.
# slurmdbd (OS user slurm) logs in through the unix_socket plugin: no password.
setup_database() {
  mariadb --socket="$MYSQL_SOCK" <<'SQL'
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED VIA unix_socket;
GRANT ALL PRIVILEGES ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
}
