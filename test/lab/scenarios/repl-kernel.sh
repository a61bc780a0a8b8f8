#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=600
# about: the kernel's side of replication: a primary hands every cached write (with its data) and every flush to the channel and completes them only once answered; a secondary caches what is written to it, never goes to RBD and is never written back, only marked clean (WB_CLEAN); WB_DONE says which blocks it cleaned
source "$HPS_SRC/test/lab/guest/lib.sh"

# hps-replserve stands in for hpsd's replication (no peer): it answers
# every REPLICATE and REPL_FLUSH and prints them.  hpsd's side, with a
# real peer, has scenarios of its own (repl-*-tcp, repl-*-rdma).
NV=$LAB_NVME
CACHE=hps-rk-cache		# 64 MiB slice
SLICE=131072
P=hps-pool-7
VP=hps-rk-primary		# volume 71
VS=hps-rk-secondary		# volume 72
W=$LAB_OUT/data.bin
OUT=$LAB_OUT/replserve.txt
SERVE=$HPS_BUILD/tools/hps-replserve

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE 7 8 1 format"
must dm_create "$VP" "0 65536 hps /dev/mapper/$P 71 primary"
must dm_create "$VS" "0 65536 hps /dev/mapper/$P 72 secondary"
must head -c 256K /dev/urandom >"$W"
# After "<start> <len> hps": 5 dirty, 8 writes, 9 write_through, 12 errors.
vfield() { dmsetup status "$1" | awk -v f="$2" '{ print $(f + 3) }'; }

"$SERVE" >"$OUT" 2>"$LAB_OUT/replserve.err" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
sleep 1
kill -0 "$serve_pid" || die "hps-replserve did not start: $(cat "$LAB_OUT/replserve.err")"

log "primary: 64 whole-block writes, one FUA write, one fsync"
must dd if="$W" of="/dev/mapper/$VP" bs=4K count=64 oflag=direct status=none
must dd if="$W" of="/dev/mapper/$VP" bs=4K count=1 skip=1 seek=64 oflag=direct,dsync status=none
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_WRONLY); os.fsync(fd); os.close(fd)' \
	"/dev/mapper/$VP" || die "fsync of the primary"
expect_eq "$(vfield "$VP" 12)" 0 "primary errors"
expect_eq "$(vfield "$VP" 5)" 65 "primary dirty blocks"
must cmp -n $((64 * 4096)) "$W" "/dev/mapper/$VP"

log "every write reached the channel with its data, before it completed"
python3 - "$W" "$OUT" <<'PY' || die "replication requests do not match the writes"
import sys
data = open(sys.argv[1], "rb").read()
def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return f"{h:016x}"
lines = [l.split() for l in open(sys.argv[2])]
reps = {int(l[2]): l for l in lines if l[0] == "replicate"}
flushes = [l for l in lines if l[0] == "repl_flush"]
others = [l for l in lines if l[0] == "other"]
assert not others, f"unexpected requests: {others}"
assert sorted(reps) == [i * 4096 for i in range(65)], f"offsets: {sorted(reps)}"
for i in range(64):
    l = reps[i * 4096]
    assert l[1] == "71" and l[3] == "4096" and l[4] == "0", l
    assert l[5] == fnv(data[i * 4096:(i + 1) * 4096]), f"block {i}: data differs"
fua = reps[64 * 4096]
assert fua[4] == "1" and fua[5] == fnv(data[4096:8192]), f"FUA write: {fua}"
assert flushes and all(l[1] == "71" for l in flushes), f"flushes: {flushes}"
print(f"{len(reps)} replicated writes, {len(flushes)} flush(es)")
PY

log "secondary: caches whole blocks, refuses what it cannot cache, drops discards locally"
must dd if="$W" of="/dev/mapper/$VS" bs=4K count=32 oflag=direct status=none
expect_eq "$(vfield "$VS" 5)" 32 "secondary dirty blocks"
must_fail dd if="$W" of="/dev/mapper/$VS" bs=512 count=1 seek=$((40 * 8)) oflag=direct status=none
must blkdiscard -o $((16 * 4096)) -l $((16 * 4096)) "/dev/mapper/$VS"
expect_eq "$(vfield "$VS" 5)" 16 "secondary dirty blocks after a discard"
must cmp -n $((16 * 4096)) "$W" "/dev/mapper/$VS"
if grep -q "^other\|^replicate 72" "$OUT"; then
	die "the secondary sent requests to the channel: $(grep "^other\|^replicate 72" "$OUT")"
fi
kill "$serve_pid"
wait "$serve_pid" || true
trap - EXIT

log "WB_CLEAN marks a secondary's whole blocks clean, refuses other volumes, pools, bad ranges"
PYTHONPATH=$HPS_SRC/test/lab/guest python3 - "$VS" <<'PY' || die "WB_CLEAN"
import errno, os, subprocess, sys
from hps_wb import clean, open_attached
vs = sys.argv[1]
def dirty():
    return int(subprocess.run(["dmsetup", "status", vs], check=True, capture_output=True,
                              text=True).stdout.split()[2 + 5])  # as vfield
