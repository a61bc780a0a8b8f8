#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: passthrough volume: every bio goes through /dev/hps-channel and hpsd to RBD; data verifies against rbd export; hpsd killed mid-I/O resumes; no hpsd for daemon_timeout fails I/O with EIO
source "$HPS_SRC/test/lab/guest/lib.sh"

HPSD=$HPS_BUILD/daemon/hpsd
HPSCTL=$HPS_BUILD/tools/hpsctl/hpsctl
SOCK=/run/hps/hpsd.sock
WORK=/tmp/hps-channel
STATE=$WORK/state
CONF=$WORK/hpsd.json
LOG=$LAB_OUT/hpsd.log
NV=$LAB_NVME
IMG=chan-$RANDOM		# the RBD pool may hold images of earlier runs
VOL_ID=7
VOL=hps-chan-$VOL_ID
DEV=/dev/mapper/$VOL
SIZE_MB=64
TIMEOUT_PARAM=/sys/module/dm_hps/parameters/daemon_timeout
export HPS_SOCKET=$SOCK

[ -x "$HPSD" ] || die "no hpsd at $HPSD"
[ -f "$HPS_KO" ] || die "no module at HPS_KO=$HPS_KO"
[ -n "${LAB_CEPH_CONF:-}" ] || die "runner gave no LAB_CEPH_CONF"

json_get() {
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
for path in sys.argv[1:]:
	value = doc
	for key in path.split("."):
		value = value[key]
	print(value if isinstance(value, str) else json.dumps(value))' "$@"
}

hpsd_pid=
cleanup() {
	if [ -n "$hpsd_pid" ] && kill -0 "$hpsd_pid" 2>/dev/null; then
		kill -KILL "$hpsd_pid" 2>/dev/null || true
	fi
	if [ -f "$LOG" ]; then
		log "hpsd log (last 80 lines):"
		tail -n 80 "$LOG" | sed 's/^/    /'
	fi
	dmesg | grep -E 'device-mapper: hps' | tail -n 40 | sed 's/^/    dmesg: /' || true
}
trap cleanup EXIT

# start_hpsd: start hpsd and wait until it is attached to the channel.
start_hpsd() {
	local st
	"$HPSD" --config "$CONF" >>"$LOG" 2>&1 &
	hpsd_pid=$!
	for _ in $(seq 300); do
		st=$("$HPSCTL" status --format json 2>/dev/null | json_get channel.attached 2>/dev/null) || st=
		[ "$st" = true ] && break
		kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited while starting"
		sleep 0.2
	done
	[ "$st" = true ] || die "hpsd did not attach to the channel within 60s"
	log "hpsd running and attached, pid $hpsd_pid"
}
kill9_hpsd() {
	kill -KILL "$hpsd_pid"
	wait "$hpsd_pid" 2>/dev/null || true
	hpsd_pid=
}

# --- module, pool, image, registry, hpsd ------------------------------------------

must hps_module_deps
must insmod "$HPS_KO"
expect_eq "$(cat "$TIMEOUT_PARAM")" 30 "daemon_timeout default"
must dm_create hps-pool-0 "0 $(blockdev --getsz "$NV") hps-pool $NV 0 8 1 format"

log "rbd image $IMG (${SIZE_MB} MiB; layering only: no exclusive lock to wait for after kill -9)"
must timeout 120 rbd create --size "${SIZE_MB}M" --image-feature layering "$IMG"

mkdir -p "$STATE"
chmod 700 "$STATE"
cat >"$STATE/volumes.json" <<JSON
{"volumes":[{"name":"chan","id":$VOL_ID,"pool_id":0,"size_bytes":$((SIZE_MB << 20)),"image":"$IMG"}],"next_id":$((VOL_ID + 1))}
JSON
cat >"$CONF" <<JSON
{
  "node_name": "lab-vm${LAB_VM:-0}",
  "control_socket": "$SOCK",
  "state_dir": "$STATE",
  "log_level": "info",
  "ceph": {"conf": "$LAB_CEPH_CONF", "pool": "rbd", "client": "admin"},
  "replication": {"transport": "tcp", "listen": "0.0.0.0:7790"}
}
JSON
must "$HPSD" --config "$CONF" --check-config
start_hpsd

