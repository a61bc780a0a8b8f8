#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=600
# about: the kernel's ownership lease of a volume, without hpsd: a lapsed lease holds every new bio (a cache hit included) until renewed (a read or write of many blocks waits block by block and is served whole after), 'lease fence' fails them, a noflush suspend gives waiting bios back to dm (they wait again after resume), a flushing suspend fails them, bad lease messages are refused
source "$HPS_SRC/test/lab/guest/lib.sh"

# No hpsd: whole 4 KiB writes and reads of them stay in the kernel (cache).
NV=$LAB_NVME
CACHE=hps-lease-cache		# 64 MiB slice
SLICE=131072
P=hps-pool-7
V=hps-lease-vol

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE 7 8 1 format"
must dm_create "$V" "0 65536 hps /dev/mapper/$P 71 standalone"
must dd if=/dev/urandom of="/dev/mapper/$V" bs=4K count=16 oflag=direct conv=fsync status=none
want=$(dd if="/dev/mapper/$V" bs=4K count=1 iflag=direct status=none | md5sum)

lease() { dmsetup status "$V" | awk '{print $17}'; }
waited() { dmsetup status "$V" | awk '{print $18}'; }
# dd_bg NAME ARGS...: dd ARGS in the background, its output in NAME.data;
# NAME.rc when done.
dd_bg() {
	local name=$1
	shift
	rm -f "$LAB_OUT/$name".*
	(rc=0; dd "$@" status=none >"$LAB_OUT/$name.data" 2>"$LAB_OUT/$name.err" || rc=$?; echo $rc >"$LAB_OUT/$name.rc") &
}
# read_bg NAME: one 4 KiB direct read in the background.
read_bg() { dd_bg "$1" if="/dev/mapper/$V" bs=4K count=1 iflag=direct; }
# done_within NAME SECS
done_within() {
	local _
	for _ in $(seq $(($2 * 10))); do
		[ -e "$LAB_OUT/$1.rc" ] && return 0
		sleep 0.1
	done
	return 1
}
# still_waits NAME SECS: read NAME has not ended within SECS.
still_waits() {
	! done_within "$1" "$2" || die "$1 ended (rc $(cat "$LAB_OUT/$1.rc")) though it should wait for the lease"
}
# read_good NAME [MD5]: read NAME ends, succeeded, and read the data
# written (MD5 of it; the first block's by default).
read_good() {
	done_within "$1" 10 || die "read $1 did not end once let go"
	expect_eq "$(cat "$LAB_OUT/$1.rc")" 0 "exit status of read $1"
	expect_eq "$(md5sum <"$LAB_OUT/$1.data")" "${2:-$want}" "the data of read $1"
}

expect_eq "$(lease)" off "a new table has no lease"

log "a held lease serves; one that lapsed holds a cache hit until renewed"
must dmsetup message "$V" 0 lease 60000
expect_eq "$(lease)" held "lease after 'lease 60000'"
read_bg r1
read_good r1
must dmsetup message "$V" 0 lease 1000
sleep 1.5
expect_eq "$(lease)" lapsed "lease 1.5 s after 'lease 1000'"
read_bg r2
still_waits r2 3
expect_eq "$(waited)" 1 "bios that waited for the lease"
must dmsetup message "$V" 0 lease 0
still_waits r2 1
must dmsetup message "$V" 0 lease 60000
read_good r2

# Each waiting piece is mapped again from the lease's work, where dm may
# no longer split a bio: they must wait cut to one block (4 KiB) each.
log "a read and a write of 16 blocks wait while lapsed, block by block, and are served once renewed"
want16=$(dd if="/dev/mapper/$V" bs=64K count=1 iflag=direct status=none | md5sum)
must dd if=/dev/urandom of="$LAB_OUT/big.in" bs=64K count=1 status=none
must dmsetup message "$V" 0 lease 0
dd_bg r6 if="/dev/mapper/$V" bs=64K count=1 iflag=direct
dd_bg w6 if="$LAB_OUT/big.in" of="/dev/mapper/$V" bs=64K seek=1 count=1 oflag=direct
still_waits r6 3
still_waits w6 1
must dmsetup message "$V" 0 lease 60000
read_good r6 "$want16"
done_within w6 10 || die "write w6 did not end once let go"
expect_eq "$(cat "$LAB_OUT/w6.rc")" 0 "exit status of write w6"
expect_eq "$(dd if="/dev/mapper/$V" bs=64K skip=1 count=1 iflag=direct status=none | md5sum)" \
	"$(md5sum <"$LAB_OUT/big.in")" "the 16 blocks written while the lease lapsed, read back"
expect_eq "$(waited)" 33 "bios that waited for the lease (1 before, then each of the 16 blocks of both)"
check_kernel "the reads and writes of many blocks let go by a renewal"

log "a noflush suspend gives a waiting read back to dm; after resume it waits again"
must dmsetup message "$V" 0 lease 0
read_bg r3
still_waits r3 2
timeout 30 dmsetup suspend --noudevsync --noflush "$V" || die "a noflush suspend with a waiting read did not complete"
must dmsetup resume --noudevsync "$V"
still_waits r3 2
must dmsetup message "$V" 0 lease off
read_good r3

log "'lease fence' fails the waiting and every new bio, 'lease off' ends it"
must dmsetup message "$V" 0 lease 0
read_bg r4
still_waits r4 2
must dmsetup message "$V" 0 lease fence
done_within r4 10 || die "the fence did not end the waiting read"
[ "$(cat "$LAB_OUT/r4.rc")" != 0 ] || die "a read waiting when fenced succeeded"
expect_eq "$(lease)" fenced "lease after 'lease fence'"
if dd if="/dev/mapper/$V" of=/dev/null bs=4K count=1 iflag=direct status=none 2>/dev/null; then
	die "a new read on a fenced volume succeeded"
fi
if dd if=/dev/zero of="/dev/mapper/$V" bs=4K count=1 oflag=direct status=none 2>/dev/null; then
	die "a new write on a fenced volume succeeded"
fi
if dmsetup message "$V" 0 lease 60000 2>/dev/null; then die "a renewal of a fenced volume was accepted"; fi
expect_eq "$(lease)" fenced "lease after a renewal of a fenced volume"
must dmsetup message "$V" 0 lease off
expect_eq "$(lease)" off "lease after 'lease off' of a fenced volume"
must dd if="/dev/mapper/$V" of=/dev/null bs=4K count=1 iflag=direct status=none

log "bad lease messages are refused, the lease unchanged"
for bad in "lease" "lease 600001" "lease 1x" "lease on" "lease 1 2"; do
	# shellcheck disable=SC2086
	if dmsetup message "$V" 0 $bad 2>/dev/null; then die "'$bad' was accepted"; fi
done
expect_eq "$(lease)" off "lease after the bad messages"

log "a plain (flushing) suspend with a read waiting fails the read, never hangs"
must dmsetup message "$V" 0 lease 0
read_bg r5
still_waits r5 2
timeout 30 dmsetup suspend --noudevsync "$V" || die "a suspend with a waiting read did not complete"
done_within r5 10 || die "the read waiting at the suspend did not end"
[ "$(cat "$LAB_OUT/r5.rc")" != 0 ] || die "the read waiting at a flushing suspend succeeded"
must dmsetup resume --noudevsync "$V"
must dmsetup message "$V" 0 lease off
must dm_remove "$V"
must dm_remove "$P"
must dm_remove "$CACHE"
check_kernel "the lease checks"
log "PASS"
