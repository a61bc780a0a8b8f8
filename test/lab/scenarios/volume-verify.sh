#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: fio verify on an hps volume (random 4K and mixed sizes incl. 512 B, QD1 and QD32), drain writeback, rbd export equals the device
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

V=vv-$RANDOM
hpsd_setup
hpsd_start
must ctl volume create "$V" --size 256M
DEV=/dev/mapper/hps-$V
[ -b "$DEV" ] || die "no device $DEV"

# fio_verify NAME OFFSET SIZE QD RW-OPTIONS...: write a region, read it back
# verifying every block's checksum and header; any error fails.
fio_verify() {
	local name=$1 off=$2 size=$3 qd=$4
	shift 4
	log "fio $name: $size at $off, QD$qd $*"
	must fio --name="$name" --filename="$DEV" --direct=1 --ioengine=libaio \
		--offset="$off" --size="$size" --iodepth="$qd" "$@" \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --output="$LAB_OUT/fio-$name.txt"
}
fio_verify rand4k-qd1 0 24M 1 --rw=randwrite --bs=4k
fio_verify rand4k-qd32 24M 48M 32 --rw=randwrite --bs=4k
fio_verify mixed-qd1 72M 24M 1 --rw=randwrite --bssplit=512/10:4k/50:16k/20:64k/20
fio_verify mixed-qd32 96M 64M 32 --rw=randwrite --bssplit=512/10:4k/40:16k/20:64k/20:128k/10
# Overwrite part of what is cached (dirty in place, clean copies replaced).
fio_verify rewrite-qd32 0 48M 32 --rw=randwrite --bssplit=4k/70:64k/30

# Discards (one of whole RBD objects, one of partial blocks): the cache
# drops the whole blocks, RBD gets the exact range.  What a discarded range
# reads is undefined (a block under writeback stays; librbd may skip a
# partial discard), but after the drain the image equals the device.
must blkdiscard -o $((8 << 20)) -l $((8 << 20)) "$DEV"
must blkdiscard -o $(((30 << 20) + 2048)) -l $((1 << 20)) "$DEV"
[ "$(vol_field "$V" 11)" -ge 2 ] || die "the discards did not reach the volume"

log "volume: $(dmsetup status "hps-$V")"
expect_eq "$(vol_field "$V" 12)" 0 "volume errors"
[ "$(vol_field "$V" 5)" -gt 0 ] || die "nothing was cached dirty"
[ "$(vol_field "$V" 9)" -gt 0 ] || die "no partial write went to the backend"

log "drain writeback"
wait_clean "$V" 900
log "volume after drain: $(dmsetup status "hps-$V")"

log "rbd export of the image equals the device"
# Streamed: the VM has no room for two copies.
rbd export "$V" - --no-progress | cmp - "$DEV" ||
	die "rbd image and the volume differ after the drain"
expect_eq "$(vol_field "$V" 12)" 0 "volume errors at the end"

must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel "volume-verify"
log "ok"