fd = open_attached()
def refused(err, *args, **kw):
    try:
        clean(fd, *args, **kw)
    except OSError as e:
        assert e.errno == err, f"{args} {kw}: errno {e.errno}, expected {err}"
        return
    raise AssertionError(f"{args} {kw}: accepted, expected errno {err}")
assert dirty() == 16, dirty()
refused(errno.ENOENT, 8, 72, [(0, 4096)])          # no pool 8
refused(errno.ENOENT, 7, 73, [(0, 4096)])          # no volume 73 in pool 7
refused(errno.EPERM, 7, 71, [(0, 4096)])           # 71 is a primary
refused(errno.EINVAL, 7, 72, [(100, 4096)])        # misaligned
refused(errno.EINVAL, 7, 72, [(0, 0)])             # empty
refused(errno.EINVAL, 7, 72, [(65536 * 512 - 4096, 8192)])  # past the end
refused(errno.EINVAL, 7, 72, [(2**64 - 512, 1024)])         # wraps
refused(errno.EINVAL, 7, 72, [(0, 4096)], count=0)
refused(errno.EINVAL, 7, 72, [(0, 4096)], count=4097)
refused(errno.EINVAL, 7, 72, [(0, 4096)], reserved=1)
refused(errno.EINVAL, 7, 72, [(0, 4 * 4096), (512, 100)])   # one bad range: nothing changes
assert dirty() == 16, f"a refused WB_CLEAN changed {16 - dirty()} block(s)"
assert clean(fd, 7, 72, [(0, 4 * 4096)]) == 4
assert dirty() == 12, dirty()
# Only whole blocks: [4 KiB + 512, 8 KiB + 512) holds none, [16 KiB, 24 KiB + 512) two.
assert clean(fd, 7, 72, [(4 * 4096 + 512, 4096)]) == 0
assert clean(fd, 7, 72, [(4 * 4096, 2 * 4096 + 512), (0, 4096)]) == 2
# Discarded blocks (16..31) and clean ones are left as they are.
assert clean(fd, 7, 72, [(16 * 4096, 16 * 4096)]) == 0
assert dirty() == 10, dirty()
os.close(fd)
print("ok")
PY
must cmp -n $((16 * 4096)) "$W" "/dev/mapper/$VS"

log "writeback takes the primary's blocks, never the secondary's; WB_DONE says which it cleaned"
PYTHONPATH=$HPS_SRC/test/lab/guest python3 - "$VS" <<'PY' || die "writeback of a secondary"
import ctypes, fcntl, os, struct, subprocess, sys
from hps_wb import (RESULT_FMT, RESULT_SIZE, WB_CLEANED, WB_DONE, WB_TAKE, block_number,
                    block_volume, done_arg, open_attached, take_arg, take_result)
vs = sys.argv[1]
blocks = ctypes.create_string_buffer(256 * 32)
fd = open_attached()
def take():
    t = take_arg(7, 256, ctypes.addressof(blocks))
    fcntl.ioctl(fd, WB_TAKE, t)
    return [block_volume(blocks, i) for i in range(take_result(t)["count"])]
vols = take()
assert len(vols) == 65 and set(vols) == {71}, f"first take: {len(vols)} blocks of {set(vols)}"
# Done: the first one failed (stays dirty), the others cleaned, and said so.
results = ctypes.create_string_buffer(65 * RESULT_SIZE)
for i in range(65):
    struct.pack_into(RESULT_FMT, results, i * RESULT_SIZE, block_number(blocks, i),
                     -5 if i == 0 else 0, 0)
fcntl.ioctl(fd, WB_DONE, done_arg(7, 65, ctypes.addressof(results)))
flags = [struct.unpack_from(RESULT_FMT, results, i * RESULT_SIZE)[2] for i in range(65)]
assert flags == [0] + [WB_CLEANED] * 64, f"WB_DONE flags: {flags}"
assert take() == [71], "the failed block again, and none of the secondary's"
subprocess.run(["dmsetup", "message", vs, "0", "role", "standalone"], check=True)
vols = take()
assert len(vols) == 10 and set(vols) == {72}, f"after the role change: {len(vols)} of {set(vols)}"
os.close(fd)
print("ok")
PY

log "a standalone volume sends nothing to the channel"
must dmsetup message "$VP" 0 role standalone
must dd if="$W" of="/dev/mapper/$VP" bs=4K count=4 seek=100 oflag=direct status=none
check_kernel "repl-kernel"
must dm_remove "$VS"
must dm_remove "$VP"
must dm_remove "$P"
must dm_remove "$CACHE"
log "repl-kernel: ok"
