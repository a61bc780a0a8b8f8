#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1200 control=host ci=no
# about: export access control: a storage VM exports a volume to one host; the compute VM cannot connect over NVMe/TCP under another host NQN (known to hpsd, not attached), can under the attached one, and cannot once detached
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"

C=1
VOL=export-acl
log "storage node vm0 (no peer up): nvmet, hpsd exporting over NVMe/TCP; standalone volume $VOL"
vm_must $P "$(node "must modprobe -a nvmet nvmet_tcp; repl_setup lab-vm9 198.51.100.99 '$(export_json $P tcp)'; repl_start
	must ctl volume create \$VOL --size 64M")"
export_acl_nvme
vm_must $P "$(node 'repl_stop')"
log "PASS"
