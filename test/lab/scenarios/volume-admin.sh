#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1200
# about: hpsd pools and volumes: pool formatted then adopted, hpsctl volume create/list/show/delete, bad input changes nothing, registry survives restarts
source "$HPS_SRC/test/lab/guest/lib.sh"

HPSD=$HPS_BUILD/daemon/hpsd
HPSCTL=$HPS_BUILD/tools/hpsctl/hpsctl
SOCK=/run/hps/hpsd.sock
WORK=/tmp/hps-volume-admin
STATE=$WORK/state
CONF=$WORK/hpsd.json
LOG=$LAB_OUT/hpsd.log
NV=$LAB_NVME
VOL=va-$RANDOM			# the RBD pool may hold images of earlier runs
export HPS_SOCKET=$SOCK

[ -x "$HPSD" ] || die "no hpsd at $HPSD"
[ -f "$HPS_KO" ] || die "no module at HPS_KO=$HPS_KO"
[ -n "${LAB_CEPH_CONF:-}" ] || die "runner gave no LAB_CEPH_CONF"

# Every hpsctl call may wait on Ceph; TCG guests are slow.
ctl() { "$HPSCTL" --timeout 120 "$@"; }

# json_get PATH... < JSON: the values at dotted paths (list indexes allowed).
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

hpsd_pid=
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

start_hpsd() {
	"$HPSD" --config "$CONF" >>"$LOG" 2>&1 &
	hpsd_pid=$!
	for _ in $(seq 600); do
		[ -S "$SOCK" ] && "$HPSCTL" status >/dev/null 2>&1 && break
		kill -0 "$hpsd_pid" 2>/dev/null || die "hpsd exited while starting"
		sleep 0.2
	done
	"$HPSCTL" status >/dev/null 2>&1 || die "hpsd did not answer within 120s"
	log "hpsd running, pid $hpsd_pid"
}
stop_hpsd() {
	must kill -TERM "$hpsd_pid"
	wait "$hpsd_pid" || die "hpsd exited non-zero after SIGTERM"
	hpsd_pid=
}

# fails RC WANT_TEXT CMD...: CMD must exit RC with one line on stderr
# containing WANT_TEXT, nothing on stdout.
fails() {
	local want_rc=$1 want=$2 rc=0 out err
	shift 2
	out=$("$@" 2>"$WORK/err") || rc=$?
	err=$(cat "$WORK/err")
	expect_eq "$rc" "$want_rc" "exit code of: $*"
	[ -z "$out" ] || die "stdout of failing '$*': $out"
	expect_eq "$(wc -l <"$WORK/err")" 1 "stderr lines of '$*' ($err)"
	grep -qF -- "$want" <<<"$err" || die "error of '$*' does not say '$want': $err"
	log "refused ($rc): $err"
}

# The state that bad input must not change.
snapshot() {
	{
		cat "$STATE/volumes.json" 2>/dev/null || echo "no registry"
		dmsetup ls | sort
		rbd ls | sort
	} >"$WORK/snap.$1"
}
same_state() {
	snapshot after
	cmp -s "$WORK/snap.before" "$WORK/snap.after" || {
		diff "$WORK/snap.before" "$WORK/snap.after" >&2
		die "state changed after bad input"
	}
}

# --- setup ---------------------------------------------------------------------

must hps_module_deps
must insmod "$HPS_KO"
must ceph_answers
mkdir -p "$WORK"
# A blank cache disk: the first start must format it.
must dd if=/dev/zero of="$NV" bs=1M count=1 oflag=direct status=none
cat >"$CONF" <<JSON
{
  "node_name": "lab-vm${LAB_VM:-0}",
  "control_socket": "$SOCK",
  "state_dir": "$STATE",
  "log_level": "debug",
  "ceph": {"conf": "$LAB_CEPH_CONF", "pool": "rbd", "client": "admin"},
  "cache_disks": ["$NV"]
}
JSON
must "$HPSD" --config "$CONF" --check-config

