#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying scripts/sweep_slurm.sh without a
# real cluster (Debian slurm-wlm + munge; run as root):
#   scripts/slurm_single_node.sh start    install what is missing, start munged, slurmctld, slurmd
#   scripts/slurm_single_node.sh stop     stop the daemons this script started
#   scripts/slurm_single_node.sh status   sinfo
# Everything lives in $LCZ_SLURM_DIR (default /tmp/lcz-slurm): slurm.conf, state, logs. The
# system's /etc/slurm is left alone; Slurm commands find this cluster through SLURM_CONF,
# so run them as:  export SLURM_CONF=/tmp/lcz-slurm/slurm.conf
# One node with every core of this machine, no cgroups (proctrack/linuxproc, task/none), no
# accounting: enough to run array jobs and dependencies, not a production setup.
set -euo pipefail
dir="${LCZ_SLURM_DIR:-/tmp/lcz-slurm}"
conf="$dir/slurm.conf"
action="${1:-start}"

need() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

stop_pidfile() {
  local f="$1"
  if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
    kill "$(cat "$f")"
    for _ in $(seq 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
}

case "$action" in
  start)
    [ "$(id -u)" -eq 0 ] || { echo "slurm_single_node.sh: run as root (it starts munged and slurmd)" >&2; exit 2; }
    need
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    host="$(hostname -s)"
    cat > "$conf" <<CONF
# Written by scripts/slurm_single_node.sh: one node, this machine.
ClusterName=lcz
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=lcz Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    # munged: its own socket, pid and log files under $dir, as the munge user.
    chown munge:munge "$dir/munge"
    if ! [ -S /run/munge/munge.socket.2 ] || ! munge -n </dev/null >/dev/null 2>&1; then
      mkdir -p /run/munge && chown munge:munge /run/munge
      [ -s /etc/munge/munge.key ] || { /usr/sbin/mungekey --create 2>/dev/null || /usr/sbin/create-munge-key -f; chown munge:munge /etc/munge/munge.key; }
      runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log"
      echo "started munged" >&2
    fi
    export SLURM_CONF="$conf"
    stop_pidfile "$dir/slurmd.pid"
    stop_pidfile "$dir/slurmctld.pid"
    /usr/sbin/slurmctld -f "$conf"
    /usr/sbin/slurmd -f "$conf"
    for _ in $(seq 100); do
      sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break
      sleep 0.2
    done
    sinfo
    echo "single-node Slurm is up: export SLURM_CONF=$conf" >&2
    ;;
  stop)
    stop_pidfile "$dir/slurmd.pid"
    stop_pidfile "$dir/slurmctld.pid"
    stop_pidfile "$dir/munge/munged.pid"
    echo "stopped" >&2
    ;;
  status)
    SLURM_CONF="$conf" sinfo
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
