# hpsd in a lab VM: config, start, stop, kill, hpsctl.  Sourced by
# scenarios after lib.sh.  Uses the whole NVMe disk as the cache disk (one
# pool, id 0) and the run's Ceph.
#
#   hpsd_setup            module loaded, blank disk, config written
#   hpsd_start / hpsd_stop / hpsd_kill
#   ctl ARGS...           hpsctl with a generous timeout (TCG guests are slow)
#   json_get PATH...      values at dotted paths of the JSON on stdin
#   vol_field NAME N      field N of the volume's dm status (FORMAT.md)
#   wait_clean NAME SECS  wait until the volume has no dirty block

HPSD=$HPS_BUILD/daemon/hpsd
HPSCTL=$HPS_BUILD/tools/hpsctl/hpsctl
HPSD_WORK=/tmp/hpsd-lab
HPSD_SOCK=/run/hps/hpsd.sock
HPSD_CONF=$HPSD_WORK/hpsd.json
HPSD_STATE=$HPSD_WORK/state
HPSD_LOG=$LAB_OUT/hpsd.log
export HPS_SOCKET=$HPSD_SOCK
hpsd_pid=

ctl() { "$HPSCTL" --timeout 120 "$@"; }

json_get() {
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
for path in sys.argv[1:]:
	value = doc
	for key in path.split("."):
		value = value[int(key)] if isinstance(value, list) else value[key]
	print(value if isinstance(value, str) else json.dumps(value))' "$@"
}

# hpsd_setup [EXTRA_JSON]: EXTRA_JSON is added to the config's top level,
# e.g. '"flush_bandwidth_mbps": 8'.
hpsd_setup() {
	[ -x "$HPSD" ] || die "no hpsd at $HPSD"
	[ -n "${LAB_CEPH_CONF:-}" ] || die "the scenario needs ceph=yes"
	must hps_module_deps
	must insmod "$HPS_KO"
	must ceph_answers
	mkdir -p "$HPSD_WORK"
	must dd if=/dev/zero of="$LAB_NVME" bs=1M count=2 oflag=direct status=none
	cat >"$HPSD_CONF" <<JSON
{
  "node_name": "lab-vm${LAB_VM:-0}",
  "control_socket": "$HPSD_SOCK",
  "state_dir": "$HPSD_STATE",
  "log_level": "info",
  "ceph": {"conf": "$LAB_CEPH_CONF", "pool": "rbd", "client": "admin"},
  "cache_disks": ["$LAB_NVME"]${1:+,
  $1}
}
JSON
	must "$HPSD" --config "$HPSD_CONF" --check-config
	trap hpsd_exit_trap EXIT
}

hpsd_exit_trap() {
	local rc=$?
	[ -n "$hpsd_pid" ] && kill -KILL "$hpsd_pid" 2>/dev/null || true
	if [ $rc != 0 ] && [ -f "$HPSD_LOG" ]; then
		echo "--- last lines of the hpsd log ($HPSD_LOG):"
		tail -n 40 "$HPSD_LOG"
	fi
}

hpsd_start() {
	"$HPSD" --config "$HPSD_CONF" >>"$HPSD_LOG" 2>&1 &
	hpsd_pid=$!
	local i
	for i in $(seq 600); do
		[ -S "$HPSD_SOCK" ] && "$HPSCTL" status >/dev/null 2>&1 && break
		kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited while starting"
		sleep 0.2
	done
	"$HPSCTL" status >/dev/null 2>&1 || die "hpsd did not answer within 120 s"
	log "hpsd running, pid $hpsd_pid"
}

hpsd_stop() {
	must kill -TERM "$hpsd_pid"
	wait "$hpsd_pid" || die "hpsd exited non-zero after SIGTERM"
	hpsd_pid=
}

hpsd_kill() {
	kill -KILL "$hpsd_pid" 2>/dev/null || true
	wait "$hpsd_pid" 2>/dev/null || true	# 137: killed, as meant
	hpsd_pid=
}

# Volume dm status fields after "<start> <len> hps": 1 role 2 mode 3 id
# 4 cached 5 dirty 6 read_hits 7 read_misses 8 writes 9 write_through
# 10 flushes 11 discards 12 errors 13 state.
vol_field() { dmsetup status "hps-$1" | awk -v f="$2" '{ print $(f + 3) }'; }

wait_clean() {
	local name=$1 secs=$2 end=$((SECONDS + $2)) d
	while :; do
		d=$(vol_field "$name" 5)
		[ "$d" = 0 ] && return 0
		[ $SECONDS -lt $end ] || die "volume $name still has $d dirty blocks after ${secs}s"
		sleep 1
	done
}
