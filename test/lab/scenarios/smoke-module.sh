#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=900
# about: dm-hps loads, its targets reject bad tables cleanly, status/messages work, it unloads
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
POOL=hps-pool-0
POOLDEV=/dev/mapper/$POOL
VOL=hps-smoke-1
VOL_SECTORS=2097152		# 1 GiB
HDR=$HPS_SRC/kmod/include/uapi/linux/dm-hps.h

majmin() { dmsetup info -c --noheadings -o major,minor --separator : "$1"; }
status5() { dmsetup status "$1" | cut -d' ' -f1-8; }	# a pool's status up to its mode
field() { dmsetup status "$1" | awk -v n="$2" '{ print $(n + 3) }'; }	# Nth field after the target name

# --- load --------------------------------------------------------------------

must hps_module_deps
[ -f "$HPS_KO" ] || die "no module at HPS_KO=$HPS_KO"
must_fail insmod "$HPS_KO" abi_version=7	# read-only: refused at load
must insmod "$HPS_KO"
check_kernel insmod

want_abi=$(sed -n 's/^#define[[:space:]]*HPS_ABI_VERSION[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$HDR")
[ -n "$want_abi" ] || die "no HPS_ABI_VERSION in $HDR"
expect_eq "$(cat /sys/module/dm_hps/parameters/abi_version)" "$want_abi" "abi_version parameter"
log "abi_version $want_abi"

# The channel's ioctl rejects what is wrong and tells its ABI (no hpsd here).
out=$(python3 - "$want_abi" <<'PY'
import errno, fcntl, mmap, os, struct, sys
abi = int(sys.argv[1])
FMT = "<6I3Q"                      # struct hps_attach (48 bytes)
assert struct.calcsize(FMT) == 48
ATTACH = (3 << 30) | (struct.calcsize(FMT) << 16) | (0xb5 << 8) | 0   # _IOWR(0xb5, 0, ...)
def attach(fd, version, reserved=0):
    buf = bytearray(struct.pack(FMT, version, 0, 0, 0, 0, 0, 0, reserved, 0))
    try:
        fcntl.ioctl(fd, ATTACH, buf)
        return 0, struct.unpack(FMT, buf)
    except OSError as e:
        return e.errno, struct.unpack(FMT, buf)
fd = os.open("/dev/hps-channel", os.O_RDWR)
try:
    os.open("/dev/hps-channel", os.O_RDWR)
    sys.exit("second open succeeded")
except OSError as e:
    assert e.errno == errno.EBUSY, e
try:
    mmap.mmap(fd, 64 << 10)
    sys.exit("mmap before attach succeeded")
except OSError as e:
    assert e.errno == errno.EPERM, ("mmap before attach", e)
rc, _ = attach(fd, abi, reserved=1)
assert rc == errno.EINVAL, ("reserved", rc)
rc, out = attach(fd, abi + 1)
assert rc == errno.EPROTO and out[1] == abi, ("abi", rc, out)
try:
    fcntl.ioctl(fd, ATTACH + 1, bytearray(48))
    sys.exit("unknown ioctl accepted")
except OSError as e:
    assert e.errno == errno.ENOTTY, e
rc, out = attach(fd, abi)
assert rc == 0 and out[1] == abi, ("attach", rc, out)
# nr_tags, io_bytes, map_bytes: 64 tags of 128 KiB after 64 KiB of descriptors
assert out[4:7] == (64, 128 << 10, (64 << 10) + 64 * (128 << 10)), ("layout", out)
rc, _ = attach(fd, abi)
assert rc == errno.EALREADY, ("twice", rc)
os.close(fd)
fd = os.open("/dev/hps-channel", os.O_RDWR)   # free again once closed
os.close(fd)
print("channel ioctl checks passed")
PY
) || die "channel ioctl checks: $out"
log "$out"

# The io_uring commands' error paths (hps-chancheck leaves a FETCH
# outstanding and exits: the module must cancel it so that the process
# can exit and the channel is free again).
t0=$(date +%s)
must timeout 30 "$HPS_BUILD/tools/hps-chancheck"
python3 - <<'PY' || die "the channel stayed held after hps-chancheck exited"
import errno, os, time
for _ in range(100):
    try:
        os.close(os.open("/dev/hps-channel", os.O_RDWR))
        break
    except OSError as e:
        if e.errno != errno.EBUSY:
            raise
        time.sleep(0.1)
else:
    raise SystemExit("still EBUSY after 10 s")
PY
log "uring checks passed; channel free again after $(( $(date +%s) - t0 )) s"
check_kernel channel

targets=$(dmsetup targets)
grep -Eq '^hps-pool[[:space:]]+v' <<<"$targets" || die "dmsetup targets lacks hps-pool: $targets"
grep -Eq '^hps[[:space:]]+v' <<<"$targets" || die "dmsetup targets lacks hps: $targets"

# --- devices to build on -------------------------------------------------------

[ -b "$NV" ] || die "LAB_NVME=$NV is not a block device"
S=$(blockdev --getsz "$NV")
[ "$S" -ge 2359296 ] || die "$NV has $S sectors; the scenario needs 1152 MiB"
NV_MM=$(printf '%d:%d' "0x$(stat -c %t "$NV")" "0x$(stat -c %T "$NV")")
log "cache disk $NV ($NV_MM), $S sectors"

# Two more cache devices (64 MiB each, 1 GiB into the disk, clear of pool 0's
# superblocks) and one a sector short of the smallest pool at block_sectors 8
# (hps_geometry_min_sectors(8) = 65760).
must dm_create hps-smoke-cacheb "0 131072 linear $NV 2097152"
must dm_create hps-smoke-cachec "0 131072 linear $NV 2228224"
must dm_create hps-smoke-small "0 65759 linear $NV 0"

# --- a pool and a volume ---------------------------------------------------------

mark=$(dmesg | wc -l)
must dm_create "$POOL" "0 $S hps-pool $NV 0 8 1 format"
dmesg | tail -n +"$((mark + 1))" | grep -q 'formatted' || die "no 'formatted' in the kernel log"
POOL_MM=$(majmin "$POOL")

expect_eq "$(dmsetup table "$POOL")" "0 $S hps-pool $NV_MM 0 8 0" "pool table"
# The kernel must agree with the user-space build of its layout arithmetic.
want_blocks=$("$HPS_BUILD/tools/hps-geometry" "$S" 8 | sed -n 's/^total_blocks //p')
[ -n "$want_blocks" ] || die "hps-geometry gave no total_blocks for $S sectors"
expect_eq "$(status5 "$POOL")" "0 $S hps-pool $want_abi 8 $want_blocks 0 ok" "pool status"
log "pool: $(dmsetup status "$POOL")"

must dm_create "$VOL" "0 $VOL_SECTORS hps $POOLDEV 1 standalone"
expect_eq "$(dmsetup table "$VOL")" \
	"0 $VOL_SECTORS hps $POOL_MM 1 standalone 4 mode writeback seq_cutoff 0" "volume table"
expect_eq "$(field "$VOL" 1) $(field "$VOL" 2) $(field "$VOL" 3)" "standalone writeback 1" "volume status"
expect_eq "$(field "$POOL" 4)" 1 "pool nr_volumes"
expect_eq "$(dmsetup info -c --noheadings -o open "$POOL" | tr -d ' ')" 1 "pool open count (held by the volume)"
log "volume: $(dmsetup status "$VOL")"

# Without hpsd: a whole-block write is cached (dirty) and reads back from
# the cache; a miss waits daemon_timeout (1 s here) for a daemon and fails.
TO=/sys/module/dm_hps/parameters/daemon_timeout
to0=$(cat "$TO")
echo 1 >"$TO" || die "cannot set daemon_timeout"
must dd if=/dev/urandom of=/tmp/smoke-w.bin bs=4096 count=4 status=none
must dd if=/tmp/smoke-w.bin of="/dev/mapper/$VOL" bs=4096 count=4 oflag=direct status=none
must dd if="/dev/mapper/$VOL" of=/tmp/smoke-r.bin bs=4096 count=4 iflag=direct status=none
must cmp /tmp/smoke-w.bin /tmp/smoke-r.bin
expect_eq "$(field "$VOL" 4) $(field "$VOL" 5) $(field "$VOL" 6) $(field "$VOL" 8)" "4 4 4 4" \
	"volume cached, dirty, read hits, writes"
must_fail dd if="/dev/mapper/$VOL" of=/dev/null bs=4096 skip=100 count=1 iflag=direct status=none
expect_eq "$(field "$VOL" 7) $(field "$VOL" 12)" "1 1" "volume misses and errors without hpsd"
echo "$to0" >"$TO"
log "volume I/O: $(dmsetup status "$VOL")"

# The pool device reads zeroes and refuses writes.
must cmp -n 4096 "$POOLDEV" /dev/zero
must_fail dd if=/dev/zero of="$POOLDEV" bs=4096 count=1 oflag=direct status=none
check_kernel "I/O"

# A second volume with every optional argument.
must dm_create hps-smoke-2 "0 2048 hps $POOL_MM 2 passthrough 4 seq_cutoff 4194304 mode writethrough"
expect_eq "$(dmsetup table hps-smoke-2)" \
	"0 2048 hps $POOL_MM 2 passthrough 4 mode writethrough seq_cutoff 4194304" "volume 2 table"
expect_eq "$(field "$POOL" 4)" 2 "pool nr_volumes with two volumes"
must dm_remove hps-smoke-2
expect_eq "$(field "$POOL" 4)" 1 "pool nr_volumes after removing volume 2"

# A pool with the largest block size on the second cache device.
must dm_create hps-pool-1 "0 65536 hps-pool /dev/mapper/hps-smoke-cacheb 1 2048 1 format"
expect_eq "$(status5 hps-pool-1)" "0 65536 hps-pool $want_abi 2048 63 0 ok" "pool 1 status"
must dm_remove hps-pool-1

# --- messages ------------------------------------------------------------------

must dmsetup message "$VOL" 0 role primary
expect_eq "$(field "$VOL" 1)" primary "role after message"
must dmsetup message "$VOL" 0 mode writethrough
expect_eq "$(field "$VOL" 2)" writethrough "mode after message"
expect_eq "$(dmsetup table "$VOL")" \
	"0 $VOL_SECTORS hps $POOL_MM 1 primary 4 mode writethrough seq_cutoff 0" "table after messages"
for msg in "role leader" "role" "role primary secondary" "mode" "mode writearound" \
	"mode writeback now" "frobnicate" "frobnicate 1 2 3" "ROLE primary"; do
	# shellcheck disable=SC2086 # the message is split into words on purpose
	must_fail dmsetup message "$VOL" 0 $msg
done
must_fail dmsetup message "$VOL" 0 ""
must_fail dmsetup message "$POOL" 0 status
must_fail dmsetup message "$POOL" 0 ""
expect_eq "$(field "$VOL" 1) $(field "$VOL" 2)" "primary writethrough" "state after bad messages"
log "messages: $(dmesg | grep -c 'device-mapper: hps: .*message' || true) warnings for bad messages"
check_kernel messages

# --- reloads -------------------------------------------------------------------

# The canonical table reloads as is; while both tables are loaded the
# volume is still counted once.
must dmsetup reload "$VOL" --table "$(dmsetup table "$VOL")"
expect_eq "$(field "$POOL" 4)" 1 "pool nr_volumes during a volume reload"
must dmsetup resume "$VOL"
expect_eq "$(field "$VOL" 1) $(field "$VOL" 2)" "primary writethrough" "state after reload"
must dmsetup reload "$POOL" --table "$(dmsetup table "$POOL")"
must dmsetup resume "$POOL"
expect_eq "$(field "$POOL" 4)" 1 "pool nr_volumes after pool reload"
must_fail dmsetup reload "$POOL" --table "0 $S hps-pool $NV 0 16"
must_fail dmsetup reload "$POOL" --table "0 $S hps-pool $NV 5 8"
expect_eq "$(dmsetup table "$POOL")" "0 $S hps-pool $NV_MM 0 8 0" "pool table after refused reloads"

# The pool's table swapped for an error target under a bound volume: the pool
# outlives its table (no new volume may bind), and comes back by a reload.
must dmsetup reload "$POOL" --table "0 $S error"
must dmsetup resume "$POOL"
expect_eq "$(field "$VOL" 1)" primary "volume status with its pool detached"
must_fail dm_create hps-smoke-3 "0 2048 hps $POOLDEV 3 standalone"
must_fail dmsetup reload "$POOL" --table "0 $S hps-pool $NV 0 16"
must dmsetup reload "$POOL" --table "0 $S hps-pool $NV 0 8"
must dmsetup resume "$POOL"
expect_eq "$(field "$POOL" 4)" 1 "nr_volumes after the pool came back"

# A table loaded but never resumed holds its pool_id until it is cleared.
must dmsetup create --noudevsync hps-pool-2 --notable
must dmsetup load hps-pool-2 --table "0 65536 hps-pool /dev/mapper/hps-smoke-cacheb 2 8 2 format force_format"
dm_reject hps-smoke-bad "pool_id is already used" "0 65536 hps-pool /dev/mapper/hps-smoke-cachec 2 8"
must dmsetup clear hps-pool-2
must dmsetup load hps-pool-2 --table "0 65536 hps-pool /dev/mapper/hps-smoke-cacheb 2 8"
must dmsetup resume hps-pool-2
expect_eq "$(status5 hps-pool-2)" "0 65536 hps-pool $want_abi 8 16340 0 ok" "pool 2 status"
must dm_remove hps-pool-2
check_kernel reloads

# --- malformed tables ----------------------------------------------------------

B=hps-smoke-bad
CB=/dev/mapper/hps-smoke-cacheb
dm_reject $B "expected <cache_dev>" "0 $S hps-pool"
dm_reject $B "expected <cache_dev>" "0 $S hps-pool $NV 3"
dm_reject $B "cannot open cache_dev" "0 $S hps-pool /dev/hps-no-such-disk 3 8"
dm_reject $B "pool_id must be" "0 $S hps-pool $NV -1 8"
dm_reject $B "pool_id must be" "0 $S hps-pool $NV 256 8"
dm_reject $B "pool_id must be" "0 $S hps-pool $NV 18446744073709551617 8"
dm_reject $B "pool_id must be" "0 $S hps-pool $NV abc 8"
dm_reject $B "pool_id must be" "0 $S hps-pool $NV 3x 8"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 0"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 12"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 4"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 4096"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 99999999999999999999999"
dm_reject $B "block_sectors must be" "0 $S hps-pool $NV 3 -8"
dm_reject $B "#feature_args does not match" "0 $S hps-pool $NV 3 8 2 format"
dm_reject $B "#feature_args does not match" "0 $S hps-pool $NV 3 8 1 format force_format"
dm_reject $B "#feature_args does not match" "0 $S hps-pool $NV 3 8 0 format"
dm_reject $B "#feature_args must be" "0 $S hps-pool $NV 3 8 3 format force_format format"
dm_reject $B "#feature_args must be" "0 $S hps-pool $NV 3 8 x"
dm_reject $B "#feature_args must be" "0 $S hps-pool $NV 3 8 4294967297 format"
dm_reject $B "unknown feature" "0 $S hps-pool $NV 3 8 1 turbo"
dm_reject $B "given twice" "0 $S hps-pool $NV 3 8 2 format format"
dm_reject $B "force_format needs format" "0 $S hps-pool $NV 3 8 1 force_format"
dm_reject $B "pool_id is already used" "0 65536 hps-pool $CB 0 8"
dm_reject $B "cache_dev is already used" "0 $S hps-pool $NV 3 8"
dm_reject $B "cache_dev is smaller" "0 65759 hps-pool /dev/mapper/hps-smoke-small 3 8"
dm_reject $B "length exceeds the size of cache_dev" "0 131080 hps-pool $CB 3 8"
dm_reject $B "cannot be an hps-pool device" "0 2048 hps-pool $POOLDEV 3 8"
dm_reject $B "read-only table" "0 65536 hps-pool $CB 3 8" --readonly

dm_reject $B "expected <pool_dev>" "0 2048 hps"
dm_reject $B "expected <pool_dev>" "0 2048 hps $POOLDEV 5"
dm_reject $B "cannot open pool_dev" "0 2048 hps /dev/hps-no-such-pool 5 standalone"
dm_reject $B "is not an hps-pool device" "0 2048 hps /dev/mapper/hps-smoke-small 5 standalone"
dm_reject $B "is not an hps-pool device" "0 2048 hps $NV 5 standalone"
dm_reject $B "volume_id must be" "0 2048 hps $POOLDEV 0 standalone"
dm_reject $B "volume_id must be" "0 2048 hps $POOLDEV 4294967296 standalone"
dm_reject $B "volume_id must be" "0 2048 hps $POOLDEV -3 standalone"
dm_reject $B "volume_id must be" "0 2048 hps $POOLDEV 99999999999999999999999 standalone"
dm_reject $B "volume_id must be" "0 2048 hps $POOLDEV one standalone"
dm_reject $B "volume_id is already bound" "0 2048 hps $POOLDEV 1 standalone"
dm_reject $B "role must be" "0 2048 hps $POOLDEV 5 leader"
dm_reject $B "role must be" "0 2048 hps $POOLDEV 5 PRIMARY"
dm_reject $B "length must be" "0 137436856328 hps $POOLDEV 5 standalone"
dm_reject $B "#opt_args does not match" "0 2048 hps $POOLDEV 5 standalone 2 mode"
dm_reject $B "#opt_args does not match" "0 2048 hps $POOLDEV 5 standalone 0 extra"
dm_reject $B "#opt_args must be" "0 2048 hps $POOLDEV 5 standalone 5 mode writeback seq_cutoff 0 x"
dm_reject $B "#opt_args must be" "0 2048 hps $POOLDEV 5 standalone -2 mode writeback"
dm_reject $B "unknown optional argument" "0 2048 hps $POOLDEV 5 standalone 2 turbo on"
dm_reject $B "mode must be" "0 2048 hps $POOLDEV 5 standalone 2 mode writearound"
dm_reject $B "mode must be" "0 2048 hps $POOLDEV 5 standalone 1 mode"
dm_reject $B "seq_cutoff must be" "0 2048 hps $POOLDEV 5 standalone 2 seq_cutoff 1073741825"
dm_reject $B "seq_cutoff must be" "0 2048 hps $POOLDEV 5 standalone 2 seq_cutoff 4M"
dm_reject $B "given twice" "0 2048 hps $POOLDEV 5 standalone 4 mode writeback mode writethrough"
log "$dm_rejected malformed tables rejected"
[ "$dm_rejected" -ge 20 ] || die "only $dm_rejected malformed tables tried"

# Nothing of the above may have bound anything.
expect_eq "$(field "$POOL" 4)" 1 "pool nr_volumes after malformed tables"

# --- removal -------------------------------------------------------------------

must_fail dm_remove "$POOL"
dmsetup info "$POOL" >/dev/null 2>&1 || die "pool vanished after a refused remove"
expect_eq "$(field "$POOL" 5)" ok "pool mode after a refused remove"
must_fail rmmod dm_hps
must dm_remove "$VOL"
expect_eq "$(field "$POOL" 4)" 0 "pool nr_volumes after removing the volume"
must dm_remove "$POOL"
must dm_remove hps-smoke-small
must dm_remove hps-smoke-cacheb
must dm_remove hps-smoke-cachec
must rmmod dm_hps
[ ! -e /sys/module/dm_hps ] || die "dm_hps still loaded after rmmod"
check_kernel rmmod
log "smoke-module: ok"
