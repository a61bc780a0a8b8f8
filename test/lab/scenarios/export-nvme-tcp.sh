#!/usr/bin/env bash
# lab: vms=3 ceph=yes timeout=1500 control=host ci=no
# about: NVMe/TCP export: two storage VMs export a replicated volume through nvmet under one NQN; the compute VM connects to both, nvme list-subsys shows one live optimized and one inaccessible path, fio verify through native multipath, data equal on both copies; an hpsd restart changes nothing; detach removes everything
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"

export_nvme_scenario tcp
log "PASS"
