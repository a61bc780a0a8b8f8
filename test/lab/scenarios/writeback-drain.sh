#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1200
# about: hpsd's writeback engine drains dirty cache blocks to RBD: data written to the volume ends up byte-exact in the image, also when blocks are rewritten during writeback
source "$HPS_SRC/test/lab/guest/lib.sh"

[ -n "${LAB_CEPH_CONF:-}" ] || die "runner gave no LAB_CEPH_CONF"
HPSD=$HPS_BUILD/daemon/hpsd
HPSCTL=$HPS_BUILD/tools/hpsctl/hpsctl
NV=$LAB_NVME
WORK=/tmp/hps-wb
CONF=$WORK/hpsd.json
SOCK=$WORK/hpsd.sock
LOG=$LAB_OUT/hpsd.log
CACHE=hps-wb-cache		# a 256 MiB slice of the NVMe disk
SLICE=524288
POOL_ID=5
P=hps-pool-$POOL_ID
VOL_ID=51
V=hps-wbvol
VSIZE=131072			# 64 MiB volume
VBYTES=$((VSIZE * 512))
IMG=wb-$RANDOM
W=$WORK/expect.bin

vstat() { dmsetup status "$V" | awk -v f="$1" '{ print $(f + 3) }'; }
pstat() { dmsetup status "$P" | awk -v f="$1" '{ print $(f + 3) }'; }
# Volume status: 4 cached 5 dirty.  Pool: 7 used 8 dirty 14 wb_inflight 15 wb_cleaned.

hpsd_pid=
cleanup() {
	if [ -n "$hpsd_pid" ] && kill -0 "$hpsd_pid" 2>/dev/null; then
		kill -KILL "$hpsd_pid" 2>/dev/null || true
	fi
	if [ -f "$LOG" ]; then
		log "hpsd log (writeback and errors):"
		grep -E 'writeback|error|warn' "$LOG" | sed 's/^/    /' | tail -60
	fi
}
trap cleanup EXIT

# wait_clean SECONDS: until the volume has no dirty block; prints the
# seconds it took.
wait_clean() {
	local start now
	start=$(date +%s.%N)
	for _ in $(seq $(($1 * 5))); do
		[ "$(vstat 5)" = 0 ] && break
		kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited"
		sleep 0.2
	done
	[ "$(vstat 5)" = 0 ] || die "still $(vstat 5) dirty blocks after $1 s (pool: $(dmsetup status "$P"))"
	now=$(date +%s.%N)
	echo "$now - $start" | bc
}

# wait_below BLOCKS SECONDS: until the volume has at most BLOCKS dirty
# blocks; prints the seconds it took.
wait_below() {
	local start now
	start=$(date +%s.%N)
	for _ in $(seq $(($2 * 10))); do
		[ "$(vstat 5)" -le "$1" ] && break
		# A module without the writeback ioctls on the channel: say so.
		grep -q 'WB_TAKE: ' "$LOG" && die "hpsd cannot take dirty blocks: $(grep -m1 'WB_TAKE: ' "$LOG")"
		sleep 0.1
	done
	[ "$(vstat 5)" -le "$1" ] || die "still $(vstat 5) dirty blocks after $2 s"
	now=$(date +%s.%N)
	echo "$now - $start" | bc
}

check_image() { # what
	rm -f "$WORK/image.bin"
	must rbd export --no-progress "$IMG" "$WORK/image.bin"
	cmp "$W" "$WORK/image.bin" || die "$1: the image differs from what was written"
	log "$1: rbd export of $IMG is byte-identical to what was written"
}

# --- kernel side: pool and a standalone volume ----------------------------------

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=2 oflag=direct status=none
must dm_create "$P" "0 $SLICE hps-pool /dev/mapper/$CACHE $POOL_ID 8 1 format"
must dm_create "$V" "0 $VSIZE hps /dev/mapper/$P $VOL_ID standalone"
total=$(pstat 3)
log "pool $POOL_ID: $total blocks of 4 KiB; volume $VOL_ID: $((VBYTES >> 20)) MiB"

# --- Ceph image and hpsd --------------------------------------------------------

must ceph_answers
must rbd create --size "$VBYTES"B "$IMG"
mkdir -p "$WORK/state"
cat >"$WORK/state/volumes.json" <<JSON
{"volumes":[{"name":"wbvol","id":$VOL_ID,"pool_id":$POOL_ID,"size_bytes":$VBYTES,"image":"$IMG"}],"next_id":$((VOL_ID + 1))}
JSON
cat >"$CONF" <<JSON
{
  "node_name": "lab-vm${LAB_VM:-0}",
  "control_socket": "$SOCK",
  "state_dir": "$WORK/state",
  "log_level": "debug",
  "ceph": {"conf": "$LAB_CEPH_CONF", "pool": "rbd", "client": "admin"}
}
JSON
must "$HPSD" --config "$CONF" --check-config

