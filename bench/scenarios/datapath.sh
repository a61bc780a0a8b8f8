#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=1500
# about: fio on a raw NVMe slice, dm-writecache over the same slice, and an hps volume on it: IOPS, p50/p99, ratios
source "$HPS_SRC/test/lab/guest/lib.sh"

# Three devices, one after the other, on the same 768 MiB slice of the VM's
# NVMe disk (so they see the same media), the same fio jobs for each:
#   raw            the slice itself
#   dm-writecache  the slice as cache in front of a second slice (origin)
#   hps            an hps-pool on the slice and a standalone hps volume
# The hot set is written first so reads hit the cache.  hpsd is not needed:
# every job stays inside the cache (whole 4 KiB writes, reads of written
# data); the volume status shows write_through 0 when that held.
NV=$LAB_NVME
SLICE=1572864			# 768 MiB cache / raw slice
ORIGIN_SECTORS=1048576		# 512 MiB origin for dm-writecache; also the volume size
RUNTIME=15
HOT=64M
OUT=$LAB_OUT/datapath
mkdir -p "$OUT"

must hps_module_deps
must modprobe dm_writecache
must insmod "$HPS_KO"
must dm_create bench-slice "0 $SLICE linear $NV 0"
must dm_create bench-origin "0 $ORIGIN_SECTORS linear $NV $SLICE"

# run_jobs LABEL DEV: the three fio jobs on DEV; JSON in $OUT/LABEL-JOB.json
run_jobs() {
	local label=$1 dev=$2
	local common=(--filename="$dev" --direct=1 --ioengine=libaio --time_based
		      --runtime="$RUNTIME" --output-format=json --group_reporting)
	log "$label: prefill the hot set ($HOT)"
	must fio --name=prefill --filename="$dev" --direct=1 --ioengine=libaio \
		--rw=write --bs=128k --iodepth=8 --size=$HOT --output=/dev/null
	log "$label: 4K randread QD32 on the hot set"
	must fio --name=randread "${common[@]}" --rw=randread --bs=4k --iodepth=32 \
		--size=$HOT --output="$OUT/$label-randread.json"
	log "$label: 4K randwrite QD32"
	must fio --name=randwrite "${common[@]}" --rw=randwrite --bs=4k --iodepth=32 \
		--size=256M --output="$OUT/$label-randwrite.json"
	log "$label: 128K seq write QD8"
	must fio --name=seqwrite "${common[@]}" --rw=write --bs=128k --iodepth=8 \
		--size=256M --output="$OUT/$label-seqwrite.json"
}

mem_kib() { awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo; }

run_jobs raw /dev/mapper/bench-slice

# dm-writecache in SSD mode, 4 KiB blocks, the slice as its cache.
must dd if=/dev/zero of=/dev/mapper/bench-slice bs=1M count=1 oflag=direct status=none
must dm_create bench-wc "0 $ORIGIN_SECTORS writecache s /dev/mapper/bench-origin /dev/mapper/bench-slice 4096 0"
run_jobs dm-writecache /dev/mapper/bench-wc
must dm_remove bench-wc

# hps: a pool on the slice, a standalone volume as big as the origin.
must dd if=/dev/zero of=/dev/mapper/bench-slice bs=1M count=2 oflag=direct status=none
m0=$(mem_kib)
must dm_create hps-pool-9 "0 $SLICE hps-pool /dev/mapper/bench-slice 9 8 1 format"
m1=$(mem_kib)
must dm_create bench-hps "0 $ORIGIN_SECTORS hps /dev/mapper/hps-pool-9 901 standalone"
run_jobs hps /dev/mapper/bench-hps
dmsetup status bench-hps >"$OUT/hps-volume-status.txt"
dmsetup status hps-pool-9 >"$OUT/hps-pool-status.txt"
wt=$(awk '{ print $12 }' "$OUT/hps-volume-status.txt")
[ "$wt" = 0 ] || log "note: $wt writes went through to the backend"
must dm_remove bench-hps
must dm_remove hps-pool-9

tib_index=$("$HPS_BUILD/tools/hps-geometry" $((1 << 31)) 8 | sed -n 's/^index_bytes //p')
pool_index=$(awk '{ print $12 }' "$OUT/hps-pool-status.txt")
python3 - "$OUT" "$((m1 - m0))" "$SLICE" "$pool_index" "$tib_index" "$RUNTIME" "$wt" \
	>"$LAB_OUT/datapath.json" <<'PY' || die "cannot summarise the fio results"
import json, sys
out, mem_kib, slice_sectors, index_bytes, tib_index, runtime, wt = sys.argv[1:8]
jobs = ["randread", "randwrite", "seqwrite"]
devs = ["raw", "dm-writecache", "hps"]
res = {}
for d in devs:
    res[d] = {}
    for j in jobs:
        data = json.load(open(f"{out}/{d}-{j}.json"))["jobs"][0]
        side = data["read"] if j == "randread" else data["write"]
        pct = side["clat_ns"].get("percentile", {})
        res[d][j] = {
            "iops": round(side["iops"], 1),
            "mb_s": round(side["bw_bytes"] / 1e6, 2),
            "p50_us": round(pct.get("50.000000", 0) / 1000, 1),
            "p99_us": round(pct.get("99.000000", 0) / 1000, 1),
            "errors": data.get("error", 0),
        }
def ratio(a, b):
    return round(a / b, 3) if b else None
ratios = {
    f"hps/{base}": {
        j: {"iops": ratio(res["hps"][j]["iops"], res[base][j]["iops"]),
            "p50": ratio(res["hps"][j]["p50_us"], res[base][j]["p50_us"]),
            "p99": ratio(res["hps"][j]["p99_us"], res[base][j]["p99_us"])}
        for j in jobs
    }
    for base in ["raw", "dm-writecache"]
}
print(json.dumps({
    "benchmark": "datapath",
    "note": "same VM, same NVMe slice, same fio jobs, one after the other; "
            "the lab VM may run under QEMU TCG, so compare ratios, not absolute figures",
    "runtime_s": int(runtime),
    "hps_write_through": int(wt),
    "results": res,
    "ratios": ratios,
    "index_memory": {
        "pool_sectors": int(slice_sectors),
        "index_bytes_reported_by_pool": int(index_bytes),
        "slab_plus_vmalloc_delta_kib_at_pool_create": int(mem_kib),
        "index_bytes_per_tib_at_4k_blocks": int(tib_index),
    },
}, indent=2))
PY
cat "$LAB_OUT/datapath.json"
must dm_remove bench-origin
must dm_remove bench-slice
check_kernel datapath
