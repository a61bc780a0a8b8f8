#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host
# about: repl-resync-tcp over RDMA (replication.transport rdma, soft-RoCE rxe0 on each VM's eth0): copy equal, secondary hpsd killed under fio verify, degraded, resync of the changed blocks only within the recovery limit, in sync with equal data
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

repl_resync_scenario rdma
