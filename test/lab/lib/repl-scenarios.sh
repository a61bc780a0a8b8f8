# The bodies of the replication scenarios, shared by their TCP and RDMA
# variants (scenarios/repl-resync-tcp.sh, repl-linkcut-tcp.sh and their
# -rdma twins, each a thin file naming its transport).  Sourced by a control=host
# scenario after lib/control.sh.  VM 0 is the primary (lab-vm0, it sorts
# first: it dials), VM 1 the secondary; both run hpsd through guest/repl.sh.

P=0 S=1
REPL_TRANSPORT=tcp
# The volume: each scenario names its own, since the scenarios of a run share
# one Ceph and a volume's RBD image (and its owner's lock) outlives it.
VOL=

# node TEXT: TEXT with guest/repl.sh sourced and the transport set, for vm_run.
node() { echo "VOL=$VOL; REPL_TRANSPORT=$REPL_TRANSPORT; source \"\$HPS_SRC/test/lab/guest/repl.sh\"; $1"; }

# md5 of N MiB of volume NAME from OFFSET MiB, in VM V.
repl_sum() {
	vm_run "$1" "dd if=/dev/mapper/hps-$2 bs=1M skip=$3 count=$4 iflag=direct status=none | md5sum | cut -d' ' -f1" | tail -n1
}

# repl_same NAME OFFSET_MIB MIB: both copies of the range are equal.
repl_same() {
	local p s
	p=$(repl_sum $P "$1" "$2" "$3")
	s=$(repl_sum $S "$1" "$2" "$3")
	log "$1 $2..$(($2 + $3)) MiB: primary $p, secondary $s"
	[ -n "$p" ] && [ "$p" = "$s" ] || die "the copies of $1 $2..$(($2 + $3)) MiB differ"
}

# repl_fio NAME OFFSET_MIB MIB IO_MIB [IOPS]: fio verify on the primary, in
# the background (its vm_run's pid in $fio_pid), at most IOPS writes a
# second when given (so that it still writes when a fault comes some
# seconds later); repl_fio_wait fails the scenario when it failed.
repl_fio() {
	vm_run $P "fio --name=load --filename=/dev/mapper/hps-$1 --direct=1 --ioengine=libaio \
		--rw=randwrite --bs=4k --iodepth=8 --offset=$2M --size=$3M --io_size=$4M ${5:+--rate_iops=$5} \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --output=\$LAB_OUT/fio-$1-$2.txt" \
		>"$LAB_OUT/fio-$1-$2.log" 2>&1 &
	fio_pid=$!
}
repl_fio_wait() {
	wait "$fio_pid" || { cat "$LAB_OUT/fio-$1-$2.log"; die "fio on the primary failed ($1 from $2 MiB): $3"; }
}

# repl_nodes [PRIMARY_EXTRA_JSON]: module, blank disk, hpsd on both nodes.
repl_nodes() {
	local extra=
	[ -z "${1:-}" ] || extra="'$1'"
	vm_must $P "$(node "repl_setup lab-vm1 $(vm_ip $S) $extra; repl_start")"
	vm_must $S "$(node "repl_setup lab-vm0 $(vm_ip $P); repl_start")"
}