# --- pools: formatted on first start, adopted on restart -------------------------

start_hpsd
grep -q "pool 0 on $NV: formatted" "$LOG" || die "hpsd did not format pool 0 on first start"
log "hpsctl pool list:"
must ctl pool list
json=$(ctl pool list --format json) || die "pool list --format json failed"
python3 -m json.tool <<<"$json" >/dev/null || die "pool list --format json is not JSON"
fields=$(json_get pools.0.uuid pools.0.active pools.0.total_blocks <<<"$json") || die "pool list json: $json"
{
	read -r u1
	read -r active
	read -r total
} <<<"$fields"
expect_eq "$active" true "pool 0 active"
[[ $u1 =~ ^[0-9a-f-]{36}$ ]] || die "pool uuid '$u1'"
[ "$total" -gt 0 ] || die "pool total_blocks '$total'"
expect_eq "$(dmsetup status hps-pool-0 | awk '{print $9}')" "$u1" "uuid in dmsetup status"
must ctl pool show 0
ctl pool show 0 --format json | python3 -m json.tool >/dev/null || die "pool show json"

stop_hpsd
start_hpsd
grep -q "pool 0 on $NV: adopted" "$LOG" || die "restarted hpsd did not adopt the live pool"
expect_eq "$(ctl pool show 0 --format json | json_get uuid)" "$u1" "uuid after adopting"

# And after the pool device is gone (node reboot): loaded, not formatted.
stop_hpsd
must dmsetup remove --noudevsync hps-pool-0
start_hpsd
grep -q "pool 0 on $NV: loaded" "$LOG" || die "hpsd did not load the existing pool"
expect_eq "$(ctl pool show 0 --format json | json_get uuid)" "$u1" "uuid after reloading"
log "pool 0: formatted once (uuid $u1), adopted and reloaded with the same uuid"

# --- volume create / list / show --------------------------------------------------

log "create volume $VOL"
out=$(ctl volume create "$VOL" --size 64M) || die "volume create failed"
log "$out"
# Ids are cluster-wide: other scenarios sharing this Ceph hold some, so take ours from the answer.
[[ $out =~ ^created\ volume\ $VOL:\ id\ ([0-9]+),\ pool\ 0,\ 64\ MiB ]] || die "create said: $out"
ID=${BASH_REMATCH[1]}
[ -b "/dev/mapper/hps-$VOL" ] || die "no /dev/mapper/hps-$VOL"
expect_eq "$(dmsetup table "hps-$VOL" | awk '{print $1, $2, $3, $5, $6}')" \
	"0 131072 hps $ID standalone" "table of hps-$VOL"
expect_eq "$(rbd info --format json "$VOL" | json_get size)" $((64 << 20)) "RBD image size"
expect_eq "$(blockdev --getsize64 "/dev/mapper/hps-$VOL")" $((64 << 20)) "device size"

out=$(ctl volume create "$VOL" --size 65536K) || die "idempotent create failed"
grep -q "exists already with this size" <<<"$out" || die "idempotent create said: $out"
log "again: $out"

log "hpsctl volume list / show:"
must ctl volume list
must ctl volume show "$VOL"
json=$(ctl volume list --format json) || die "volume list json"
python3 -m json.tool <<<"$json" >/dev/null || die "volume list --format json is not JSON"
expect_eq "$(json_get volumes.0.name volumes.0.id volumes.0.present <<<"$json" | tr '\n' ' ')" \
	"$VOL $ID true " "volume list json"
json=$(ctl volume show "$VOL" --format json) || die "volume show json"
python3 -m json.tool <<<"$json" >/dev/null || die "volume show --format json is not JSON"
expect_eq "$(json_get size_bytes status.role status.volume_id <<<"$json" | tr '\n' ' ')" \
	"$((64 << 20)) standalone $ID " "volume show json"
ctl volume create "$VOL" --size 64M --format json | python3 -m json.tool >/dev/null ||
	die "volume create --format json"

# --- bad input: one line, non-zero exit, nothing changes --------------------------

