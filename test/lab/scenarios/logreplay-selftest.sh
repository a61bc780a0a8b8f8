#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=600
# about: hps-logreplay reads a real dm-log-writes log: list/points show the marks, replay to each mark gives exactly the data written before it
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
T=$HPS_BUILD/tools/hps-logreplay/hps-logreplay
W=/tmp/logreplay
LW=/dev/mapper/lr-lw
LOG=/dev/mapper/lr-log
REPLAY=/dev/mapper/lr-replay
DATA_SECTORS=16384		# 8 MiB data area
LOG_SECTORS=32768		# 16 MiB log area
SIZE=$((DATA_SECTORS * 512))

[ -x "$T" ] || die "no hps-logreplay at $T (build the tree first)"
[ -b "$NV" ] || die "LAB_NVME=$NV is not a block device"
mkdir -p "$W"

# --- devices: data, log and replay areas on the NVMe disk -----------------------

must modprobe dm_mod
must modprobe dm_log_writes
must dm_create lr-data "0 $DATA_SECTORS linear $NV 0"
must dm_create lr-log "0 $LOG_SECTORS linear $NV $DATA_SECTORS"
must dm_create lr-replay "0 $DATA_SECTORS linear $NV $((DATA_SECTORS + LOG_SECTORS))"
must dm_create lr-lw "0 $DATA_SECTORS log-writes /dev/mapper/lr-data $LOG"
minor=$(dmsetup info -c --noheadings -o minor lr-lw | tr -d ' ')
log "log-writes: $(dmsetup table lr-lw); write_cache $(cat "/sys/block/dm-$minor/queue/write_cache"), fua $(cat "/sys/block/dm-$minor/queue/fua" 2>/dev/null || echo '?')"

# --- the workload, and what the device must hold at each mark ------------------

# One MiB of random bytes; every write takes its data from it.  exp0 is the
# zeroed device; expK what it holds at mark mK.
must head -c 1048576 /dev/urandom >"$W/rand"
must truncate -s "$SIZE" "$W/exp0"

# put EXP BS SEEK COUNT SKIP [OFLAG [CONV]]: the write on the log-writes
# device, mirrored into the expected image EXP (which it then becomes).
put() {
	local exp=$1 bs=$2 seek=$3 count=$4 skip=$5 oflag=${6:-direct} conv=${7:-notrunc}
	must dd if="$W/rand" of="$LW" bs="$bs" seek="$seek" count="$count" skip="$skip" \
		oflag="$oflag" conv="$conv" status=none
	must dd if="$W/rand" of="$W/$exp" bs="$bs" seek="$seek" count="$count" skip="$skip" \
		conv=notrunc status=none
}
mark() { must dmsetup message lr-lw 0 mark "$1"; }

# Every skip stays inside the 1 MiB of random bytes (dd would copy nothing).
# m1: 256 KiB at 0 and 64 KiB at 1 MiB, then a flush (fsync of the device).
cp "$W/exp0" "$W/exp1"
put exp1 65536 0 4 0 direct notrunc
put exp1 65536 16 1 5 direct notrunc,fsync
mark m1
# m2: FUA writes (O_DIRECT|O_DSYNC) at 2 MiB, then an overwrite inside the
# first write, flushed.
cp "$W/exp1" "$W/exp2"
put exp2 4096 512 4 100 direct,dsync notrunc
put exp2 4096 8 3 200 direct notrunc,fsync
mark m2
# m3: a discard of 64 KiB inside the first write, then a flush.
cp "$W/exp2" "$W/exp3"
must blkdiscard -o 131072 -l 65536 "$LW"
must dd if=/dev/zero of="$W/exp3" bs=65536 seek=2 count=1 conv=notrunc status=none
must dd if=/dev/zero of="$LW" count=0 conv=notrunc,fsync status=none
mark m3
# After the last mark: a write never flushed.  Tearing the target down logs
# it and a last mark, dm-log-writes-end.
cp "$W/exp3" "$W/exp4"
put exp4 4096 1536 2 240 direct notrunc
status=$(dmsetup status lr-lw)
log "log-writes status: $status"
case $status in *logging_disabled*) die "dm-log-writes disabled logging: $status" ;; esac
must dm_remove lr-lw
check_kernel "log-writes workload"

