#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 control=host
# about: replication over TCP: a volume's copy on the secondary equals the primary; secondary hpsd killed under fio verify, the primary keeps serving (degraded), the peer returns and resync sends only the changed blocks within the recovery limit, ending in sync with equal data
source "$HPS_SRC/test/lab/lib/control.sh"

P=0 S=1
LIMIT_MBPS=4
node() { echo "source \"\$HPS_SRC/test/lab/guest/repl.sh\"; $1"; }

log "both nodes: module, blank cache disk, hpsd with replication (primary: recovery limit $LIMIT_MBPS MB/s)"
vm_must $P "$(node "repl_setup lab-vm1 $(vm_ip $S) '\"recovery_bandwidth_mbps\": $LIMIT_MBPS'; repl_start")"
vm_must $S "$(node "repl_setup lab-vm0 $(vm_ip $P); repl_start")"

log "volume r1 on vm0 with its replica on vm1"
vm_must $P "$(node 'must ctl volume create r1 --size 256M --replica-node lab-vm1; wait_replica r1 in_sync 120; ctl volume show r1')"
roles=$(vm_run $S "$(node 'ctl --format json volume show r1 | json_get role peer | tr "\n" " "')")
[ "$(echo $roles)" = "secondary lab-vm0" ] || die "vm1's r1 is '$roles', not the secondary of lab-vm0"

log "16 MiB written on the primary (flushed) are on the secondary"
sum_p=$(vm_run $P "$(node 'head -c 16M /dev/urandom >/tmp/a; must dd if=/tmp/a of=/dev/mapper/hps-r1 bs=1M oflag=direct conv=fsync status=none; md5sum </tmp/a | cut -d" " -f1')" | tail -n1)
sum_s=$(vm_run $S "$(node 'dd if=/dev/mapper/hps-r1 bs=1M count=16 iflag=direct status=none | md5sum | cut -d" " -f1')" | tail -n1)
log "primary wrote $sum_p, secondary holds $sum_s"
[ -n "$sum_p" ] && [ "$sum_p" = "$sum_s" ] || die "the secondary's copy differs from what the primary wrote"

log "fio verify on the primary (64..96 MiB); the secondary's hpsd is killed mid-load"
vm_run $P "fio --name=load --filename=/dev/mapper/hps-r1 --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=8 --offset=64M --size=32M --io_size=24M \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --output=\$LAB_OUT/fio-load.txt" \
	>"$LAB_OUT/fio-load.log" 2>&1 &
fio_pid=$!
sleep 8
vm_must $S "$(node 'repl_kill')"
vm_must $P "$(node 'wait_replica r1 degraded 30')"
wait "$fio_pid" || { cat "$LAB_OUT/fio-load.log"; die "fio on the primary failed while the peer was gone"; }
log "fio done with no error while degraded"
changed=$(vm_run $P "$(node 'replica_field r1 changed_bytes')" | tail -n1)
log "recorded for resync: $changed bytes"
[ "$changed" -gt 0 ] || die "nothing recorded for resync"
[ "$changed" -le $((32 << 20)) ] || die "$changed bytes recorded, more than fio's 32 MiB region"

log "the secondary's hpsd returns: resync"
vm_must $S "$(node 'repl_start')"
vm_must $P "$(node 'wait_replica r1 in_sync 300; ctl volume show r1')"
vals=$(vm_run $P "$(node 'ctl --format json volume show r1 | json_get replica.resync.planned_bytes replica.resync.acked_bytes replica.resync.elapsed_ms | tr "\n" " "')" | tail -n1)
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
sum_p=$(vm_run $P "dd if=/dev/mapper/hps-r1 bs=1M count=128 iflag=direct status=none | md5sum | cut -d' ' -f1" | tail -n1)
sum_s=$(vm_run $S "dd if=/dev/mapper/hps-r1 bs=1M count=128 iflag=direct status=none | md5sum | cut -d' ' -f1" | tail -n1)
log "primary $sum_p, secondary $sum_s"
[ -n "$sum_p" ] && [ "$sum_p" = "$sum_s" ] || die "the copies differ after the resync"

# --- clean marks (CLEAN): the secondary's copy becomes clean once the primary
# wrote it back.  Everything ever written (0..16 MiB, 64..96 MiB) is written
# again in sync, so no block is left over from CLEANs dropped while degraded.
log "CLEAN: 48 MiB rewritten in sync, drained on the primary; the secondary's copy goes clean"
vm_must $P "$(node 'must dd if=/dev/urandom of=/dev/mapper/hps-r1 bs=1M count=16 oflag=direct conv=fsync status=none; must dd if=/dev/urandom of=/dev/mapper/hps-r1 bs=1M seek=64 count=32 oflag=direct conv=fsync status=none; wait_replica r1 in_sync 30')"
dirty_s=$(vm_run $S "$(node 'ctl --format json volume show r1 | json_get status.dirty_blocks')" | tail -n1)
log "secondary: $dirty_s dirty blocks before the drain"
[ "$dirty_s" -gt 0 ] || die "the secondary holds no dirty block after 48 MiB written in sync"
clean_start=$SECONDS
vm_must $P "$(node 'must ctl volume flush r1 --wait >/dev/null')"
vm_must $S "$(node 'for i in $(seq 300); do d=$(ctl --format json volume show r1 | json_get status.dirty_blocks); [ "$d" = 0 ] && break; sleep 1; done; [ "$d" = 0 ] || die "the secondary still has $d dirty blocks"')"
log "secondary clean $((SECONDS - clean_start)) s after the drain began; primary's CLEANs: $(vm_run $P "$(node 'ctl --format json volume show r1 | json_get replica.clean')" | tail -n1)"
sum_p=$(vm_run $P "dd if=/dev/mapper/hps-r1 bs=1M count=128 iflag=direct status=none | md5sum | cut -d' ' -f1" | tail -n1)
sum_s=$(vm_run $S "dd if=/dev/mapper/hps-r1 bs=1M count=128 iflag=direct status=none | md5sum | cut -d' ' -f1" | tail -n1)
[ -n "$sum_p" ] && [ "$sum_p" = "$sum_s" ] || die "the copies differ after the secondary went clean"
# --- end of clean marks

log "clean stop of both hpsd"
vm_must $P "$(node 'repl_stop')"
vm_must $S "$(node 'repl_stop')"
log "PASS"
