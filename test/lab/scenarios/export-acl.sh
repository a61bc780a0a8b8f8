#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1200 control=host ci=no
# about: export access control: a storage VM exports a volume over NVMe/TCP and iSCSI; the compute VM cannot connect under a host NQN known to hpsd but not attached, can under the attached one, and cannot once detached; over iSCSI an initiator IQN not attached is refused, the attached one with a wrong CHAP secret is refused, with the right one logs in, and cannot once detached
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"
source "$HPS_SRC/test/lab/lib/export-iscsi.sh"

C=1
VOL=export-acl
log "storage node vm0 (no peer up): nvmet and LIO, hpsd exporting over NVMe/TCP and iSCSI; standalone volume $VOL"
vm_must $P "$(node "must modprobe -a nvmet nvmet_tcp $LIO_MODULES
	repl_setup lab-vm9 198.51.100.99 '\"export\": {$(nvme_json $P tcp), $(iscsi_json $P 9)}'; repl_start
	must ctl volume create \$VOL --size 64M")"
export_acl_nvme
export_acl_iscsi
vm_must $P "$(node 'repl_stop')"
log "PASS"
