#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=900
# about: the cache in the kernel alone: whole-block writes cached dirty, read hits, flush commits, reload keeps every dirty block, volume table slots
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
CACHE=hps-ck-cache		# a 128 MiB slice of the NVMe disk
SLICE=262144
P=hps-pool-3
V=hps-ck-vol
VSIZE=131072			# 64 MiB volume
W=$LAB_OUT/written.bin

vstat() { dmsetup status "$V" | awk -v f="$1" '{ print $(f + 3) }'; }
pstat() { dmsetup status "$P" | awk -v f="$1" '{ print $(f + 3) }'; }
# Volume status fields (FORMAT.md): 1 role 2 mode 3 id 4 cached 5 dirty
# 6 read_hits 7 read_misses 8 writes 9 write_through 10 flushes
# 11 discards 12 errors 13 state.  Pool: 7 used 8 dirty 10 pending_free
# 11 commits.

# same_bytes FILE BS SKIP COUNT OTHER: OTHER holds FILE's blocks SKIP.. (no /dev/fd here).
same_bytes() {
	dd if="$1" of="$LAB_OUT/expect.bin" bs="$2" skip="$3" count="$4" status=none &&
		cmp "$LAB_OUT/expect.bin" "$5"
}

make_pool() { must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE 3 8 $*"; }
make_vol() { must dm_create "$V" "0 $VSIZE hps /dev/mapper/$P 41 standalone"; }

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
make_pool 1 format
make_vol
expect_eq "$(vstat 4) $(vstat 5)" "0 0" "a new volume caches nothing"

log "8 MiB of whole 4 KiB blocks: all cached dirty, none sent to the backend"
must head -c 8M /dev/urandom >"$W"
must dd if="$W" of="/dev/mapper/$V" bs=4K oflag=direct status=none
expect_eq "$(vstat 4) $(vstat 5)" "2048 2048" "cached and dirty blocks"
expect_eq "$(vstat 8) $(vstat 9)" "2048 0" "writes and write-throughs"
expect_eq "$(pstat 7) $(pstat 8)" "2048 2048" "pool used and dirty"

log "reading it back hits the cache every time"
must dd if="/dev/mapper/$V" of="$LAB_OUT/read.bin" bs=4K count=2048 iflag=direct status=none
must cmp "$W" "$LAB_OUT/read.bin"
expect_eq "$(vstat 6) $(vstat 7)" "2048 0" "read hits and misses"

log "512-byte reads inside cached blocks hit too"
must dd if="/dev/mapper/$V" of="$LAB_OUT/small.bin" bs=512 skip=9 count=7 iflag=direct status=none
must same_bytes "$W" 512 9 7 "$LAB_OUT/small.bin"

log "overwriting dirty blocks (whole and partial) rewrites them in place"
must dd if=/dev/urandom of="$LAB_OUT/patch.bin" bs=4K count=16 status=none
must dd if="$LAB_OUT/patch.bin" of="$W" bs=4K seek=100 conv=notrunc status=none
must dd if="$LAB_OUT/patch.bin" of="/dev/mapper/$V" bs=4K seek=100 oflag=direct status=none
must dd if=/dev/urandom of="$LAB_OUT/tiny.bin" bs=512 count=3 status=none
must dd if="$LAB_OUT/tiny.bin" of="$W" bs=512 seek=5 conv=notrunc status=none
must dd if="$LAB_OUT/tiny.bin" of="/dev/mapper/$V" bs=512 seek=5 oflag=direct status=none
expect_eq "$(vstat 4) $(vstat 5) $(vstat 9)" "2048 2048 0" "still 2048 dirty blocks, no write-through"

log "a flush commits the metadata"
c0=$(pstat 11)
must dd if=/dev/null of="/dev/mapper/$V" conv=fsync,notrunc status=none
c1=$(pstat 11)
[ "$c1" -gt "$c0" ] || die "commits did not grow on a flush: $c0 -> $c1"
[ "$(vstat 10)" -ge 1 ] || die "no flush counted"
expect_eq "$(pstat 10)" 0 "pending-free blocks after a commit"

log "a FUA write completes after a commit"
c0=$(pstat 11)
must dd if="$LAB_OUT/patch.bin" of="/dev/mapper/$V" bs=4K seek=3000 count=1 oflag=direct,dsync status=none
must dd if="$LAB_OUT/patch.bin" of="$W" bs=4K seek=3000 count=1 conv=notrunc status=none
[ "$(pstat 11)" -gt "$c0" ] || die "no commit for a FUA/dsync write"

log "remove and re-create pool and volume: every dirty block is still there"
must dm_remove "$V"
must dm_remove "$P"
make_pool
make_vol
expect_eq "$(vstat 4) $(vstat 5)" "2049 2049" "cached and dirty after reload"
must dd if="/dev/mapper/$V" of="$LAB_OUT/read2.bin" bs=4K count=2048 iflag=direct status=none
must same_bytes "$W" 4K 0 2048 "$LAB_OUT/read2.bin"
must dd if="/dev/mapper/$V" of="$LAB_OUT/read3.bin" bs=4K skip=3000 count=1 iflag=direct status=none
must same_bytes "$W" 4K 3000 1 "$LAB_OUT/read3.bin"
expect_eq "$(vstat 7)" 0 "read misses after reload"

log "the volume table keeps each volume's key range"
V2=hps-ck-vol2
must dm_create "$V2" "0 $VSIZE hps /dev/mapper/$P 42 standalone"
must dd if=/dev/urandom of="$LAB_OUT/v2.bin" bs=4K count=64 status=none
must dd if="$LAB_OUT/v2.bin" of="/dev/mapper/$V2" bs=4K oflag=direct status=none
must dd if="/dev/mapper/$V" of="$LAB_OUT/read4.bin" bs=4K count=64 iflag=direct status=none
must same_bytes "$W" 4K 0 64 "$LAB_OUT/read4.bin"
expect_eq "$(dmsetup status "$V2" | awk '{ print $7 " " $8 }')" "64 64" "volume 42 cached and dirty"

log "release_volume refuses a bound or dirty volume, and drops a released one"
must_fail dmsetup message "$P" 0 release_volume 42
must dm_remove "$V2"
must_fail dmsetup message "$P" 0 release_volume 42
must_fail dmsetup message "$P" 0 release_volume 43
must dmsetup message "$P" 0 release_volume 42 force
expect_eq "$(pstat 7)" 2049 "pool used after releasing volume 42"
must_fail dmsetup message "$P" 0 release_volume 42

log "bad pool messages are refused"
for m in "" "commit now" "release_volume" "release_volume 0" "release_volume x" \
	 "release_volume 4294967296" "release_volume 41 forc" "release_volume 41 force x"; do
	# shellcheck disable=SC2086
	must_fail dmsetup message "$P" 0 $m
done
must dmsetup message "$P" 0 commit

# No hpsd here: what goes to the backend fails after daemon_timeout (1 s).
TO=/sys/module/dm_hps/parameters/daemon_timeout
echo 1 >"$TO" || die "cannot set daemon_timeout"

log "seq_cutoff: past 64 KiB of a sequential stream, writes go around the cache"
must dmsetup reload "$V" --table "0 $VSIZE hps /dev/mapper/$P 41 standalone 2 seq_cutoff 65536"
must dmsetup resume "$V"
c0=$(vstat 4) t0=$(vstat 9)
must_fail dd if=/dev/zero of="/dev/mapper/$V" bs=4K seek=8000 count=64 oflag=direct status=none
expect_eq "$(( $(vstat 4) - c0 )) $(( $(vstat 9) - t0 ))" "16 1" \
	"blocks cached before the cutoff, writes sent around it"

log "error budget: cache-device errors stop caching, loudly"
mark=$(dmesg | wc -l)
must dmsetup reload "$CACHE" --table "0 $SLICE flakey $NV 0 0 1"
must dmsetup resume "$CACHE"
# Scattered blocks: a sequential run would pass the volume's seq_cutoff.
for i in $(seq 20); do
	must_fail dd if=/dev/zero of="/dev/mapper/$V" bs=4K seek=$((9000 + 7 * i)) count=1 oflag=direct status=none
done
must dmsetup reload "$CACHE" --table "0 $SLICE linear $NV 0"
must dmsetup resume "$CACHE"
expect_eq "$(pstat 5) $(vstat 13)" "failing failing" "pool mode and volume state after 20 write errors"
dmesg | tail -n +"$((mark + 1))" | grep -q "error budget spent" || die "no 'error budget spent' in the kernel log"
c0=$(vstat 4)
must_fail dd if=/dev/zero of="/dev/mapper/$V" bs=4K seek=9500 count=1 oflag=direct status=none
expect_eq "$(vstat 4)" "$c0" "a failing pool caches no new block"
must dd if="/dev/mapper/$V" of="$LAB_OUT/read5.bin" bs=4K count=2048 iflag=direct status=none
must same_bytes "$W" 4K 0 2048 "$LAB_OUT/read5.bin"
echo 30 >"$TO"

must dm_remove "$V"
must dm_remove "$P"
must dm_remove "$CACHE"
must rmmod dm_hps
check_kernel "cache-kernel"
log "ok"
