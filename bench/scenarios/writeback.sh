#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: hpsd's writeback throughput (sequential and random 4K dirty data) vs rbd bench writes of the same pattern on the same Ceph
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

# Dirty data is written to a volume (it stays in the cache), then the time
# from the first block written back to the last gives writeback's MB/s.
# rbd bench then writes the same amount with the same pattern and the same
# parallelism (hpsd keeps at most 32 writes in flight per pool) straight to
# an image of the same cluster.
SEQ_MB=128
RAND_MB=32
OUT=$LAB_OUT/writeback
mkdir -p "$OUT"
hpsd_setup
hpsd_start
V=wb-$RANDOM
must ctl volume create "$V" --size 512M
DEV=/dev/mapper/hps-$V

# drain_secs: seconds from the first block written back to none dirty.
drain_secs() {
	python3 - "$V" <<'PY'
import subprocess, sys, time
dev = "hps-" + sys.argv[1]
def dirty():
    f = subprocess.run(["dmsetup", "status", dev], capture_output=True, text=True, check=True).stdout.split()
    return int(f[7])
start_dirty = dirty()
t0 = None
deadline = time.monotonic() + 1200
while time.monotonic() < deadline:
    d = dirty()
    if t0 is None and d < start_dirty:
        t0 = time.monotonic()
    if d == 0:
        break
    time.sleep(0.2)
else:
    sys.exit("writeback did not finish in 1200 s")
print(f"{time.monotonic() - t0:.2f}" if t0 else "0")
PY
}

# flush_secs: seconds `hpsctl volume flush --wait` takes: writeback at full
# speed, nothing waits for the idle age.
flush_secs() {
	local t0=$EPOCHREALTIME
	ctl volume flush "$V" --wait --timeout-drain 1200 >/dev/null 2>&1 || return 1
	python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$EPOCHREALTIME"
}
seq_write() {
	must fio --name=seq --filename="$DEV" --direct=1 --ioengine=libaio --rw=write --bs=128k \
		--iodepth=8 --size=${SEQ_MB}M --output=/dev/null
}
rand_write() {
	must fio --name=rand --filename="$DEV" --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
		--iodepth=32 --offset=256M --size=${RAND_MB}M --output=/dev/null
}

log "flush, sequential: ${SEQ_MB} MiB of dirty data, then volume flush --wait"
seq_write
seq_flush_s=$(flush_secs) || die "sequential flush"
log "sequential flush: ${SEQ_MB} MiB in ${seq_flush_s} s"

log "flush, random 4K: ${RAND_MB} MiB of dirty data at random places, then volume flush --wait"
rand_write
rand_flush_s=$(flush_secs) || die "random flush"
log "random flush: ${RAND_MB} MiB in ${rand_flush_s} s"

log "idle, sequential: ${SEQ_MB} MiB of dirty data, left to writeback (below the low watermark)"
seq_write
seq_s=$(drain_secs) || die "sequential drain"
log "sequential writeback: ${SEQ_MB} MiB in ${seq_s} s"

log "idle, random 4K: ${RAND_MB} MiB of dirty data, left to writeback"
rand_write
rand_s=$(drain_secs) || die "random drain"
log "random writeback: ${RAND_MB} MiB in ${rand_s} s"

log "rbd bench on the same cluster, same sizes and patterns, 32 in flight"
B=wbbench-$RANDOM
must rbd create "$B" --size 512M
rbd bench --io-type write --io-size 1M --io-threads 32 --io-total ${SEQ_MB}M --io-pattern seq \
	"$B" >"$OUT/rbd-bench-seq.txt" 2>&1 || die "rbd bench seq: $(tail -3 "$OUT/rbd-bench-seq.txt")"
rbd bench --io-type write --io-size 4K --io-threads 32 --io-total ${RAND_MB}M --io-pattern rand \
	"$B" >"$OUT/rbd-bench-rand.txt" 2>&1 || die "rbd bench rand: $(tail -3 "$OUT/rbd-bench-rand.txt")"
must rbd rm "$B" --no-progress

python3 - "$SEQ_MB" "$RAND_MB" "$seq_flush_s" "$rand_flush_s" "$seq_s" "$rand_s" "$OUT" \
	>"$LAB_OUT/writeback.json" <<'PY' || die "summary"
import json, re, sys
seq_mb, rand_mb = int(sys.argv[1]), int(sys.argv[2])
seq_flush_s, rand_flush_s, seq_s, rand_s = map(float, sys.argv[3:7])
out = sys.argv[7]
def bench(path):
    # rbd bench ends with: "elapsed: 12  ops: 128  ops/sec: 10.6  bytes/sec: 11 MiB/s"
    text = open(path).read()
    m = re.search(r"elapsed:\s*([\d.]+)\s+ops:\s*(\d+)\s+ops/sec:\s*([\d.]+)\s+bytes/sec:\s*([\d.]+)\s*(\w+)/s", text)
    if not m:
        sys.exit(f"cannot parse {path}: {text[-300:]}")
    unit = {"B": 1, "KiB": 1024, "MiB": 1 << 20, "GiB": 1 << 30}[m.group(5)]
    return float(m.group(4)) * unit / 1e6
mb_s = lambda mib, s: mib * 1048576 / 1e6 / s if s else None
rbd_seq, rbd_rand = bench(f"{out}/rbd-bench-seq.txt"), bench(f"{out}/rbd-bench-rand.txt")
ratio = lambda a, b: round(a / b, 3) if a and b else None
def entry(mib, secs, rbd, rbd_key):
    hps = mb_s(mib, secs)
    return {"mib": mib, "seconds": secs, "hps_mb_s": round(hps, 2) if hps else None,
            rbd_key: round(rbd, 2), "ratio_hps_over_rbd_bench": ratio(hps, rbd)}
print(json.dumps({
    "benchmark": "writeback",
    "note": "hps flush: dirty data written back by hpsd (coalesced, <=32 writes in flight) during `hpsctl volume flush --wait`; "
            "hps idle: the same data left below the low watermark, timed from the first block cleaned to none dirty (includes waiting out the 30 s idle age epoch by epoch); "
            "rbd bench: the same bytes and pattern, 32 threads, same cluster; lab Ceph is one memstore OSD, QEMU TCG: compare ratios",
    "flush_sequential": entry(seq_mb, seq_flush_s, rbd_seq, "rbd_bench_1m_mb_s"),
    "flush_random_4k": entry(rand_mb, rand_flush_s, rbd_rand, "rbd_bench_4k_mb_s"),
    "idle_sequential": entry(seq_mb, seq_s, rbd_seq, "rbd_bench_1m_mb_s"),
    "idle_random_4k": entry(rand_mb, rand_s, rbd_rand, "rbd_bench_4k_mb_s"),
}, indent=2))
PY
cat "$LAB_OUT/writeback.json"
must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel writeback
