#!/usr/bin/env bash
# lab: vms=3 ceph=yes timeout=1500 control=host ci=no
# about: NVMe-oF path failover: fio verify on the compute VM through native multipath while the primary storage VM is powered off and the secondary promoted: ANA flips, fio ends with no I/O error and the data verifies; the stall the application saw is logged
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"

export_failover_scenario
log "PASS"