# Written before hpsd runs: every block is cached dirty and waits, so the
# drain that follows measures the writeback alone.
log "writing $((VBYTES >> 20)) MiB of whole 4 KiB blocks (O_DIRECT)"
must head -c "$VBYTES" /dev/urandom >"$W"
must dd if="$W" of="/dev/mapper/$V" bs=1M oflag=direct status=none
dirty=$(vstat 5)
expect_eq "$dirty" $((VBYTES / 4096)) "dirty blocks before hpsd"
expect_eq "$(vstat 9)" 0 "write-throughs (everything was cached)"

"$HPSD" --config "$CONF" >>"$LOG" 2>&1 &
hpsd_pid=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && "$HPSCTL" --socket "$SOCK" status >/dev/null 2>&1 && break
	kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited while starting"
	sleep 0.1
done
[ -S "$SOCK" ] || die "hpsd did not create $SOCK"
log "hpsd running, pid $hpsd_pid"

# --- 1: drain what was written --------------------------------------------------

# The pool is $((dirty * 100 / total))% dirty: above the low watermark (10%),
# so writeback starts at once; below 5% what is left goes once it has been
# held idle_age (30 s).
# Throughput while active: until the pool is 6 % dirty (active ends below 5 %).
secs=$(wait_below $((total * 6 / 100)) 300)
left=$(vstat 5)
mbps=$(echo "scale=1; ($dirty - $left) * 4096 / 1000000 / $secs" | bc)
log "writeback throughput: $((dirty - left)) blocks in $secs s = $mbps MB/s (to 6 % dirty)"
secs=$(wait_clean 300)
log "the last $left blocks (below the low watermark: held idle_age, 30 s) clean after $secs s more"
grep -o 'writeback: .*' "$LOG" | head -5 | sed 's/^/    /'
check_image "drain"

# --- 2: rewrite blocks while they are being written back -------------------------

log "rewriting the first 32 MiB four times while writeback runs"
for round in 1 2 3 4; do
	must head -c $((32 << 20)) /dev/urandom >"$WORK/round.bin"
	must dd if="$WORK/round.bin" of="/dev/mapper/$V" bs=1M oflag=direct status=none
	must dd if="$WORK/round.bin" of="$W" bs=1M conv=notrunc status=none
	log "round $round: $(vstat 5) dirty, pool wb_inflight $(pstat 14) wb_cleaned $(pstat 15)"
	sleep 1
done
secs=$(wait_clean 300)
log "clean again after $secs s; pool wb_cleaned $(pstat 15)"
check_image "rewrites"

# Rewrites of blocks the engine holds, then a wait past idle_age: the
# kernel's sequence check must keep them dirty and they go again.
log "rewriting 256 blocks twice a few seconds apart (taken, held idle, rewritten)"
must head -c $((1 << 20)) /dev/urandom >"$WORK/a.bin"
must dd if="$WORK/a.bin" of="/dev/mapper/$V" bs=1M seek=40 oflag=direct status=none
sleep 3
must head -c $((1 << 20)) /dev/urandom >"$WORK/b.bin"
must dd if="$WORK/b.bin" of="/dev/mapper/$V" bs=1M seek=40 oflag=direct status=none
must dd if="$WORK/b.bin" of="$W" bs=1M seek=40 conv=notrunc status=none
secs=$(wait_clean 300)
log "clean after $secs s"
check_image "rewrites of held blocks"

# --- stop ------------------------------------------------------------------------

must kill -TERM "$hpsd_pid"
for _ in $(seq 300); do
	kill -0 "$hpsd_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$hpsd_pid" 2>/dev/null && die "hpsd still running 30 s after SIGTERM"
rc=0
wait "$hpsd_pid" || rc=$?
hpsd_pid=
expect_eq "$rc" 0 "hpsd exit code after SIGTERM"
expect_eq "$(pstat 14)" 0 "blocks under writeback after hpsd stopped"

must dm_remove "$V"
must dm_remove "$P"
must dm_remove "$CACHE"
must rmmod dm_hps
must rbd rm --no-progress "$IMG"
check_kernel "writeback-drain"
log "ok"
