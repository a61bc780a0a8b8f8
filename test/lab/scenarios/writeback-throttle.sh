#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800 nvme=256M
# about: past the high dirty watermark hpsd has the kernel delay writes instead of failing them: fio verify fills 90 % of a small cache faster than writeback drains, sees no error, the throttle comes and goes, the image ends up correct
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

# A 256 MiB cache disk: one pool of about 250 MiB.  Random 64 KiB writes
# (no sequential cutoff) over 240 MiB of a volume reach the high watermark
# (80 %); writeback is limited to 1 MB/s below it, so only the throttle
# and urgent writeback (no limit) hold the dirty level.
V=thr-$RANDOM
hpsd_setup '"flush_bandwidth_mbps": 1'
hpsd_start
must ctl volume create "$V" --size 384M
DEV=/dev/mapper/hps-$V
POOL=hps-pool-0

# After "<start> <len> hps-pool": 8 dirty_blocks, 16 throttle_us, 17 throttled (FORMAT.md).
pool_field() { dmsetup status "$POOL" | awk -v f="$1" '{ print $(f + 3) }'; }
total=$(pool_field 3)
log "pool: $total blocks"

# Two passes over the region: the first fills the cache, the second writes
# while it is full, so the throttle meets writes however fast the first pass
# went (a fast writeback or a slow VM can leave the first pass just under the
# watermark, or cross it only as fio turns to verifying).
fill() {
	fio --name=fill --filename="$DEV" --direct=1 --ioengine=libaio --rw=randwrite --bs=64k \
		--iodepth=16 --size=240M --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--output="$LAB_OUT/fio-fill-$1.txt"
}
{ fill 1 && fill 2; } &
fio_pid=$!
max_us=0
max_dirty=0
while kill -0 "$fio_pid" 2>/dev/null; do
	us=$(pool_field 16)
	d=$(pool_field 8)
	[ "$us" -gt "$max_us" ] && max_us=$us
	[ "$d" -gt "$max_dirty" ] && max_dirty=$d
	sleep 0.5
done
wait "$fio_pid" || die "fio failed while the cache filled: $(tail -n 5 "$LAB_OUT"/fio-fill-*.txt)"
expect_eq "$(vol_field "$V" 12)" 0 "volume errors"
throttled=$(pool_field 17)
log "dirty peaked at $max_dirty of $total blocks; throttle up to $max_us us; $throttled writes delayed"
[ $((max_dirty * 100)) -ge $((total * 80)) ] || die "the cache never reached the high watermark"
[ "$max_us" -ge 1000 ] || die "hpsd never asked the kernel to throttle"
[ "$throttled" -gt 0 ] || die "no write was delayed"

log "hpsd stops: its throttle goes with its channel"
hpsd_stop
expect_eq "$(pool_field 16)" 0 "throttle with no hpsd"

log "hpsd again, without the rate limit: the drain ends the throttle"
must sed -i 's/"flush_bandwidth_mbps": 1/"flush_bandwidth_mbps": 0/' "$HPSD_CONF"
hpsd_start
must ctl volume flush "$V"
wait_clean "$V" 900
for _ in $(seq 30); do
	[ "$(pool_field 16)" = 0 ] && break
	sleep 1
done
expect_eq "$(pool_field 16)" 0 "throttle after the drain"
rbd export "$V" - --no-progress | cmp - "$DEV" ||
	die "rbd image and the volume differ after the drain"

must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel "writeback-throttle"
log "ok"