# repl_resync_scenario TRANSPORT: a volume's copy on the secondary equals
# the primary's; the secondary's hpsd is killed under fio verify, the
# primary keeps serving (degraded), the peer returns and resync sends only
# the changed blocks within the recovery limit, ending in sync with equal
# data.
repl_resync_scenario() {
	REPL_TRANSPORT=$1
	VOL=resync-$1
	local LIMIT_MBPS=4

	log "both nodes: module, blank cache disk, hpsd replicating over $REPL_TRANSPORT (primary: recovery limit $LIMIT_MBPS MB/s)"
	repl_nodes "\"recovery_bandwidth_mbps\": $LIMIT_MBPS"

	log "volume $VOL on vm0 with its replica on vm1"
	vm_must $P "$(node 'must ctl volume create $VOL --size 256M --replica-node lab-vm1; wait_replica $VOL in_sync 120; ctl volume show $VOL')"
	roles=$(vm_run $S "$(node 'ctl --format json volume show $VOL | json_get role peer | tr "\n" " "')")
	[ "$(echo $roles)" = "secondary lab-vm0" ] || die "vm1's $VOL is '$roles', not the secondary of lab-vm0"

	log "16 MiB written on the primary (flushed) are on the secondary"
	sum_p=$(vm_run $P "$(node 'head -c 16M /dev/urandom >/tmp/a; must dd if=/tmp/a of=/dev/mapper/hps-$VOL bs=1M oflag=direct conv=fsync status=none; md5sum </tmp/a | cut -d" " -f1')" | tail -n1)
	sum_s=$(repl_sum $S $VOL 0 16)
	log "primary wrote $sum_p, secondary holds $sum_s"
	[ -n "$sum_p" ] && [ "$sum_p" = "$sum_s" ] || die "the secondary's copy differs from what the primary wrote"

	log "fio verify on the primary (64..96 MiB); the secondary's hpsd is killed mid-load"
	repl_fio $VOL 64 32 24
	sleep 8
	vm_must $S "$(node 'repl_kill')"
	vm_must $P "$(node 'wait_replica $VOL degraded 30')"
	repl_fio_wait $VOL 64 "while the peer was gone"
	log "fio done with no error while degraded"
	changed=$(vm_run $P "$(node 'replica_field $VOL changed_bytes')" | tail -n1)
	log "recorded for resync: $changed bytes"
	[ "$changed" -gt 0 ] || die "nothing recorded for resync"
	[ "$changed" -le $((32 << 20)) ] || die "$changed bytes recorded, more than fio's 32 MiB region"

	log "the secondary's hpsd returns: resync"
	vm_must $S "$(node 'repl_start')"
	vm_must $P "$(node 'wait_replica $VOL in_sync 300; ctl volume show $VOL')"
	vals=$(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get replica.resync.planned_bytes replica.resync.acked_bytes replica.resync.elapsed_ms | tr "\n" " "')" | tail -n1)
	read -r planned acked elapsed <<<"$vals" || true
	log "resync: planned $planned, acked $acked bytes in $elapsed ms"
	[ "$planned" = "$changed" ] || die "resync planned $planned bytes, the change log had $changed"
	[ "$acked" = "$planned" ] || die "resync acked $acked of $planned bytes"
	# Within 10 % of the limit: bytes / time <= 1.1 x limit (MB = 10^6 B).
	max_bytes=$((elapsed * LIMIT_MBPS * 1100))
	[ "$acked" -le "$max_bytes" ] ||
		die "resync ran at $((acked / (elapsed + 1))) kB/s, over the $LIMIT_MBPS MB/s limit + 10 %"
	log "resync rate $((acked / (elapsed + 1))) kB/s (limit $LIMIT_MBPS MB/s)"

	log "after the resync both copies of 0..128 MiB are equal"
	repl_same $VOL 0 128

	# --- clean marks (CLEAN): the secondary's copy becomes clean once the
	# primary wrote it back.  Everything ever written (0..16 MiB, 64..96
	# MiB) is written again in sync, so no block is left over from CLEANs
	# dropped while degraded.
	log "CLEAN: 48 MiB rewritten in sync, drained on the primary; the secondary's copy goes clean"
	vm_must $P "$(node 'must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M count=16 oflag=direct conv=fsync status=none; must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M seek=64 count=32 oflag=direct conv=fsync status=none; wait_replica $VOL in_sync 30')"
	local dirty_s clean_start
	dirty_s=$(vm_run $S "$(node 'ctl --format json volume show $VOL | json_get status.dirty_blocks')" | tail -n1)
	log "secondary: $dirty_s dirty blocks before the drain"
	# Writeback by age may have cleaned (and CLEANed) some already.
	[ "$dirty_s" -gt 0 ] || die "the secondary holds no dirty block after 48 MiB written in sync"
	clean_start=$SECONDS
	vm_must $P "$(node 'must ctl volume flush $VOL --wait >/dev/null')"
	vm_must $S "$(node 'for i in $(seq 300); do d=$(ctl --format json volume show $VOL | json_get status.dirty_blocks); [ "$d" = 0 ] && break; sleep 1; done; [ "$d" = 0 ] || die "the secondary still has $d dirty blocks"')"
	log "secondary clean $((SECONDS - clean_start)) s after the drain began; primary's CLEANs: $(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get replica.clean')" | tail -n1)"
	repl_same $VOL 0 128

	log "clean stop of both hpsd"
	vm_must $P "$(node 'repl_stop')"
	vm_must $S "$(node 'repl_stop')"
	log "PASS"
}

