#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host
# about: the ownership lease: the primary, alive, is cut off from Ceph and its peer (link down); once its lease lapses even a read of cached data waits; the peer is promoted and serves one lease after fencing it; new data is written there; the old primary's link comes back: it finds itself fenced and the waiting read fails with EIO -- it never returned the stale data
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

REPL_TRANSPORT=tcp
VOL=cutoff-tcp
LEASE_S=10 # replication.lease_ms's default

# lease_state VM: the kernel's view (dmsetup status: the 14th field after
# start, length and target).
lease_state() {
	vm_run "$1" "dmsetup status hps-$VOL | awk '{print \$17}'" | tail -n1
}

# wait_lease VM STATE SECS: prints how many seconds it took.
wait_lease() {
	local v=$1 want=$2 secs=$3 start=$SECONDS state=
	while [ $((SECONDS - start)) -lt "$secs" ]; do
		state=$(lease_state "$v")
		[ "$state" = "$want" ] && { echo $((SECONDS - start)); return 0; }
		sleep 1
	done
	die "vm$v: the lease of $VOL is '$state', not '$want', after $secs s"
}

log "both nodes: hpsd with replication over tcp"
vm_must $P "$(node "repl_setup lab-vm1 $(vm_ip $S); repl_start")"
vm_must $S "$(node "repl_setup lab-vm0 $(vm_ip $P); repl_start")"
vm_must $P "$(node 'must ctl volume create $VOL --size 64M --replica-node lab-vm1; wait_replica $VOL in_sync 120')"
vm_must $S "$(node 'wait_replica $VOL in_sync 60')"

log "old data A on the primary, cached; its lease is held"
vm_must $P "$(node 'must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M count=4 oflag=direct conv=fsync status=none')"
sum_a=$(repl_sum $P $VOL 0 4)
vm_must $P "$(node 'ctl volume show $VOL')"
state=$(vm_run $P "$(node 'replica_field $VOL lease.state')" | tail -n1)
[ "$state" = held ] || die "the primary's lease is '$state' in volume show, not 'held'"
[ "$(lease_state $P)" = held ] || die "the kernel's lease of the primary is '$(lease_state $P)', not 'held'"
[ "$(lease_state $S)" = off ] || die "the secondary has a lease: '$(lease_state $S)'"

log "the primary is cut off from Ceph and its peer (eth0 down), alive"
vm_must $P "$(node 'repl_link down')"
took=$(wait_lease $P lapsed $((LEASE_S * 3)))
log "the primary's lease lapsed $took s after the cut (lease ${LEASE_S} s)"
# A read of cached data: before the lease it would have been served from
# the cache; now it must wait (and never return the stale data).
rm -f "$(lab_vm_dir $P)"/share/results/stale-read.*
vm_run $P "rc=0; timeout 600 dd if=/dev/mapper/hps-$VOL of=/dev/null bs=4k count=1 iflag=direct status=none 2>\$LAB_OUT/stale-read.err || rc=\$?; echo \$rc >\$LAB_OUT/stale-read.rc" \
	>"$LAB_OUT/stale-read.log" 2>&1 &
sleep 5
rc_file="$(lab_vm_dir $P)/share/results/stale-read.rc"
[ ! -e "$rc_file" ] || die "a read on the cut-off primary completed (rc $(cat "$rc_file")) after its lease lapsed"
log "a read of cached data on the cut-off primary waits"

log "vm1 loses its primary and is promoted"
vm_must $S "$(node 'wait_replica $VOL disconnected_in_sync 60')"
# Timed inside vm1: from the promote's return to its first read.
vm_must $S "$(node 'ctl --format json volume promote $VOL >$LAB_OUT/promote.json; s=$(date +%s%N); state=$(dmsetup status hps-$VOL | cut -d" " -f17); must dd if=/dev/mapper/hps-$VOL of=/dev/null bs=4k count=1 iflag=direct status=none; echo "$state $(( ($(date +%s%N) - s) / 1000000 ))" >$LAB_OUT/first-read; cat $LAB_OUT/promote.json')"
read -r state first_ms <"$(lab_vm_dir $S)/share/results/first-read"
log "the new primary's kernel lease right after the promote: $state; its first read completed $first_ms ms after the promote returned"
[ "$state" = lapsed ] || die "the new primary's kernel lease is '$state' right after the promotion, not lapsed"
# The wait starts before the promote returns, and the keeper renews within
# a quarter lease after it ends.
[ "$first_ms" -ge $((LEASE_S * 1000 - 2000)) ] || die "the new primary served $first_ms ms after the promotion, before the old primary's lease (${LEASE_S} s) could have run out"
vm_must $S "$(node 'must dd if=/dev/urandom of=/dev/mapper/hps-$VOL bs=1M count=4 oflag=direct conv=fsync status=none')"
log "new data B written on vm1"
sum_b=$(repl_sum $S $VOL 0 4)
[ "$sum_b" != "$sum_a" ] || die "data B equals data A"
[ ! -e "$rc_file" ] || die "the old primary's read completed (rc $(cat "$rc_file")) while cut off"

log "the old primary's link comes back: it finds itself fenced"
vm_must $P "$(node 'repl_link up')"
took=$(wait_lease $P fenced 180)
log "the old primary fenced itself $took s after its link came back"
for _ in $(seq 30); do [ -e "$rc_file" ] && break; sleep 1; done
[ -e "$rc_file" ] || die "the read waiting on the old primary did not end once it was fenced"
rc=$(cat "$rc_file")
log "the waiting read ended: rc $rc, $(cat "$(lab_vm_dir $P)/share/results/stale-read.err" 2>/dev/null)"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || die "the old primary's read returned rc $rc: it must fail (EIO), not return data"
vm_must $P "$(node 'grep -q "fenced: RBD image" $HPSD_LOG || grep -q "fenced:" $HPSD_LOG || die "no fencing line in hpsd.log"; state=$(ctl --format json volume show $VOL | json_get replica.lease.state); [ "$state" = fenced ] || die "volume show says lease $state, not fenced"; ctl volume show $VOL')"
vm_must $P "$(node 'if dd if=/dev/mapper/hps-$VOL of=/dev/null bs=4k count=1 iflag=direct status=none; then die "a new read on the fenced old primary succeeded"; fi')"

log "vm1 (new primary) still serves B"
[ "$(repl_sum $S $VOL 0 4)" = "$sum_b" ] || die "vm1's data changed"
vm_must $P "$(node 'repl_stop')"
vm_must $S "$(node 'repl_stop')"
log "PASS"
