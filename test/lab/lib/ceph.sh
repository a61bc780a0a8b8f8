# A real one-node Ceph for the lab: one mon, one mgr and one memstore OSD,
# started inside the run's namespace and bound to the bridge address, so VMs
# reach it at the address the maps advertise.  No auth (lab only).  Sourced.
#
# Needs: LAB_NS, LAB_SCRATCH.  Sets LAB_CEPH_DIR; the cluster's conf is
# $LAB_CEPH_DIR/ceph.conf (host side) and lab_ceph_client_conf writes the
# one VMs use.

LAB_CEPH_MEMSTORE_BYTES=${LAB_CEPH_MEMSTORE_BYTES:-$((3 << 30))}

lab_ceph_in_ns() { ip netns exec "$LAB_NS" "$@"; }
lab_ceph() { lab_ceph_in_ns ceph -c "$LAB_CEPH_DIR/ceph.conf" "$@"; }

# lab_ceph_start: returns when the OSD is up and pool "rbd" is ready.
lab_ceph_start() {
	LAB_CEPH_DIR=$LAB_SCRATCH/ceph
	local d=$LAB_CEPH_DIR conf fsid
	conf=$d/ceph.conf
	mkdir -p "$d"/{run,log,mon/ceph-a,osd/ceph-0,mgr/ceph-x}
	fsid=$(cat /proc/sys/kernel/random/uuid)
	cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = [v2:$LAB_BRIDGE_IP:3300,v1:$LAB_BRIDGE_IP:6789]
public network = $LAB_NET_PREFIX.0/24
auth cluster required = none
auth service required = none
auth client required = none
mon warn on insecure global id reclaim allowed = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = $LAB_CEPH_MEMSTORE_BYTES
osd crush chooseleaf type = 0
client mount timeout = 30
rados mon op timeout = 60
run dir = $d/run
admin socket = $d/run/\$cluster-\$name.asok
log file = $d/log/\$cluster-\$name.log
pid file = $d/run/\$cluster-\$name.pid
mon data = $d/mon/\$cluster-\$id
osd data = $d/osd/\$cluster-\$id
mgr data = $d/mgr/\$cluster-\$id
keyring = $d/keyring
CONF
	# With auth off the keyring is only a placeholder the tools insist on.
	printf '[mon.]\n\tkey = AQAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAA==\n\tcaps mon = "allow *"\n' >"$d/keyring"
	monmaptool --create --fsid "$fsid" --addv a "[v2:$LAB_BRIDGE_IP:3300,v1:$LAB_BRIDGE_IP:6789]" \
		"$d/monmap" >/dev/null || return 1
	lab_ceph_in_ns ceph-mon -c "$conf" --mkfs -i a --monmap "$d/monmap" >"$d/log/mkfs-mon.log" 2>&1 || return 1
	lab_ceph_in_ns ceph-mon -c "$conf" -i a 2>>"$d/log/start.log" || return 1
	lab_ceph osd create >/dev/null || return 1
	lab_ceph_in_ns ceph-osd -c "$conf" -i 0 --mkfs >"$d/log/mkfs-osd.log" 2>&1 || return 1
	lab_ceph_in_ns ceph-osd -c "$conf" -i 0 2>>"$d/log/start.log" || return 1
	lab_ceph_in_ns ceph-mgr -c "$conf" -i x 2>>"$d/log/start.log" || return 1
	local deadline=$((SECONDS + 90))
	until lab_ceph osd stat 2>/dev/null | grep -q '1 up'; do
		[ $SECONDS -lt $deadline ] || { lab_log "ceph: osd.0 did not come up"; return 1; }
		sleep 0.5
	done
	lab_ceph osd pool create rbd 8 >/dev/null 2>&1 || return 1
	lab_ceph_in_ns rbd -c "$conf" pool init rbd || return 1
}

# lab_ceph_client_conf PATH: a conf for clients inside VMs (no host paths).
lab_ceph_client_conf() {
	cat >"$1" <<CONF
[global]
mon host = [v2:$LAB_BRIDGE_IP:3300,v1:$LAB_BRIDGE_IP:6789]
auth cluster required = none
auth service required = none
auth client required = none
keyring = /dev/null
client mount timeout = 30
admin socket =
log file = /dev/null
CONF
}

# lab_ceph_stop: stop the daemons (the namespace teardown kills leftovers).
lab_ceph_stop() {
	[ -n "${LAB_CEPH_DIR:-}" ] || return 0
	local pidf
	for pidf in "$LAB_CEPH_DIR"/run/*.pid; do
		[ -e "$pidf" ] && kill -9 "$(cat "$pidf")" 2>/dev/null
	done
	return 0
}
