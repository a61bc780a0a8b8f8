#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host ci=no
# about: repl-resync-tcp over RDMA (soft-RoCE rxe0 on each VM's eth0): a volume's copy on the secondary equals the primary; secondary hpsd killed under fio verify, the primary keeps serving (degraded), the peer returns and resync sends only the changed blocks within the recovery limit, ending in sync with equal data (not in CI for time, as every -rdma scenario)
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

repl_resync_scenario rdma
