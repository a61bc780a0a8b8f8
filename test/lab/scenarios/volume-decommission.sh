#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: safe decommission: hpsctl volume delete drains dirty blocks to RBD first (image byte-exact afterwards, device, registry entry and the pool's blocks gone), gives up with the volume in place on --timeout-drain or while Ceph is unreachable; hpsd refuses a dirty delete; --force discards; images have only the layering feature
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

V=dc-$RANDOM			# the RBD pool may hold images of earlier runs
DEV=/dev/mapper/hps-$V
WORK=/tmp/hps-decommission
W=$WORK/expect.bin
mkdir -p "$WORK"

# Pool status fields after "<start> <len> hps-pool": 7 used 8 dirty.
pool_field() { dmsetup status hps-pool-0 | awk -v f="$1" '{ print $(f + 3) }'; }

# api METHOD PARAMS_JSON: one raw control API request (what hpsctl would
# not send); prints the response line.
api() {
	python3 - "$HPSD_SOCK" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"id": 1, "method": sys.argv[2], "params": json.loads(sys.argv[3])}) + "\n").encode())
line = b""
while not line.endswith(b"\n"):
	chunk = s.recv(65536)
	if not chunk:
		break
	line += chunk
print(line.decode().strip())
PY
}

# write_data NAME MIB: MIB MiB of random whole blocks at 8 MiB into the
# volume, the same into $W (the image as it must end up: 64 MiB).
write_data() {
	rm -f "$W"
	must truncate -s 64M "$W"
	must head -c $(($2 << 20)) /dev/urandom >"$WORK/data.bin"
	must dd if="$WORK/data.bin" of="$W" bs=1M seek=8 conv=notrunc status=none
	must dd if="$WORK/data.bin" of="/dev/mapper/hps-$1" bs=1M seek=8 oflag=direct status=none
}

check_image() { # NAME WHAT
	rm -f "$WORK/image.bin"
	must rbd export --no-progress "$1" "$WORK/image.bin"
	cmp "$W" "$WORK/image.bin" || die "$2: RBD image $1 differs from what was written"
	log "$2: rbd export of $1 is byte-identical to what was written"
}

# 2 MB/s: 24 MiB take ~13 s to drain, long enough to watch.
hpsd_setup '"flush_bandwidth_mbps": 2'
hpsd_start

# --- new images: layering only --------------------------------------------------

must ctl volume create "$V" --size 64M
# Ids are cluster-wide: other scenarios sharing this Ceph hold some, so read ours.
VID=$(ctl volume show "$V" --format json | json_get id) || die "volume show $V"
expect_eq "$(rbd info --format json "$V" | json_get features)" '["layering"]' "features of $V"
log "RBD image $V has only the layering feature"

# --- dirty volume: hpsd refuses, a short --timeout-drain gives up ----------------

write_data "$V" 24
dirty=$(vol_field "$V" 5)
[ "$dirty" -ge $((24 * 256 * 9 / 10)) ] || die "only $dirty dirty blocks after writing 24 MiB"
used_before=$(pool_field 7)
log "$V: $dirty dirty blocks; pool 0: $used_before used blocks"

resp=$(api volume.delete "{\"name\":\"$V\"}")
grep -q '"code":"illegal_state"' <<<"$resp" || die "hpsd deleted a dirty volume: $resp"
grep -q 'dirty blocks' <<<"$resp" || die "refusal does not mention dirty blocks: $resp"
log "hpsd's volume.delete without force refused: $resp"

rc=0
ctl volume delete "$V" --timeout-drain 2 >"$WORK/out" 2>"$WORK/err" || rc=$?
sed 's/^/    /' "$WORK/err"
expect_eq "$rc" 1 "exit code of delete --timeout-drain 2"
[ -s "$WORK/out" ] && die "stdout of the failed delete: $(cat "$WORK/out")"
last=$(tail -n 1 "$WORK/err")
grep -q "^hpsctl: volume delete: volume \"$V\" still has [0-9]* dirty blocks after 2 s" <<<"$last" ||
	die "give-up line: $last"
grep -q "left in place" <<<"$last" || die "give-up line does not say the volume stays: $last"
grep -q "^draining $V: [0-9]* dirty blocks left" "$WORK/err" || die "no progress lines"
[ -b "$DEV" ] || die "$DEV went away after a failed delete"
json=$(ctl volume show "$V" --format json) || die "volume show after the failed delete"
d=$(json_get dirty_blocks <<<"$json")
if [ "$d" -gt 0 ]; then
	expect_eq "$(json_get flushing <<<"$json")" true "flushing while $d blocks are dirty"
	log "after giving up: $d dirty, hpsd still flushing ($(json_get flush <<<"$json"))"
