#!/usr/bin/env bash
# Brings up the sweepwatch lab: a single-node Slurm cluster "lab" (slurmctld, slurmd,
# slurmdbd on MariaDB, munge) plus an sshd on 127.0.0.1:2222 for users alice and bob.
# Idempotent: when everything already runs with the same config it only checks readiness.
# Writes the connection details to /var/lib/slurm-lab/lab.json (see test/helpers/lab.ts).
#
# Env: SLURM_LAB_CGROUP=auto|v1|none (default auto).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lab/lib.sh
source "$HERE/lib.sh"
# shellcheck source=scripts/lab/configs.sh
source "$HERE/configs.sh"
# shellcheck source=scripts/lab/daemons.sh
source "$HERE/daemons.sh"

[[ $EUID -eq 0 ]] || die "up.sh must run as root"
T0=$EPOCHREALTIME
mkdir -p "$RUN_DIR"
# One up/down at a time (vitest may start several globalSetups at once). fd 9 is closed
# for every daemon we start, so they do not inherit the lock.
exec 9>"$RUN_DIR/lock"
flock -w 600 9 || die "timed out waiting for the lab lock"

# ---------------------------------------------------------------- packages
PACKAGES=(slurm-wlm slurmdbd mariadb-server munge openssh-server openssh-client procps)

install_packages() {
  local missing=() p created_policy=0
  for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  # Keep maintainer scripts from starting daemons: this lab starts its own.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  # force-unsafe-io: no fsync per file; this is a throwaway test machine and it saves
  # a good part of the install time on its disk.
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
    -o Dpkg::Options::=--force-unsafe-io)
  # man-db's trigger re-indexes every man page (~9 s here); it is skipped while this
  # flag file is away. Put back right after the install.
  local mandb=/var/lib/man-db/auto-update mandb_off=0
  if [[ -e $mandb ]]; then mv "$mandb" "$mandb.slurm-lab"; mandb_off=1; fi
  # Stale package lists fail the install: refresh them once, then retry.
  local ok=1
  if ! "${apt[@]}" "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1; then
    log "install failed, running apt-get update and retrying"
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || true
    "${apt[@]}" "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 || ok=0
  fi
  ((mandb_off == 0)) || mv "$mandb.slurm-lab" "$mandb"
  ((created_policy == 0)) || rm -f /usr/sbin/policy-rc.d
  ((ok)) || { tail -n 30 "$LOG_DIR/apt.log" >&2; die "apt-get install failed"; }
}

# ---------------------------------------------------------------- host setup
choose_cgroup_mode() {
  local want=${SLURM_LAB_CGROUP:-auto} c probe
  case $want in
    none | v1) CGROUP_MODE=$want ;;
    auto)
      CGROUP_MODE=none
      for c in memory freezer cpuset; do
        [[ $(stat -f -c %T "/sys/fs/cgroup/$c" 2>/dev/null) == cgroupfs ]] || return 0
      done
      probe=/sys/fs/cgroup/memory/slurm-lab-probe.$$
      if mkdir "$probe" 2>/dev/null; then rmdir "$probe"; CGROUP_MODE=v1; fi
      ;;
    *) die "SLURM_LAB_CGROUP must be auto, v1 or none (got $want)" ;;
  esac
}

setup_host() {
  NODE=$(hostname -s)
  # Slurm resolves the node name: map it to 127.0.0.1 when it does not resolve.
  getent hosts "$NODE" >/dev/null || echo "127.0.0.1 $NODE" >>/etc/hosts

  install -d -m 755 "$LAB_DIR" "$RUN_DIR" /run/sshd
  install -d -m 700 "$SSH_DIR"
  install -d -m 755 -o slurm -g slurm "$LOG_DIR" "$SPOOL_DIR" "$SPOOL_DIR/slurmctld"
  install -d -m 755 "$SPOOL_DIR/slurmd"
  install -d -m 755 -o munge -g munge /run/munge /var/log/munge
  install -d -m 755 -o mysql -g mysql /run/mysqld
  [[ -s /etc/munge/munge.key ]] || { mungekey -c -f -k /etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }

  # The host key is generated once and kept: tests pin it.
  [[ -s $SSH_DIR/ssh_host_ed25519_key ]] ||
    ssh-keygen -q -t ed25519 -N '' -C slurm-lab-host -f "$SSH_DIR/ssh_host_ed25519_key"

  local u
  for u in "${LAB_USERS[@]}"; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
    # useradd locks the account ("!"); sshd with UsePAM no refuses locked accounts.
    [[ $(getent shadow "$u" | cut -d: -f2) == '*' ]] || usermod -p '*' "$u"
    [[ -s $SSH_DIR/${u}_ed25519 ]] ||
      ssh-keygen -q -t ed25519 -N '' -C "$u@slurm-lab" -f "$SSH_DIR/${u}_ed25519"
    install -d -m 700 -o "$u" -g "$u" "/home/$u/.ssh"
    if ! cmp -s "$SSH_DIR/${u}_ed25519.pub" "/home/$u/.ssh/authorized_keys"; then
      install -m 600 -o "$u" -g "$u" "$SSH_DIR/${u}_ed25519.pub" "/home/$u/.ssh/authorized_keys"
    fi
  done
}

# Writes FILE (mode, owner) only when CONTENT differs; returns 0 when it changed.
write_if_changed() {
  local file=$1 mode=$2 owner=$3 content=$4 tmp
  tmp=$(mktemp)
  printf '%s\n' "$content" >"$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
  install -m "$mode" -o "${owner%:*}" -g "${owner#*:}" "$tmp" "$file"
  rm -f "$tmp"
  log "wrote $file"
}

