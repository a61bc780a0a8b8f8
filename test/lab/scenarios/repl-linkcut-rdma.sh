#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1800 control=host
# about: repl-linkcut-tcp over RDMA (soft-RoCE rxe0 on each VM's eth0): link cut on either side and repaired, then the primary's hpsd SIGKILLed and restarted, under fio verify: no I/O error, degraded, resync, in sync, equal copies
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

repl_linkcut_scenario rdma
