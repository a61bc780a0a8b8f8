#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=600
# about: the kernel's side of writeback pacing: WB_TAKE's counts-only call, the write throttle (delays writes, lapses after its lease, cleared when hpsd's channel closes) and the dirty epochs' age
source "$HPS_SRC/test/lab/guest/lib.sh"

# No hpsd: a small python client drives the channel's ioctls, and whole
# 4 KiB writes (which stay in the cache) are the load.
NV=$LAB_NVME
CACHE=hps-thr-cache		# 64 MiB slice
SLICE=131072
P=hps-pool-6
V=hps-thr-vol
W=$LAB_OUT/data.bin

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE 6 8 1 format"
must dm_create "$V" "0 65536 hps /dev/mapper/$P 61 standalone"
must head -c 256K /dev/urandom >"$W"

PYTHONPATH=$HPS_SRC/test/lab/guest python3 - "$P" "/dev/mapper/$V" "$W" <<'PY' || die "throttle checks failed"
import ctypes, fcntl, os, subprocess, sys, time
from hps_wb import WB_TAKE, open_attached, take_arg, take_result
pool_dev, vol, data = sys.argv[1], sys.argv[2], sys.argv[3]
blocks = ctypes.create_string_buffer(64 * 32)

def take(fd, mx, roll=0, thr=0, min_age=0):
    t = take_arg(6, mx, ctypes.addressof(blocks), roll=roll, throttle=thr, min_age=min_age)
    fcntl.ioctl(fd, WB_TAKE, t)
    return take_result(t)

def pool_status():
    # after "<start> <len> hps-pool": ... 14 wb_inflight 15 wb_cleaned 16 throttle_us 17 throttled
    f = subprocess.run(["dmsetup", "status", pool_dev], capture_output=True, text=True,
                       check=True).stdout.split()
    return {"dirty": int(f[2 + 8]), "throttle_us": int(f[2 + 16]), "throttled": int(f[2 + 17])}

def write(count, skip=0):
    subprocess.run(["dd", f"if={data}", f"of={vol}", "bs=4K", f"count={count}", f"skip={skip}",
                    f"seek={skip}", "oflag=direct", "status=none"], check=True)

def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")
    print(f"ok: {what}", flush=True)

fd = open_attached()
r = take(fd, 0)
check(r["count"] == 0 and r["dirty"] == 0 and r["total"] > 0, f"counts-only take of an empty pool: {r}")

write(16)
r = take(fd, 0)
check(r["count"] == 0 and r["dirty"] == 16, f"counts-only take sees 16 dirty blocks, takes none: {r}")

take(fd, 0, thr=20000)
s = pool_status()
check(s["throttle_us"] == 20000, f"the throttle is set: {s}")
before = s["throttled"]
write(32, skip=16)
s = pool_status()
check(s["throttled"] - before == 32, f"each of 32 writes was delayed: {s}")
check(s["dirty"] == 48, f"and cached: {s}")
take(fd, 0, thr=0)
check(pool_status()["throttle_us"] == 0, "throttle 0 clears it")

take(fd, 0, thr=20000)
time.sleep(5.5)
check(pool_status()["throttle_us"] == 0, "an unrenewed throttle lapses after 5 s")

take(fd, 0, thr=20000)
os.close(fd)
check(pool_status()["throttle_us"] == 0, "closing the channel clears the throttle")

fd = open_attached()
# The 48 dirty blocks are in the current epoch: taken now, they are 0 ms old
# as far as the kernel can tell.  A roll ends the epoch; 1.5 s later its
# blocks are at least 1.5 s old.
r = take(fd, 0, roll=1)
time.sleep(1.5)
r = take(fd, 64, min_age=60000)
check(r["count"] == 0, f"nothing is taken that has not been dirty min_age_ms: {r}")
r = take(fd, 64, min_age=1000)
check(r["count"] == 48 and r["age_ms"] >= 1500, f"blocks of an ended epoch come with their age: {r}")
write(8, skip=48)
r = take(fd, 64)
check(r["count"] == 8 and r["age_ms"] == 0, f"blocks of the current epoch are 0 ms old: {r}")
os.close(fd)
PY

must cmp -n $((56 * 4096)) "$W" "/dev/mapper/$V"
log "throttled and cached data reads back"
check_kernel "throttle"
must dm_remove "$V"
must dm_remove "$P"
must dm_remove "$CACHE"
log "throttle-kernel: ok"