must dm_create "$VOL" "0 $((SIZE_MB << 11)) hps /dev/mapper/hps-pool-0 $VOL_ID passthrough"
log "volume: $(dmsetup table "$VOL")"

# --- data through the channel ------------------------------------------------------

head -c $((8 << 20)) /dev/urandom >"$WORK/a.bin"
t0=$(date +%s)
must dd if="$WORK/a.bin" of="$DEV" bs=64k oflag=direct conv=fsync status=none
must dd if="$DEV" of="$WORK/a.back" bs=64k count=128 iflag=direct status=none
must cmp "$WORK/a.bin" "$WORK/a.back"
log "8 MiB written and read back through the channel in $(( $(date +%s) - t0 )) s"
must timeout 300 rbd export --no-progress "$IMG" "$WORK/export.bin"
must cmp -n $((8 << 20)) "$WORK/a.bin" "$WORK/export.bin"
cmp -s -i $((8 << 20)) -n $((8 << 20)) "$WORK/export.bin" /dev/zero ||
	die "the image holds data past what was written"
log "rbd export matches what went through the device"

log "fio random writes with verify (queue depth 16)"
must fio --name=verify --filename="$DEV" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=4k --iodepth=16 --offset=16m --size=4m --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --output="$LAB_OUT/fio-verify.txt"
grep -q 'err= 0' "$LAB_OUT/fio-verify.txt" || die "fio reported errors: $(cat "$LAB_OUT/fio-verify.txt")"

json=$("$HPSCTL" status --format json) || die "hpsctl status failed"
fields=$(json_get channel.attached channel.requests_served channel.requests_failed channel.protocol_errors <<<"$json")
{ read -r attached; read -r served; read -r failed; read -r perr; } <<<"$fields"
expect_eq "$attached" true "channel.attached"
# fio alone made 2048 requests of 4 KiB (1024 writes, 1024 verify reads);
# dd's 8 MiB went in requests of up to 128 KiB (the channel buffer).
[ "$served" -ge 2176 ] || die "channel.requests_served is $served after fio's 2048 4 KiB requests and dd's 8 MiB"
expect_eq "$failed" 0 "channel.requests_failed"
expect_eq "$perr" 0 "channel.protocol_errors"
log "status: $served requests served, none failed"
check_kernel "I/O through the channel"

# --- hpsd killed mid-I/O -----------------------------------------------------------------

# 16 MiB at 24 MiB in 4 KiB writes: long enough (4096 requests, one at a
# time) to be killed in the middle.
head -c $((16 << 20)) /dev/urandom >"$WORK/b.bin"
dd if="$WORK/b.bin" of="$DEV" bs=4k seek=6144 oflag=direct conv=fsync status=none &
dd_pid=$!
sleep 2
kill -0 "$dd_pid" 2>/dev/null || die "the write finished before hpsd could be killed; make it longer"
log "kill -9 hpsd (pid $hpsd_pid) during a 16 MiB write"
kill9_hpsd
sleep 2
kill -0 "$dd_pid" 2>/dev/null || die "the write ended while no hpsd was running"
start_hpsd
wait "$dd_pid" || die "the write failed across the hpsd restart"
must dd if="$DEV" of="$WORK/b.back" bs=64k skip=384 count=256 iflag=direct status=none
must cmp "$WORK/b.bin" "$WORK/b.back"
rm -f "$WORK/export.bin"
must timeout 300 rbd export --no-progress "$IMG" "$WORK/export.bin"
must cmp -n $((8 << 20)) "$WORK/a.bin" "$WORK/export.bin"
must cmp -i $((24 << 20)):0 -n $((16 << 20)) "$WORK/export.bin" "$WORK/b.bin"
# "hpsd exited; requests it held are queued again" only when the kill
# caught a request in hpsd's hands (dd has one at a time); the detach is
# logged always.
dmesg | grep -qE 'channel: hpsd (exited|\(pid [0-9]+\) detached)' ||
	die "the kernel log does not say hpsd exited or detached"
log "the write resumed after the restart; device and rbd export hold the data"
check_kernel "kill -9 mid-I/O"

# --- no hpsd for longer than daemon_timeout ---------------------------------------------

