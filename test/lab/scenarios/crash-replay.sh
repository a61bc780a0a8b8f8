#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=1500
# about: crash consistency: dm-log-writes under the pool's cache device, replay to every flush/FUA/mark and points between; the pool loads and every flushed write reads back
source "$HPS_SRC/test/lab/guest/lib.sh"

# The pool's cache device is a dm-log-writes device, so every write the
# module makes (data, metadata pages, superblocks, volume table) is logged
# in order with its flush/FUA flags.  A python workload writes whole and
# partial blocks to a volume, some with O_DSYNC (FUA), and flushes at the
# end of each round (a mark in the log).  Then, for every point of the log
# hps-logreplay lists (each flush, each FUA write, each mark, and two
# points between consecutive flushes), the log up to that point is replayed
# onto a zeroed copy of the device, the pool is loaded from it, and every
# block acknowledged by the last flush before that point must read back as
# it was then or as a later write made it (a write after the flush may or
# may not have reached the disk).  The volume never misses: no hpsd runs.
NV=$LAB_NVME
T=$HPS_BUILD/tools/hps-logreplay/hps-logreplay
DATA=131072		# 64 MiB cache device
LOGS=524288		# 256 MiB log
W=/tmp/crash
mkdir -p "$W"

must hps_module_deps
must modprobe dm_log_writes
must insmod "$HPS_KO"
must dm_create cr-data "0 $DATA linear $NV 0"
must dm_create cr-log "0 $LOGS linear $NV $DATA"
must dm_create cr-replay "0 $DATA linear $NV $((DATA + LOGS))"
must dd if=/dev/zero of=/dev/mapper/cr-data bs=1M count=2 oflag=direct status=none
must dd if=/dev/zero of=/dev/mapper/cr-log bs=1M count=1 oflag=direct status=none
must dm_create cr-lw "0 $DATA log-writes /dev/mapper/cr-data /dev/mapper/cr-log"

must dm_create hps-pool-5 "0 $DATA hps-pool /dev/mapper/cr-lw 5 8 1 format"
must dmsetup message cr-lw 0 mark formatted
must dm_create cr-vol "0 32768 hps /dev/mapper/hps-pool-5 51 standalone"

log "workload: 4 rounds of whole, partial and FUA writes, a flush and a mark after each"
must python3 - "$W/expect.json" <<'PY'
import hashlib, json, mmap, os, random, subprocess, sys
rng = random.Random(20261125)
BS, NBLK = 4096, 512
dev = "/dev/mapper/cr-vol"
fd = os.open(dev, os.O_RDWR | os.O_DIRECT)
fua = os.open(dev, os.O_RDWR | os.O_DIRECT | os.O_DSYNC)
buf = mmap.mmap(-1, BS)
cur = {}			# block -> bytes now
accept = {}			# mark -> block -> set of acceptable sha1s
def sha(b): return hashlib.sha1(b).hexdigest()
def write(f, block, data, off=0):
    buf.seek(0); buf.write(data)
    view = memoryview(buf)[:len(data)] if len(data) < BS else buf
    n = os.pwritev(f, [view], block * BS + off)
    assert n == len(data)
prev = None
for rnd in range(1, 5):
    later = {}
    for _ in range(24):
        r = rng.random()
        if r < 0.2 and cur:
            # 512 bytes inside a block written before: in place
            b = rng.choice(sorted(cur))
            off = rng.randrange(8) * 512
            piece = rng.randbytes(512)
            # O_DIRECT needs an aligned buffer: use the mmap, 512 bytes of it
            buf.seek(0); buf.write(piece)
            assert os.pwritev(fd, [memoryview(buf)[:512]], b * BS + off) == 512
            cur[b] = cur[b][:off] + piece + cur[b][off + 512:]
        else:
            b = rng.randrange(NBLK)
            data = rng.randbytes(BS)
            write(fua if r > 0.9 else fd, b, data)
            cur[b] = data
        later.setdefault(b, set()).add(sha(cur[b]))
    # Blocks acked at the previous mark may read as any later state.
    if prev is not None:
        for b, states in later.items():
            if b in accept[prev]:
                accept[prev][b] |= states
    os.fsync(fd)
    m = f"f{rnd}"
    subprocess.run(["dmsetup", "message", "cr-lw", "0", "mark", m], check=True)
    accept[m] = {b: {sha(v)} for b, v in cur.items()}
    prev = m
