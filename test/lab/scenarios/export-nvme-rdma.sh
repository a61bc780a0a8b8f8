#!/usr/bin/env bash
# lab: vms=3 ceph=yes timeout=1500 control=host ci=no
# about: NVMe/RDMA export over soft-RoCE: as export-nvme-tcp with nvmet-rdma ports and nvme connect -t rdma (replication stays on TCP)
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"

export_nvme_scenario rdma
log "PASS"