echo 3 >"$TIMEOUT_PARAM"
expect_eq "$(cat "$TIMEOUT_PARAM")" 3 "daemon_timeout after setting it"
kill9_hpsd
sleep 2		# the module notices within a second
t0=$(date +%s)
if err=$(timeout 60 dd if="$DEV" of=/dev/null bs=4k count=1 iflag=direct 2>&1); then
	die "a read succeeded with no hpsd"
fi
t=$(( $(date +%s) - t0 ))
grep -q 'Input/output error' <<<"$err" || die "the read failed, but not with EIO: $err"
[ "$t" -le 20 ] || die "the read took ${t}s to fail (daemon_timeout 3)"
if err=$(timeout 60 dd if=/dev/zero of="$DEV" bs=4k count=1 oflag=direct 2>&1); then
	die "a write succeeded with no hpsd"
fi
grep -q 'Input/output error' <<<"$err" || die "the write failed, but not with EIO: $err"
dmesg | grep -q 'no hpsd for 3 s' || die "the kernel log does not say why I/O failed"
log "no hpsd: read and write failed with EIO after about 3 s (read took ${t}s)"

echo 0 >"$TIMEOUT_PARAM"
t0=$(date +%s)
must_fail timeout 60 dd if="$DEV" of=/dev/null bs=4k count=1 iflag=direct
[ $(( $(date +%s) - t0 )) -le 5 ] || die "daemon_timeout 0 did not fail at once"
echo 30 >"$TIMEOUT_PARAM"
check_kernel "daemon_timeout"

# A new hpsd serves the volume again.
start_hpsd
must dd if="$DEV" of="$WORK/a.again" bs=64k count=128 iflag=direct status=none
must cmp "$WORK/a.bin" "$WORK/a.again"
must dd if="$DEV" of="$WORK/b.again" bs=64k skip=384 count=256 iflag=direct status=none
must cmp "$WORK/b.bin" "$WORK/b.again"
log "a new hpsd serves the volume again"

# --- SIGTERM mid-I/O ------------------------------------------------------------------------

# hpsd commits what the backend has in flight and lets go of the rest: the
# kernel queues it again and the next hpsd serves it.
head -c $((16 << 20)) /dev/urandom >"$WORK/c.bin"
dd if="$WORK/c.bin" of="$DEV" bs=4k seek=10240 oflag=direct conv=fsync status=none &
dd_pid=$!
sleep 2
kill -0 "$dd_pid" 2>/dev/null || die "the write finished before hpsd could be stopped; make it longer"
log "SIGTERM to hpsd (pid $hpsd_pid) during a 16 MiB write"
must kill -TERM "$hpsd_pid"
timeout 60 tail --pid="$hpsd_pid" -f /dev/null || die "hpsd did not exit within 60s of SIGTERM"
wait "$hpsd_pid" || die "hpsd exited non-zero after SIGTERM"
hpsd_pid=
kill -0 "$dd_pid" 2>/dev/null || die "the write ended while no hpsd was running"
start_hpsd
wait "$dd_pid" || die "the write failed across a SIGTERM and restart of hpsd"
must dd if="$DEV" of="$WORK/c.back" bs=64k skip=640 count=256 iflag=direct status=none
must cmp "$WORK/c.bin" "$WORK/c.back"
log "the write resumed after a clean stop and restart"
check_kernel "SIGTERM mid-I/O"

# --- clean stop, teardown ------------------------------------------------------------------

must kill -TERM "$hpsd_pid"
timeout 60 tail --pid="$hpsd_pid" -f /dev/null || die "hpsd did not exit within 60s of SIGTERM"
wait "$hpsd_pid" || die "hpsd exited non-zero after SIGTERM"
hpsd_pid=
grep -q 'channel: stopped' "$LOG" || die "hpsd's log does not say the channel stopped"
must dm_remove "$VOL"
must dm_remove hps-pool-0
# The channel must be released (fetches cancelled) for rmmod to work.
for _ in $(seq 50); do
	rmmod dm_hps 2>/dev/null && break
	sleep 0.2
done
[ ! -e /sys/module/dm_hps ] || die "dm_hps could not be unloaded after hpsd stopped"
must timeout 120 rbd rm --no-progress "$IMG"
check_kernel teardown
log "channel-passthrough: ok"