# repl_cut_round V OFFSET_MIB: fio verify on the primary over 12 MiB from
# OFFSET; VM V's link goes down mid-load; the primary goes degraded within
# peer_timeout (10 s).  The secondary cut off: fio ends without an error; 4
# MiB more are written while degraded; the link comes back, resync, in
# sync, both copies of the 16 MiB equal.  The primary cut off (from Ceph
# too): its writes wait for Ceph's outdated record until the link is back,
# then fio ends without an error, resync, in sync, the 12 MiB equal.
repl_cut_round() {
	local v=$1 off=$2 whose=primary changed
	[ "$v" = $P ] || whose=secondary
	log "fio verify on the primary ($off..$((off + 12)) MiB); the $whose's link goes down mid-load"
	repl_fio $VOL "$off" 12 12 100 # 30 s of writes at least
	sleep 4
	vm_must "$v" "$(node 'repl_link down')"
	vm_must $P "$(node 'wait_replica $VOL degraded 40')"
	if [ "$v" = $P ]; then
		# Cut off from Ceph too, the primary cannot record in Ceph that
		# its peer's copy is outdated, so what it would complete alone
		# waits (no error) until the link is back (PROTOCOL.md,
		# "Ownership and fencing").
		# Ceph's answer to the record takes its op timeout (30 s).
		local why
		why=$(vm_run $P "$(node 'for i in $(seq 120); do w=$(replica_field $VOL last_error); case $w in *outdated*) break ;; esac; sleep 1; done; echo "$w"')" | tail -n1)
		log "primary while cut off: $why"
		case $why in
		*outdated*) ;;
		*) die "the cut-off primary does not say it waits for Ceph's outdated record: '$why'" ;;
		esac
		log "the primary's link comes back: the writes go on, then resync"
		vm_must "$v" "$(node 'repl_link up')"
		repl_fio_wait $VOL "$off" "across the primary's link cut"
		vm_must $P "$(node 'wait_replica $VOL in_sync 300')"
		repl_same $VOL "$off" 12
		return
	fi
	repl_fio_wait $VOL "$off" "across the $whose's link cut"
	log "fio done with no error; 4 MiB more written while degraded"
	vm_must $P "$(node "must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M seek=$((off + 12)) count=4 oflag=direct conv=fsync status=none; wait_replica $VOL degraded 1")"
	changed=$(vm_run $P "$(node 'replica_field $VOL changed_bytes')" | tail -n1)
	log "recorded for resync: $changed bytes"
	[ "$changed" -ge $((4 << 20)) ] || die "$changed bytes recorded for resync, not even the 4 MiB written while degraded"

	log "the $whose's link comes back: resync"
	vm_must "$v" "$(node 'repl_link up')"
	vm_must $P "$(node 'wait_replica $VOL in_sync 300')"
	repl_same $VOL "$off" 16
}

# repl_linkcut_scenario TRANSPORT: the link cut on either side and
# repaired, then the primary's hpsd SIGKILLed and restarted, all under
# fio verify; each time the primary serves on, resyncs and ends in sync
# with equal copies, after the restart resyncing only what changed.
repl_linkcut_scenario() {
	REPL_TRANSPORT=$1
	VOL=linkcut-$1

	log "both nodes: module, blank cache disk, hpsd replicating over $REPL_TRANSPORT"
	repl_nodes
	log "volume $VOL (64 MiB) on vm0 with its replica on vm1"
	vm_must $P "$(node 'must ctl volume create $VOL --size 64M --replica-node lab-vm1; wait_replica $VOL in_sync 120')"

	repl_cut_round $P 0
	repl_cut_round $S 16

	log "fio verify on the primary (32..44 MiB); the primary's hpsd is SIGKILLed mid-load and restarted"
	repl_fio $VOL 32 12 12 100
	sleep 6
	vm_must $P "$(node 'repl_kill; repl_start')"
	repl_fio_wait $VOL 32 "across the primary's hpsd restart"
	log "fio done with no error; the restarted primary resyncs only what changed (the peer kept its copy)"
	vm_must $P "$(node 'wait_replica $VOL in_sync 300; ctl volume show $VOL')"
	planned=$(vm_run $P "$(node 'replica_field $VOL resync.planned_bytes')" | tail -n1)
	log "resync after the restart: $planned bytes planned"
	[ -n "$planned" ] && [ "$planned" -lt $((64 << 20)) ] ||
		die "the restarted primary planned '$planned' bytes: a full resync of a copy the peer kept"
	repl_same $VOL 0 64

	log "clean stop of both hpsd"
	vm_must $P "$(node 'repl_stop')"
	vm_must $S "$(node 'repl_stop')"
	log "PASS"
}
