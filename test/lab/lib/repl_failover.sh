# The body of the failover scenarios (repl-poweroff-*, repl-fenced), run on
# the host (control=host) with two VMs and Ceph:
#
#   repl_failover TRANSPORT FENCED
#
# vm0 is the primary of $VOL, vm1 its secondary.  Acknowledged 4 KiB writes
# run on vm0 (acked_writes.py logs each one after it returns) while vm0 is
# powered off.  vm1 is promoted and must hold every acknowledged write, fence
# vm0 (its RBD lock broken, its Ceph clients blocklisted) and, once drained,
# leave them all in the RBD image.  With FENCED=1 vm0 then boots again with
# its disk and state: its hpsd must find itself replaced, write nothing back
# (the image stays as vm1 left it, though vm0's cache holds stale dirty
# blocks), become vm1's secondary, and be resynced to vm1's data.

# node and repl_sum, P and S, and VOL: each scenario's own volume, as the
# scenarios of a run share one Ceph and the image (with the new primary's
# lock) outlives the scenario.
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

REGION_MIB=16

rbd_md5() {
	rbd --conf "$LAB_CEPH_CONF" export rbd/$VOL - 2>/dev/null | md5sum | cut -d' ' -f1
}

# wait_acked LOG N SECS: true once LOG (acked_writes.py's) names N
# acknowledged writes, false after SECS.
wait_acked() {
	local log=$1 want=$2 secs=$3 i
	for ((i = 0; i < secs; i++)); do
		[ -f "$log" ] && [ "$(($(wc -l <"$log") - 1))" -ge "$want" ] && return 0
		sleep 1
	done
	return 1
}

repl_failover() {
	local transport=$1 fenced=$2
	REPL_TRANSPORT=$transport
	VOL=failover-$transport-$fenced
	log "both nodes: module, blank cache disk, hpsd with replication over $transport"
	vm_must $P "$(node "repl_setup lab-vm1 $(vm_ip $S); repl_start")"
	vm_must $S "$(node "repl_setup lab-vm0 $(vm_ip $P); repl_start")"
	vm_must $P "$(node 'must ctl volume create $VOL --size 64M --replica-node lab-vm1; wait_replica $VOL in_sync 120')"
	vm_must $S "$(node 'wait_replica $VOL in_sync 60')"

	log "acknowledged writes on the primary; vm0 is powered off mid-load"
	vm_run $P "python3 \$HPS_SRC/test/lab/guest/acked_writes.py write /dev/mapper/hps-$VOL \$LAB_OUT/acked.log $REGION_MIB" \
		>"$LAB_OUT/writer.log" 2>&1 &
	local writer=$!
	local acked="$(lab_vm_dir $P)/share/results/acked.log"
	# Power off only once writes are being acknowledged: a busy host can take
	# many seconds to start the writer in a TCG guest.
	wait_acked "$acked" 20 180 || die "the writer on vm0 logged fewer than 20 acknowledged writes in 180 s"
	sleep 10
	vm_poweroff $P
	wait "$writer" || true
	cp "$acked" "$(lab_vm_dir $S)/share/results/acked.log"
	log "vm0 acknowledged $(($(wc -l <"$acked") - 1)) writes before it went"

	log "vm1 sees its primary gone, then is promoted"
	vm_must $S "$(node 'wait_replica $VOL disconnected_in_sync 60')"
	vm_must $S "$(node 'ctl --format json volume promote $VOL >$LAB_OUT/promote.json; cat $LAB_OUT/promote.json; ctl volume show $VOL')"
	local out
	out=$(vm_run $S "$(node 'json_get promoted fenced_node volume.role <$LAB_OUT/promote.json | tr "\n" " "')" | tail -n1)
	[ "$(echo $out)" = "true lab-vm0 primary" ] || die "promote said '$out', not 'true lab-vm0 primary'"
	vm_must $S "$(node 'ctl volume promote $VOL | grep -q "already its primary" || die "a second promote is not a no-op"')"
	out=$(ceph --conf "$LAB_CEPH_CONF" osd blocklist ls 2>/dev/null | wc -l)
	log "Ceph's blocklist has $out entries"
	[ "$out" -ge 1 ] || die "nothing is blocklisted after the promotion"

	log "every acknowledged write reads back intact from the new primary"
	vm_must $S "python3 \$HPS_SRC/test/lab/guest/acked_writes.py verify /dev/mapper/hps-$VOL \$LAB_OUT/acked.log"
	log "drain to Ceph: the RBD image holds them too"
	vm_must $S "$(node 'must ctl volume flush $VOL --wait --timeout-drain 300')"
	vm_must $S "rbd --conf \$LAB_CEPH_CONF export rbd/$VOL /tmp/$VOL.img >/dev/null 2>&1 && python3 \$HPS_SRC/test/lab/guest/acked_writes.py verify /tmp/$VOL.img \$LAB_OUT/acked.log"
	[ "$fenced" = 1 ] || { vm_must $S "$(node 'repl_stop')"; return 0; }

	log "new data on vm1 over the region, drained: vm0's cache now holds stale dirty blocks"
	vm_must $S "$(node 'must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M count='$REGION_MIB' oflag=direct conv=fsync status=none; must ctl volume flush $VOL --wait --timeout-drain 300')"
	local before
	before=$(rbd_md5)

	log "vm0 boots again with its disk and state; its hpsd finds $VOL promoted elsewhere"
	vm_boot $P
	vm_must $P "$(node 'repl_resume; repl_start')"
	vm_must $P "$(node 'ctl volume show $VOL; test "$(ctl --format json volume show $VOL | json_get role peer | tr "\n" " ")" = "secondary lab-vm1 " || die "vm0 did not become the secondary of lab-vm1"')"
	vm_must $P "$(node 'grep -q "fenced: lab-vm1 holds RBD image" $HPSD_LOG || die "no fencing line in the log"')"
	log "vm0 writes nothing back (30 s), and is resynced whole from vm1"
	vm_must $S "$(node 'wait_replica $VOL in_sync 600; ctl volume show $VOL')"
	sleep 30
	[ "$(rbd_md5)" = "$before" ] || die "the RBD image changed after vm0 returned: vm0 wrote back"
	local sum_p sum_s
	sum_p=$(repl_sum $S $VOL 0 64)
	sum_s=$(repl_sum $P $VOL 0 64)
	log "vm1 (primary) $sum_p, vm0 (secondary now) $sum_s"
	[ -n "$sum_p" ] && [ "$sum_p" = "$sum_s" ] || die "vm0's copy differs from vm1's after the resync"
	vm_must $P "$(node 'repl_stop')"
	vm_must $S "$(node 'repl_stop')"
}