# Fills CHANGED[daemon]=1 for daemons whose config file was rewritten.
declare -A CHANGED=()
write_configs() {
  install -d -m 755 "$SLURM_ETC"
  local slurm=0
  write_if_changed "$SLURM_ETC/slurm.conf" 644 root:root "$(render_slurm_conf)" && slurm=1
  write_if_changed "$SLURM_ETC/cgroup.conf" 644 root:root "$(render_cgroup_conf)" && slurm=1
  if ((slurm)); then CHANGED[slurmctld]=1; CHANGED[slurmd]=1; fi
  write_if_changed "$SLURM_ETC/slurmdbd.conf" 600 slurm:slurm "$(render_slurmdbd_conf)" &&
    CHANGED[slurmdbd]=1
  write_if_changed "$MARIADB_CNF" 644 root:root "$(render_mariadb_cnf)" && CHANGED[mariadb]=1
  write_if_changed "$SSHD_CONFIG" 644 root:root "$(render_sshd_config)" && CHANGED[sshd]=1
  return 0
}

# ---------------------------------------------------------------- accounting
# Cluster, account and users, each created only when missing (before slurmctld starts,
# so it registers with a known cluster).
setup_accounting() {
  local u assocs
  # Fast path: one query (each sacctmgr call costs ~0.15 s).
  assocs=$(sacctmgr -n -P list associations format=cluster,account,user)
  for u in "${LAB_USERS[@]}"; do
    grep -qx "lab|lab|$u" <<<"$assocs" || break
  done
  grep -qx "lab|lab|$u" <<<"$assocs" && return 0
  sacctmgr -n -P list cluster format=cluster | grep -qx lab ||
    sacctmgr -i add cluster lab >/dev/null
  sacctmgr -n -P list account format=account | grep -qx lab ||
    sacctmgr -i add account lab Cluster=lab Description=lab Organization=lab >/dev/null
  for u in "${LAB_USERS[@]}"; do
    sacctmgr -n -P list user "$u" format=user | grep -qx "$u" ||
      sacctmgr -i add user "$u" Account=lab DefaultAccount=lab >/dev/null
  done
}

# ---------------------------------------------------------------- readiness
# Node usable: idle/mixed/allocated/completing and responding. An admin DOWN/DRAIN left
# behind by a test is resumed so the lab is usable again.
node_ready() {
  local st
  st=$(sinfo -h -N -n "$NODE" -p debug -o %t 2>/dev/null | head -n1)
  case $st in
    idle | mix | alloc | comp) return 0 ;;
    down | drain | drng | drained)
      scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true; return 1 ;;
    *) return 1 ;;
  esac
}

job_completed() {
  [[ $(sacct -n -X -P -j "$1" -o State 2>/dev/null) == COMPLETED ]]
}

readiness_check() {
  wait_for 40 node_ready || {
    sinfo -N >&2 || true; show_log_tail slurmd; show_log_tail slurmctld; die "node $NODE is not ready"; }
  lab_ssh alice squeue >/dev/null || {
    show_log_tail sshd; die "ssh alice@127.0.0.1:$SSH_PORT squeue failed"; }
  local id
  id=$(lab_ssh alice sbatch --parsable -J lab-ready -o /dev/null --wrap hostname) ||
    die "sbatch as alice failed"
  id=${id%%;*}
  wait_for 60 job_completed "$id" || {
    sacct -j "$id" >&2 || true; show_log_tail slurmctld; show_log_tail slurmdbd
    die "readiness job $id did not reach COMPLETED in sacct"; }
  log "readiness job $id COMPLETED"
}

# ---------------------------------------------------------------- lab.json
write_lab_json() {
  local pub blob fp hex line
  pub=$SSH_DIR/ssh_host_ed25519_key.pub
  blob=$(cut -d' ' -f2 "$pub")
  fp=$(ssh-keygen -lf "$pub" | cut -d' ' -f2)
  hex=$(printf '%s' "$blob" | base64 -d | sha256sum | cut -d' ' -f1)
  line="[127.0.0.1]:$SSH_PORT ssh-ed25519 $blob"
  write_if_changed "$KNOWN_HOSTS" 644 root:root "$line" || true
  write_if_changed "$LAB_JSON" 644 root:root "$(cat <<EOF
{
  "ssh": {
    "host": "127.0.0.1",
    "port": $SSH_PORT,
    "user": "alice",
    "privateKeyPath": "$SSH_DIR/alice_ed25519",
    "knownHostsPath": "$KNOWN_HOSTS",
    "knownHostsLine": "$line",
    "hostKeySha256": "$fp",
    "hostKeySha256Hex": "$hex",
    "hostKeyBlobB64": "$blob"
  },
  "otherUser": { "user": "bob", "privateKeyPath": "$SSH_DIR/bob_ed25519" },
  "cluster": "lab",
  "account": "lab",
  "nodeName": "$NODE",
  "partitions": { "default": "debug", "down": "maint" },
  "cgroupMode": "$CGROUP_MODE"
}
EOF
)" || true
}

# ---------------------------------------------------------------- main
install -d -m 755 "$LOG_DIR"
install_packages
choose_cgroup_mode
setup_host
write_configs
write_lab_json          # before the daemons: known_hosts is needed by the ssh check
ensure_daemon munged
ensure_daemon mariadb
setup_database
ensure_daemon slurmdbd
setup_accounting
ensure_daemon slurmctld
ensure_daemon slurmd
ensure_daemon sshd
readiness_check
log "lab is up (node $NODE, cgroup mode $CGROUP_MODE) in $(( (${EPOCHREALTIME/./} - ${T0/./}) / 1000 )) ms; details in $LAB_JSON"
