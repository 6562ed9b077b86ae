#!/usr/bin/env bash
# A real single-node SLURM on this machine (localhost), for trying `--profile profiles/slurm` and for the
# `cluster` test: installs munge + slurmctld + slurmd + slurm-client from the distribution (Debian/Ubuntu,
# apt-get) when missing, writes /etc/slurm/slurm.conf for this machine's CPUs and memory, starts munged,
# slurmctld and slurmd as plain background daemons (no systemd needed) and waits until the node is idle.
# Idempotent: running it again while the cluster is up changes nothing. Needs root. Stop: stop_slurm.sh.
#
# No slurmdbd: accounting_storage/none, so `sacct` cannot report (it says "Slurm accounting storage is
# disabled"). Job status comes from `squeue --states=all`, which keeps finished jobs for MinJobAge = 600 s
# (profiles/slurm sets the executor's status command to squeue), and every finished job is appended to the
# job-completion file /var/log/slurm/jobcomp.log (JobCompType=jobcomp/filetxt): that file is the record.
set -euo pipefail

MARK="# written by overparam tests/cluster/setup_slurm.sh"
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm
STATE_DIR=/var/lib/slurm
JOBCOMP=$LOG_DIR/jobcomp.log
PARTITION=${OVERPARAM_SLURM_PARTITION_NAME:-local}
WAIT_S=${OVERPARAM_SLURM_WAIT_S:-60}

say() { echo "setup_slurm: $*"; }
die() { echo "setup_slurm: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it installs packages, writes $CONF and starts daemons); try: sudo $0"

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
node_idle() { sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; }

# --- already up (started by this script)? then nothing to do -------------------------------------------
if [ -f "$CONF" ] && grep -qF "$MARK" "$CONF" && alive /run/slurmctld.pid && alive /run/slurmd.pid \
    && command -v sinfo >/dev/null && node_idle; then
    say "already running:"; sinfo; exit 0
fi

# --- packages ------------------------------------------------------------------------------------------
need=()
for pair in munged:munge slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get here: install SLURM and munge yourself"
    say "installing ${need[*]} (apt-get)"
    # Keep the packages' postinst from starting daemons (no systemd in a container; no config yet).
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    rc=0
    { apt-get install -y -q --no-install-recommends "${need[@]}" \
        || { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; }; } || rc=$?
    [ "$own_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed (exit $rc)"
fi
export PATH=$PATH:/usr/sbin:/sbin

# --- munge ---------------------------------------------------------------------------------------------
id munge >/dev/null 2>&1 || die "user 'munge' missing (the munge package creates it)"
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey --create --keyfile /etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge; chmod 0755 /run/munge; chmod 0400 /etc/munge/munge.key
if ! alive /run/munge/munged.pid; then
    say "starting munged"
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
fi
munge -n | unmunge >/dev/null || die "munge does not answer (see /var/log/munge/munged.log)"

# --- slurm.conf for this machine -----------------------------------------------------------------------
if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    die "$CONF exists and was not written by this script: not touching it (move it away to use this script)"
fi
# Stop our old daemons first (a changed machine or config needs a fresh start).
for pid in /run/slurmd.pid /run/slurmctld.pid; do
    if alive "$pid"; then kill "$(cat "$pid")"; for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done; fi
done
cpus=$(nproc)
if command -v free >/dev/null; then mem_total=$(free -m | awk '/^Mem:/{print $2}')
else mem_total=$(awk '/^MemTotal:/{print int($2 / 1024)}' /proc/meminfo); fi   # minimal images lack procps
mem=$(( mem_total * 90 / 100 ))           # leave room for the OS: slurmd drains a node that reports less
mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd"
cat > "$CONF" <<CONF
$MARK
# Single node on localhost: $cpus CPUs, $mem MB (of $mem_total MB). Regenerate by running the script again.
ClusterName=overparam
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
# No cgroups (containers without systemd): processes tracked by process group, no task binding.
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No slurmdbd: no sacct. Finished jobs stay in squeue --states=all for MinJobAge and go to the jobcomp file.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
MinJobAge=600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
# cgroup.conf is read by slurmd even with the cgroup plugins off; keep it off systemd.
[ -f "$CONF_DIR/cgroup.conf" ] || printf '%s\nCgroupPlugin=autodetect\nIgnoreSystemd=yes\n' "$MARK" > "$CONF_DIR/cgroup.conf"

# --- daemons -------------------------------------------------------------------------------------------
say "starting slurmctld and slurmd ($cpus CPUs, $mem MB)"
/usr/sbin/slurmctld
/usr/sbin/slurmd -N localhost
for _ in $(seq "$WAIT_S"); do
    node_idle && break
    sleep 1
done
if ! node_idle; then
    sinfo -N -l >&2 || true; tail -n 20 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2 || true
    die "the node is not idle after ${WAIT_S}s (logs above)"
fi
sinfo
say "up. Records: $JOBCOMP (finished jobs), squeue --states=all (MinJobAge 600 s); logs: $LOG_DIR/"
say "stop it with: $(cd "$(dirname "$0")" && pwd)/stop_slurm.sh"