json.dump({m: {str(b): sorted(s) for b, s in d.items()} for m, d in accept.items()},
          open(sys.argv[1], "w"))
print(f"{len(cur)} blocks written")
PY
log "volume status after the workload: $(dmsetup status cr-vol)"
must dm_remove cr-vol
must dm_remove hps-pool-5
must dm_remove cr-lw
check_kernel "crash workload"

must "$T" points /dev/mapper/cr-log --between 2 --format json >"$LAB_OUT/points.json"
jq -r '.points[] | "\(.entry) \(.kind) \(.name // "-")"' "$LAB_OUT/points.json" >"$W/points.txt"
# Every mark (one after each flush), and an even sample of the other points
# (flushes of commits, FUA writes, points between flushes): each check
# loads a pool, which costs seconds under TCG.
nall=$(wc -l <"$W/points.txt")
nother=$(grep -cv ' mark ' "$W/points.txt" || true)
stride=$(( (nother + 17) / 18 ))
[ "$stride" -ge 1 ] || stride=1
log "$nall replay points; checking every mark and one in $stride of the $nother others"

# check MARK: the replayed pool loads, and the volume's acknowledged blocks
# read back as allowed at MARK.
check() {
	local mark=$1 entry=$2
	must dm_create hps-pool-5 "0 $DATA hps-pool /dev/mapper/cr-replay 5 8"
	must dm_create cr-vol "0 32768 hps /dev/mapper/hps-pool-5 51 standalone"
	python3 - "$W/expect.json" "$mark" <<'PY' || die "entry $entry (after mark $mark): data lost"
import hashlib, json, mmap, os, sys
accept = json.load(open(sys.argv[1]))[sys.argv[2]]
fd = os.open("/dev/mapper/cr-vol", os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
bad = []
for b, ok in accept.items():
    os.preadv(fd, [buf], int(b) * 4096)
    if hashlib.sha1(bytes(buf)).hexdigest() not in ok:
        bad.append(int(b))
if bad:
    sys.exit(f"{len(bad)} of {len(accept)} acknowledged blocks differ, e.g. {sorted(bad)[:8]}")
PY
	expect_eq "$(dmsetup status cr-vol | awk '{ print $10 }')" 0 "read misses at entry $entry"
	must dm_remove cr-vol
	must dm_remove hps-pool-5
}

mark=
checked=0
other=0
while read -r entry kind name; do
	# Teardown logs a last mark; everything was flushed by then (f4).
	[ "$kind" = mark ] && { mark=$name; [ "$mark" = dm-log-writes-end ] && mark=f4; }
	[ -n "$mark" ] || continue	# before the format finished
	if [ "$kind" != mark ]; then
		other=$((other + 1))
		[ $((other % stride)) = 0 ] || continue
	fi
	must dd if=/dev/zero of=/dev/mapper/cr-replay bs=1M count=2 oflag=direct status=none
	must "$T" replay /dev/mapper/cr-log /dev/mapper/cr-replay --from-start --to "$entry" >/dev/null
	case $mark in
	formatted)
		# No acknowledged volume data yet: the pool must load.
		must dm_create hps-pool-5 "0 $DATA hps-pool /dev/mapper/cr-replay 5 8"
		must dm_remove hps-pool-5 ;;
	*) check "$mark" "$entry" ;;
	esac
	checked=$((checked + 1))
done <"$W/points.txt"
[ "$checked" -ge 12 ] || die "only $checked points checked"
log "$checked replay points: the pool loaded and every flushed block was intact"

must dm_remove cr-replay
must dm_remove cr-log
must dm_remove cr-data
check_kernel "crash replay"
log "ok"
