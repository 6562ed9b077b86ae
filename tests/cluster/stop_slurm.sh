#!/usr/bin/env bash
# Stops the daemons started by setup_slurm.sh (slurmd, slurmctld, munged), each by its pid file.
# Cancels queued and running jobs first. Leaves the packages, the config and the job records in place.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "stop_slurm: needs root" >&2; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin
command -v scancel >/dev/null && scancel --full --quiet --state=PENDING,RUNNING -u root 2>/dev/null
for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { echo "stop_slurm: $pidfile ($pid) did not stop, sending KILL"; kill -9 "$pid"; }
        echo "stop_slurm: stopped $(basename "$pidfile" .pid) ($pid)"
    fi
    rm -f "$pidfile"
done