snapshot before
fails 2 '"10X"' ctl volume create bad1 --size 10X
fails 2 'multiple of 4096' ctl volume create bad1 --size 1000
fails 2 '65535 GiB' ctl volume create bad1 --size 70000G
fails 2 'name "bad/name"' ctl volume create bad/name --size 64M
fails 2 'name "pool-1"' ctl volume create pool-1 --size 64M
fails 2 "1..63" ctl volume create "$(printf 'x%.0s' $(seq 64))" --size 64M
fails 3 'no pool 9' ctl volume create bad1 --size 64M --pool 9
fails 5 "exists with size 64 MiB" ctl volume create "$VOL" --size 128M
fails 3 'no volume "nosuch"' ctl volume delete nosuch
fails 3 'no volume "nosuch"' ctl volume show nosuch
fails 3 'no pool 9' ctl pool show 9
fails 2 '--size is required' ctl volume create bad1
fails 2 '--force is not an option of "volume create"' ctl volume create bad1 --size 64M --force
same_state
log "bad input refused, registry, dm devices and RBD images unchanged"

# --- restart: registry survives; a device removed behind hpsd's back comes back ---

stop_hpsd
grep -q "\"name\":\"$VOL\"" "$STATE/volumes.json" || die "registry lost $VOL"
start_hpsd
grep -q "volume $VOL (id $ID): adopted" "$LOG" || die "restarted hpsd did not adopt hps-$VOL"
stop_hpsd
must dmsetup remove --noudevsync "hps-$VOL"
rm -f "/dev/mapper/hps-$VOL"
start_hpsd
grep -q "volume $VOL (id $ID): created" "$LOG" || die "hpsd did not re-create hps-$VOL"
[ -b "/dev/mapper/hps-$VOL" ] || die "no /dev/mapper/hps-$VOL after restart"
expect_eq "$(ctl volume show "$VOL" --format json | json_get id present)" "$ID
true" "volume after re-creation"
log "registry survived restarts; removed device re-created"

# --- a second volume gets another id; delete ---------------------------------------

must ctl volume create "$VOL-b" --size 4M --pool 0
ID_B=$(ctl volume show "$VOL-b" --format json | json_get id) || die "volume show $VOL-b"
[ "$ID_B" != "$ID" ] || die "$VOL-b got $VOL's id $ID"

# An open device cannot be deleted.
exec 7<"/dev/mapper/hps-$VOL-b"
fails 5 "is in use" ctl volume delete "$VOL-b"
exec 7<&-

out=$(ctl volume delete "$VOL-b" --delete-image) || die "delete $VOL-b failed"
log "$out"
grep -q "RBD image $VOL-b removed" <<<"$out" || die "delete said: $out"
rbd info "$VOL-b" >/dev/null 2>&1 && die "RBD image $VOL-b still exists"

out=$(ctl volume delete "$VOL") || die "delete $VOL failed"
log "$out"
grep -q "RBD image $VOL kept" <<<"$out" || die "delete said: $out"
dmsetup info "hps-$VOL" >/dev/null 2>&1 && die "hps-$VOL still exists"
[ ! -e "/dev/mapper/hps-$VOL" ] || die "/dev/mapper/hps-$VOL still exists"
rbd info "$VOL" >/dev/null || die "RBD image $VOL was not kept"
expect_eq "$(ctl volume list --format json | json_get volumes)" "[]" "volumes after delete"
fails 3 "no volume \"$VOL\"" ctl volume delete "$VOL"

# Re-creating over the kept image uses it and gets the id the image remembers
# (its NQN/IQN stay the same for the compute hosts).
out=$(ctl volume create "$VOL" --size 64M) || die "re-create failed"
grep -q "id $ID, .*existing RBD image" <<<"$out" || die "re-create said: $out"
must ctl volume delete "$VOL" --delete-image

stop_hpsd
must dmsetup remove --noudevsync hps-pool-0
check_kernel "volume-admin"
must rmmod dm_hps
log "volume-admin: ok"
