#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=900
# about: 30+ malformed table lines, dmsetup messages, writeback ioctls and channel commands: each refused cleanly, no oops, cached data intact
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
CACHE=hps-bad-cache		# 128 MiB slice
SLICE=262144
P=hps-pool-4
V=hps-bad-vol
W=$LAB_OUT/data.bin
refused=0

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE 4 8 1 format"
must dm_create "$V" "0 65536 hps /dev/mapper/$P 77 standalone"
must head -c 1M /dev/urandom >"$W"
must dd if="$W" of="/dev/mapper/$V" bs=4K oflag=direct status=none

log "malformed table lines"
PT="hps-pool /dev/mapper/$CACHE"
while IFS='|' read -r expect table; do
	dm_reject hps-bad-x "$expect" "$table"
	refused=$((refused + 1))
done <<EOF
pool_id must be an integer|0 $SLICE $PT 256 8
pool_id must be an integer|0 $SLICE $PT -1 8
block_sectors must be a power of two|0 $SLICE $PT 5 12
block_sectors must be a power of two|0 $SLICE $PT 5 4096
#feature_args must be an integer|0 $SLICE $PT 5 8 x format
does not match the feature arguments|0 $SLICE $PT 5 8 2 format
unknown feature|0 $SLICE $PT 5 8 1 formatt
force_format needs format|0 $SLICE $PT 5 8 1 force_format
cache_dev is already used by another pool|0 $SLICE $PT 5 8
volume_id must be an integer|0 2048 hps /dev/mapper/$P 0 standalone
volume_id must be an integer|0 2048 hps /dev/mapper/$P 4294967296 standalone
role must be|0 2048 hps /dev/mapper/$P 78 leader
volume_id is already bound|0 2048 hps /dev/mapper/$P 77 standalone
mode must be writeback or writethrough|0 2048 hps /dev/mapper/$P 78 standalone 2 mode writearound
seq_cutoff must be a byte count|0 2048 hps /dev/mapper/$P 78 standalone 2 seq_cutoff 1073741825
unknown optional argument|0 2048 hps /dev/mapper/$P 78 standalone 2 cache_size 1
an optional argument is given twice|0 2048 hps /dev/mapper/$P 78 standalone 4 mode writeback mode writethrough
pool_dev is not an hps-pool device|0 2048 hps /dev/mapper/$CACHE 78 standalone
length must be 1 sector to 65535 GiB|0 137438953472 hps /dev/mapper/$P 78 standalone
EOF

log "malformed messages"
for m in "role" "role leader" "role primary extra" "mode" "mode writearound" "mode writeback x" \
	 "flush" "role@ primary" "seq_cutoff 5"; do
	# shellcheck disable=SC2086
	must_fail dmsetup message "$V" 0 $m
	refused=$((refused + 1))
done
for m in "commit now" "release_volume" "release_volume 0" "release_volume x" \
	 "release_volume 4294967296" "release_volume 77" "release_volume 77 forc" \
	 "release_volume 77 force x" "format"; do
	# shellcheck disable=SC2086
	must_fail dmsetup message "$P" 0 $m
	refused=$((refused + 1))
done
check_kernel "messages"

log "malformed writeback ioctls"
n=$(PYTHONPATH=$HPS_SRC/test/lab/guest python3 - <<'PY'
import ctypes, errno, fcntl, os, struct
from hps_wb import ATTACH, WB_TAKE, WB_DONE, RESULT_FMT, abi_version, attach_arg, done_arg, take_arg, take_result
checks = 0
def expect(err, req, buf, what):
    global checks
    try:
        fcntl.ioctl(fd, req, buf)
        got = 0
    except OSError as e:
        got = e.errno
    assert got == err, f"{what}: errno {got}, want {err}"
    checks += 1
fd = os.open("/dev/hps-channel", os.O_RDWR)
blocks = ctypes.create_string_buffer(32 * 32)	# 32 struct hps_wb_block
res = ctypes.create_string_buffer(16 * 2)
ptr, rptr = ctypes.addressof(blocks), ctypes.addressof(res)
take = lambda pool, mx, p, thr=0, r1=0: take_arg(pool, mx, p, throttle=thr, reserved=r1)
done = done_arg
expect(errno.EPERM, WB_TAKE, take(4, 16, ptr), "take before attach")
expect(0, ATTACH, attach_arg(abi_version()), "attach")
expect(errno.EINVAL, WB_TAKE, take(4, 4097, ptr), "max 4097")
expect(errno.EINVAL, WB_TAKE, take(4, 16, ptr, thr=100001), "throttle_us 100001")
expect(errno.EINVAL, WB_TAKE, take(4, 16, ptr, r1=1), "reserved")
expect(errno.EINVAL, WB_TAKE, take(4, 0, 8, r1=1), "reserved, counts only")
expect(errno.ENOENT, WB_TAKE, take(200, 16, ptr), "unknown pool")
expect(errno.EFAULT, WB_TAKE, take(4, 16, 8), "bad blocks pointer")
expect(errno.EINVAL, WB_DONE, done(4, 0, rptr), "count 0")
expect(errno.EINVAL, WB_DONE, done(4, 4097, rptr), "count 4097")
expect(errno.EFAULT, WB_DONE, done(4, 2, 8), "bad results pointer")
struct.pack_into(RESULT_FMT, res, 0, 1 << 40, 0, 0)
expect(errno.EINVAL, WB_DONE, done(4, 1, rptr), "block out of range")
struct.pack_into(RESULT_FMT, res, 0, 0, 5, 0)
expect(errno.EINVAL, WB_DONE, done(4, 1, rptr), "positive error")
struct.pack_into(RESULT_FMT, res, 0, 0, 0, 7)
expect(errno.EINVAL, WB_DONE, done(4, 1, rptr), "reserved result field")
struct.pack_into(RESULT_FMT, res, 0, 0, 0, 0)
expect(errno.ENOENT, WB_DONE, done(200, 1, rptr), "unknown pool")
# A real take, a report of a block never taken (ignored), then close: the
# module forgets what this file took.
t = take(4, 32, ptr)
fcntl.ioctl(fd, WB_TAKE, t)
assert take_result(t)["count"] > 0, "nothing dirty taken"
os.close(fd)
print(checks)
PY
) || die "writeback ioctl checks failed"
refused=$((refused + n))
log "$n writeback ioctl checks"
check_kernel "writeback ioctls"

log "channel mmap and io_uring commands (hps-chancheck)"
out=$(timeout 30 "$HPS_BUILD/tools/hps-chancheck") || die "hps-chancheck failed: $out"
n=$(grep -c '^ok' <<<"$out")
refused=$((refused + n))
log "$n channel checks"
sleep 2	# the module cancels the FETCH hps-chancheck left behind
check_kernel "channel commands"

log "the cached data is intact, and nothing is dirty-leaked or held"
must dd if="/dev/mapper/$V" of="$LAB_OUT/read.bin" bs=4K count=256 iflag=direct status=none
must cmp "$W" "$LAB_OUT/read.bin"
expect_eq "$(dmsetup status "$V" | awk '{ print $8 " " $15 }')" "256 0" "volume dirty blocks and errors"
expect_eq "$(dmsetup status "$P" | awk '{ print $17 }')" 0 "blocks under writeback after the file closed"

[ "$refused" -ge 30 ] || die "only $refused bad inputs checked"
log "$refused bad inputs refused cleanly"
must dm_remove "$V"
must dm_remove "$P"
must dm_remove "$CACHE"
must rmmod dm_hps
check_kernel "bad-input"
log "ok"