fi

# --- decommission: drain, then delete ------------------------------------------

start=$SECONDS
ctl volume delete "$V" >"$WORK/out" 2>"$WORK/err" || {
	cat "$WORK/err"
	die "volume delete failed"
}
log "volume delete took $((SECONDS - start)) s; stderr:"
sed 's/^/    /' "$WORK/err"
log "stdout: $(cat "$WORK/out")"
grep -q "^deleted volume $V (id $VID); RBD image $V kept" "$WORK/out" || die "delete said: $(cat "$WORK/out")"
# hpsd keeps draining after hpsctl gave up above, so the volume may be
# clean by now: then delete has nothing to drain and says nothing.
if [ -s "$WORK/err" ]; then
	grep -q "^drained $V in [0-9]* s" "$WORK/err" || die "no 'drained' line"
else
	log "the volume was clean already: nothing to drain"
fi
! grep -q "dirty blocks discarded" "$WORK/out" || die "delete discarded blocks"

dmsetup info "hps-$V" >/dev/null 2>&1 && die "hps-$V still exists"
[ ! -e "$DEV" ] || die "$DEV still exists"
grep -q "\"name\":\"$V\"" "$HPSD_STATE/volumes.json" && die "registry still has $V"
ctl volume show "$V" >/dev/null 2>&1 && die "volume show still finds $V"
check_image "$V" "after decommission"
used_after=$(pool_field 7)
log "pool 0 used blocks: $used_before before, $used_after after the delete"
[ $((used_before - used_after)) -ge "$dirty" ] ||
	die "pool 0 still uses $used_after blocks (was $used_before; the volume had $dirty)"
grep -q "volume $V deleted (id $VID), RBD image kept, released from pool 0" "$HPSD_LOG" ||
	die "hpsd did not release the volume from the pool"

# --- Ceph unreachable: delete gives up, the volume stays ------------------------

V2=$V-b
must ctl volume create "$V2" --size 64M
write_data "$V2" 8
dirty=$(vol_field "$V2" 5)
must ip link set eth0 down
log "eth0 down: Ceph unreachable; deleting $V2 ($dirty dirty blocks)"
rc=0
ctl volume delete "$V2" --timeout-drain 300 >"$WORK/out" 2>"$WORK/err" || rc=$?
must ip link set eth0 up
log "eth0 up; the delete's stderr:"
tail -n 3 "$WORK/err" | sed 's/^/    /'
expect_eq "$rc" 1 "exit code of delete while Ceph is unreachable"
last=$(tail -n 1 "$WORK/err")
grep -q "^hpsctl: volume delete: writeback of volume \"$V2\" is backing off" <<<"$last" ||
	die "give-up line: $last"
grep -q "[0-9]* dirty blocks not written back; the volume is left in place" <<<"$last" ||
	die "give-up line: $last"
[ -b "/dev/mapper/hps-$V2" ] || die "hps-$V2 went away"
# hpsd's drain goes on: once Ceph is back, the volume gets clean by itself.
wait_clean "$V2" 300
must ctl volume delete "$V2"
check_image "$V2" "after the outage"

# --- --force: no drain, dirty blocks discarded ----------------------------------

V3=$V-f
must ctl volume create "$V3" --size 64M
write_data "$V3" 4
used_before=$(pool_field 7)
out=$(ctl volume delete "$V3" --force) || die "forced delete failed"
log "$out"
grep -q "dirty blocks discarded" <<<"$out" || die "forced delete said: $out"
# The pool releases the volume now, or (blocks still under writeback) at
# a later request: pool list asks again.
for _ in $(seq 60); do
	[ "$(pool_field 7)" -lt "$used_before" ] && break
	ctl pool list >/dev/null
	sleep 1
done
[ "$(pool_field 7)" -lt "$used_before" ] || die "pool 0 still uses $(pool_field 7) blocks after --force"
log "forced delete: pool 0 used blocks $used_before -> $(pool_field 7)"

expect_eq "$(ctl volume list --format json | json_get volumes)" "[]" "volumes at the end"
hpsd_stop
for image in "$V" "$V2" "$V3"; do
	rbd rm --no-progress "$image" >/dev/null 2>&1 || log "could not remove RBD image $image"
done
must dmsetup remove --noudevsync hps-pool-0
check_kernel "volume-decommission"
must rmmod dm_hps
log "volume-decommission: ok"
