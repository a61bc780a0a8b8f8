#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host ci=no
# about: repl-poweroff-tcp over RDMA (soft-RoCE rxe0 on each VM's eth0): the primary VM is powered off under acknowledged writes; the secondary is promoted (old primary fenced) and holds every acknowledged write, and after draining so does the RBD image (not in CI for time, as every -rdma scenario)
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl_failover.sh"
repl_failover rdma 0
log "PASS"