# --- the tool reads the log -------------------------------------------------------

must "$T" list "$LOG" >"$LAB_OUT/list.txt"
must "$T" points "$LOG" --between 2 --format json >"$LAB_OUT/points.json"
sed 's/^/    /' "$LAB_OUT/list.txt"
marks=$(jq -r '[.points[] | select(.kind == "mark") | .name] | join(" ")' "$LAB_OUT/points.json")
expect_eq "$marks" "m1 m2 m3 dm-log-writes-end" "marks in points"
for m in m1 m2 m3 dm-log-writes-end; do
	grep -qE "MARK +$m\$" "$LAB_OUT/list.txt" || die "list does not show mark $m"
done
nflush=$(jq '[.points[] | select(.kind | test("flush"))] | length' "$LAB_OUT/points.json")
nfua=$(jq '[.points[] | select(.kind | test("fua"))] | length' "$LAB_OUT/points.json")
nbetween=$(jq '[.points[] | select(.kind == "between")] | length' "$LAB_OUT/points.json")
grep -q ' 1 discard,' "$LAB_OUT/list.txt" || die "list does not count one discard"
[ "$nflush" -ge 3 ] || die "want at least 3 flush points, got $nflush"
[ "$nfua" -ge 4 ] || die "want at least 4 fua points (4 O_DSYNC writes), got $nfua"
log "points: $nflush flush, $nfua fua, $nbetween between, marks: $marks"

# --- replay to each mark onto a zeroed device, compare ---------------------------

must dd if=/dev/zero of="$REPLAY" bs=1M count=8 oflag=direct status=none
i=1
for m in m1 m2 m3 dm-log-writes-end; do
	must "$T" replay "$LOG" "$REPLAY" --to-mark "$m" --from-start
	cmp "$REPLAY" "$W/exp$i" || die "replay to $m differs from the data written before it (exp$i)"
	log "replay to $m: equal to exp$i"
	i=$((i + 1))
done
# Every point (flushes, FUA writes, marks, two between each pair of
# flushes) in order, each replay continuing the last one (--from): the
# device must match the log up to that point (--verify), and at a mark the
# expected image.
jq -r '.points[] | "\(.entry) \(.kind) \(.name // "")"' "$LAB_OUT/points.json" >"$W/points.txt"
must dd if=/dev/zero of="$REPLAY" bs=1M count=8 oflag=direct status=none
next=0
npoints=0
while read -r entry kind name; do
	must "$T" replay "$LOG" "$REPLAY" --from "$next" --to "$entry" >/dev/null
	must "$T" replay "$LOG" "$REPLAY" --to "$entry" --verify >/dev/null
	if [ "$kind" = mark ]; then
		case $name in m1) i=1 ;; m2) i=2 ;; m3) i=3 ;; *) i=4 ;; esac
		cmp "$REPLAY" "$W/exp$i" || die "incremental replay to mark $name differs from exp$i"
	fi
	next=$((entry + 1))
	npoints=$((npoints + 1))
done <"$W/points.txt"	# (no /dev/fd in the guest: no process substitution)
log "incremental replay through $npoints points: each verified"
# --verify agrees with what is there, and names an entry when it is not.
must "$T" replay "$LOG" "$REPLAY" --to-mark dm-log-writes-end --verify
must dd if=/dev/urandom of="$REPLAY" bs=4096 seek=9 count=1 oflag=direct status=none
rc=0
"$T" replay "$LOG" "$REPLAY" --to-mark dm-log-writes-end --verify 2>"$LAB_OUT/verify.err" || rc=$?
expect_eq "$rc" 3 "verify exit code after corrupting the replay"
log "verify after corruption: $(cat "$LAB_OUT/verify.err")"
# Not a log: exit 1 with the reason.
rc=0
"$T" list "$REPLAY" >/dev/null 2>"$LAB_OUT/bad.err" || rc=$?
expect_eq "$rc" 1 "list exit code on a device that is not a log"
grep -q 'bad magic' "$LAB_OUT/bad.err" || die "no 'bad magic' for a non-log: $(cat "$LAB_OUT/bad.err")"

must dm_remove lr-replay
must dm_remove lr-log
must dm_remove lr-data
check_kernel end
log "logreplay-selftest: ok"
