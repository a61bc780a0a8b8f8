#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host ci=no
# about: replication over TCP: the primary VM is powered off under acknowledged writes; the secondary is promoted (old primary fenced: RBD lock broken, Ceph clients blocklisted) and holds every acknowledged write, and after draining so does the RBD image (repl-fenced runs all of this first, so CI runs only that)
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl_failover.sh"
repl_failover tcp 0
log "PASS"
