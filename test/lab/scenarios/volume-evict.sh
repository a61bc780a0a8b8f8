#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800 nvme=128M
# about: a volume bigger than its cache: writes go on past the cache's size, evicted blocks read back correctly from RBD
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

# The VM's disk is 128 MiB, so the pool caches under 128 MiB; the volume
# is 192 MiB.  fio writes all of it with checksummed blocks, then reads
# and verifies all of it: the blocks written first have been written back
# and evicted by then, so they come from RBD.
V=ve-$RANDOM
hpsd_setup
hpsd_start
total=$(ctl pool show 0 --format json | json_get total_blocks) || die "pool show 0"
log "pool 0: $total blocks of 4 KiB"
must ctl volume create "$V" --size 192M
DEV=/dev/mapper/hps-$V

log "write 192 MiB with checksums, then read it all back and verify"
must fio --name=evict --filename="$DEV" --direct=1 --ioengine=libaio --rw=write \
	--bs=64k --iodepth=8 --size=192M --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output="$LAB_OUT/fio-evict.txt"
log "volume: $(dmsetup status "hps-$V")"
log "pool: $(dmsetup status hps-pool-0)"
expect_eq "$(vol_field "$V" 12)" 0 "volume errors"
misses=$(vol_field "$V" 7)
[ "$misses" -gt 0 ] || die "no read missed the cache: nothing was evicted?"
cached=$(vol_field "$V" 4)
[ "$cached" -lt $((192 * 256)) ] || die "all $cached blocks still cached: nothing was evicted"
log "$misses reads came from RBD; $cached of $((192 * 256)) blocks cached"

log "read and verify it all again (what writeback cleaned meanwhile may hit)"
must fio --name=evict --filename="$DEV" --direct=1 --ioengine=libaio --rw=write \
	--bs=64k --iodepth=8 --size=192M --verify=crc32c --verify_only --verify_fatal=1 \
	--output="$LAB_OUT/fio-evict-reread.txt"

log "drain, then the image equals the device"
wait_clean "$V" 900
# Streamed: the VM has no room for two copies.
rbd export "$V" - --no-progress | cmp - "$DEV" ||
	die "rbd image and the volume differ after the drain"

must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel "volume-evict"
log "ok"
