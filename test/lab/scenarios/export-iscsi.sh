#!/usr/bin/env bash
# lab: vms=3 ceph=yes timeout=1500 control=host ci=no
# about: iSCSI export: two storage VMs export a replicated volume through LIO under one target IQN (one TPG each); the compute VM logs in to both with iscsiadm and dm-multipath makes one map: one path active/optimized (the primary's), one standby; fio verify through the map, data equal on both copies; an hpsd restart changes nothing; detach removes target, backstore and HBA
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"
source "$HPS_SRC/test/lab/lib/export-iscsi.sh"

export_iscsi_scenario
log "PASS"
