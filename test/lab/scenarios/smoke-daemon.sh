#!/usr/bin/env bash
# lab: vms=1 ceph=no
# about: hpsd starts with dm-hps loaded, hpsctl status sees a compatible ABI, SIGTERM stops it cleanly
source "$HPS_SRC/test/lab/guest/lib.sh"

HPSD=$HPS_BUILD/daemon/hpsd
HPSCTL=$HPS_BUILD/tools/hpsctl/hpsctl
SOCK=/run/hps/hpsd.sock		# the default: hpsctl finds it without --socket
WORK=/tmp/hps-smoke-daemon
CONF=$WORK/hpsd.json
LOG=$LAB_OUT/hpsd.log
HDR=$HPS_SRC/kmod/include/uapi/linux/dm-hps.h

[ -x "$HPSD" ] || die "no hpsd at $HPSD (HPS_BUILD=$HPS_BUILD)"
[ -x "$HPSCTL" ] || die "no hpsctl at $HPSCTL"
[ -f "$HPS_KO" ] || die "no module at HPS_KO=$HPS_KO"

# json_get PATH...: prints the values at the dotted PATHs of the JSON on
# stdin, as JSON (true, 1, "text"), one per line.  One python3 for all of
# them: each start costs seconds in a TCG guest.
json_get() {
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
for path in sys.argv[1:]:
	value = doc
	for key in path.split("."):
		value = value[key]
	print(json.dumps(value))' "$@"
}

hpsd_pid=
# Whatever happens, stop hpsd and show its log: people read it in the run's output.
cleanup() {
	if [ -n "$hpsd_pid" ] && kill -0 "$hpsd_pid" 2>/dev/null; then
		kill -KILL "$hpsd_pid" 2>/dev/null || true
	fi
	if [ -f "$LOG" ]; then
		log "hpsd log:"
		sed 's/^/    /' "$LOG"
	fi
}
trap cleanup EXIT

# --- module --------------------------------------------------------------------

must hps_module_deps
must insmod "$HPS_KO"
want_abi=$(sed -n 's/^#define[[:space:]]*HPS_ABI_VERSION[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$HDR")
[ -n "$want_abi" ] || die "no HPS_ABI_VERSION in $HDR"
log "dm_hps loaded, abi_version $(cat /sys/module/dm_hps/parameters/abi_version)"

# --- start hpsd ----------------------------------------------------------------

mkdir -p "$WORK"
cat >"$CONF" <<JSON
{
  "node_name": "lab-vm${LAB_VM:-0}",
  "control_socket": "$SOCK",
  "state_dir": "$WORK/state",
  "log_level": "debug",
  "replication": {"transport": "tcp", "listen": "0.0.0.0:7790"}
}
JSON
must "$HPSD" --config "$CONF" --check-config
[ ! -e /run/hps ] || die "/run/hps exists before hpsd started"

# start_hpsd: start hpsd in the background and wait for its socket.
start_hpsd() {
	"$HPSD" --config "$CONF" >>"$LOG" 2>&1 &
	hpsd_pid=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && "$HPSCTL" status >/dev/null 2>&1 && break
		kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited while starting"
		sleep 0.1
	done
	[ -S "$SOCK" ] || die "hpsd did not create $SOCK within 10s"
	log "hpsd running, pid $hpsd_pid"
}
start_hpsd
expect_eq "$(stat -c %a /run/hps)" 700 "mode of /run/hps"
expect_eq "$(stat -c %a "$SOCK")" 600 "mode of $SOCK"

# --- status --------------------------------------------------------------------

log "hpsctl status:"
must "$HPSCTL" status
json=$("$HPSCTL" status --format json) || die "hpsctl status --format json failed"
fields=$(json_get node pid abi.module_loaded abi.daemon abi.kernel abi.compatible channel.attached <<<"$json") ||
	die "status --format json is not what was expected: $json"
{
	read -r node
	read -r pid
	read -r loaded
	read -r abi_daemon
	read -r abi_kernel
	read -r compatible
	read -r channel
} <<<"$fields"
expect_eq "$node" "\"lab-vm${LAB_VM:-0}\"" "node"
expect_eq "$pid" "$hpsd_pid" "pid"
expect_eq "$loaded" true "abi.module_loaded"
expect_eq "$abi_daemon" "$want_abi" "abi.daemon"
expect_eq "$abi_kernel" "$want_abi" "abi.kernel"
expect_eq "$compatible" true "abi.compatible"
expect_eq "$channel" true "channel.attached"
log "status --format json: module loaded, abi $want_abi on both sides, compatible, channel attached"

# The channel has one holder: anyone else is refused while hpsd holds it.
err=$(python3 -c 'import os; os.open("/dev/hps-channel", os.O_RDWR)' 2>&1) &&
	die "a second open of /dev/hps-channel succeeded"
grep -q 'Device or resource busy' <<<"$err" || die "second open of the channel: $err"
log "second open of /dev/hps-channel refused (EBUSY)"

# A second hpsd must refuse the live socket and leave the first one alone.
rc=0
"$HPSD" --config "$CONF" 2>"$WORK/second.err" || rc=$?
expect_eq "$rc" 1 "exit code of a second hpsd"
log "second hpsd refused: $(cat "$WORK/second.err")"
must "$HPSCTL" status --format json >/dev/null

# --- killed and restarted: the new hpsd attaches again --------------------------

must kill -KILL "$hpsd_pid"
wait "$hpsd_pid" 2>/dev/null || true
start_hpsd
json=$("$HPSCTL" status --format json) || die "status after restart failed"
expect_eq "$(json_get channel.attached <<<"$json")" true "channel.attached after restart"
dmesg | grep -q 'channel: hpsd (pid [0-9]*) detached' || die "the kernel did not see hpsd detach"
expect_eq "$(dmesg | grep -c 'channel: hpsd (pid [0-9]*) attached')" 2 "attaches in the kernel log"
log "hpsd killed with SIGKILL and restarted: channel attached again"

# --- stop ----------------------------------------------------------------------

must kill -TERM "$hpsd_pid"
for _ in $(seq 100); do
	kill -0 "$hpsd_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$hpsd_pid" 2>/dev/null && die "hpsd still running 10s after SIGTERM"
rc=0
wait "$hpsd_pid" || rc=$?
hpsd_pid=
expect_eq "$rc" 0 "hpsd exit code after SIGTERM"
[ ! -e "$SOCK" ] || die "$SOCK still exists after hpsd stopped"
grep -q 'received SIGTERM, shutting down' "$LOG" || die "hpsd did not log the SIGTERM"

rc=0
"$HPSCTL" status 2>"$WORK/ctl.err" || rc=$?
expect_eq "$rc" 11 "hpsctl exit code with hpsd stopped"
log "hpsctl with hpsd stopped: $(cat "$WORK/ctl.err")"

must rmmod dm_hps
[ ! -e /sys/module/dm_hps ] || die "dm_hps still loaded after rmmod"
log "smoke-daemon: ok"
