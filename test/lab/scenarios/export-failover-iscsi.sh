#!/usr/bin/env bash
# lab: vms=3 ceph=yes timeout=1500 control=host ci=no
# about: iSCSI path failover: fio verify on the compute VM through dm-multipath while the primary storage VM is powered off and the secondary promoted: ALUA flips to active/optimized on vm1, multipathd moves the queued I/O there, fio ends with no I/O error and the data verifies; the stall the application saw is logged
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"
source "$HPS_SRC/test/lab/lib/export-iscsi.sh"

export_failover_iscsi
log "PASS"
