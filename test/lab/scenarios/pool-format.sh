#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=900
# about: hps-pool superblocks: format only when asked, reload by uuid, survive a bad copy, refuse mismatches
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
CACHE=hps-fmt-cache		# a 64 MiB slice of the NVMe disk
SLICE=131072
P=hps-pool-7

uuid_of() { dmsetup status "$1" | awk '{ print $9 }'; }

# The superblock copies as bytes: magic at 0 and 4096 of the cache device.
magic_at() { dd if="/dev/mapper/$CACHE" bs=1 skip="$1" count=8 status=none; }

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=1 oflag=direct status=none
T="0 $SLICE hps-pool /dev/mapper/$CACHE 7 8"

log "a blank device is never a pool by accident"
dm_reject "$P" "holds no hps pool" "$T"

log "format writes both superblock copies"
must dm_create "$P" "$T 1 format"
u1=$(uuid_of "$P")
[[ $u1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || die "pool uuid '$u1'"
must dm_remove "$P"
expect_eq "$(magic_at 0)" HPSPOOL1 "magic of superblock A"
expect_eq "$(magic_at 4096)" HPSPOOL1 "magic of superblock B"

log "re-creating without format loads the same pool"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid after reload"
must dm_remove "$P"

log "format over a pool needs force_format; the pool survives the attempt"
dm_reject "$P" "needs force_format" "$T 1 format"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid after a refused format"
must dm_remove "$P"

log "a table that does not describe this pool is refused"
dm_reject "$P" "another pool_id" "0 $SLICE hps-pool /dev/mapper/$CACHE 8 8"
dm_reject "$P" "another block_sectors" "0 $SLICE hps-pool /dev/mapper/$CACHE 7 16"

log "one torn superblock copy: the other one loads"
must dd if=/dev/urandom of="/dev/mapper/$CACHE" bs=512 count=1 seek=0 oflag=direct status=none
mark=$(dmesg | wc -l)
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid with copy A torn"
dmesg | tail -n +"$((mark + 1))" | grep -q "one superblock copy was bad" ||
	die "kernel did not report the bad copy"
must dm_remove "$P"
must dd if=/dev/urandom of="/dev/mapper/$CACHE" bs=512 count=1 seek=8 oflag=direct status=none
dm_reject "$P" "holds no hps pool" "$T"

log "force_format makes a new pool"
must dm_create "$P" "$T 1 format"	# no valid copy left: plain format works
u2=$(uuid_of "$P")
must dm_remove "$P"
must dm_create "$P" "$T 2 format force_format"
u3=$(uuid_of "$P")
must dm_remove "$P"
[ "$u2" != "$u1" ] && [ "$u3" != "$u2" ] || die "uuids did not change: $u1 $u2 $u3"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u3" "uuid after force_format"
must dm_remove "$P"

log "a cache device that changed size is refused"
must dmsetup reload "$CACHE" --table "0 $((SLICE + 65536)) linear $NV 0"
must dmsetup resume "$CACHE"
dm_reject "$P" "changed size" "0 $((SLICE + 65536)) hps-pool /dev/mapper/$CACHE 7 8"

must dm_remove "$CACHE"
must rmmod dm_hps
check_kernel rmmod
log "pool-format: ok"
