# A replication node in a lab VM, for control=host scenarios: each step is
# one vm_run, so hpsd runs detached (setsid) with its pid in a file, and the
# state lives in files, not shell variables.  Sourced after lib.sh; uses
# hpsd.sh's paths, ctl and json_get.
#
#   repl_setup PEER_NODE PEER_IP [EXTRA_JSON]  module, blank disk, secret, config
#   repl_resume                                after vm_boot: module, secret and
#                                              config again, the disk and the state
#                                              kept (like a real node's reboot)
#   repl_start / repl_stop / repl_kill         hpsd of this VM
#   replica_field NAME KEY                     a key of volume NAME's "replica"
#   wait_replica NAME STATE SECS               until replica.state is STATE
#   repl_link up|down                          this VM's lab link (eth0)
#
# Every VM is node lab-vmN and listens on 7790; all share one cluster id and
# secret.  REPL_TRANSPORT (tcp, the default, or rdma) is the config's
# replication.transport; with rdma, repl_setup first puts soft-RoCE (rxe0)
# on eth0.  hpsd's state (the volume registry) lives on the VM's share,
# which outlives a power-off like a real node's /var/lib/hps.

source "$HPS_SRC/test/lab/guest/hpsd.sh"

HPSD_STATE=$LAB_OUT/hpsd-state
REPL_ARGS=$LAB_OUT/repl-setup.args

REPL_CLUSTER_ID=6f1c9a52-3b7e-4d2a-9c41-2f8e5d7a0b13
REPL_SECRET=$HPSD_WORK/cluster.secret
REPL_PID=$HPSD_WORK/hpsd.pid

repl_setup() {
	must dd if=/dev/zero of="$LAB_NVME" bs=1M count=2 oflag=direct status=none
	rm -rf "$HPSD_STATE"
	printf '%s\n' "$@" >"$REPL_ARGS"
	repl_configure "$@"
}

repl_resume() {
	local args=()
	mapfile -t args <"$REPL_ARGS"
	repl_configure "${args[@]}"
}

repl_configure() {
	local peer=$1 peer_ip=$2 extra=${3:-}
	[ "${REPL_TRANSPORT:-tcp}" = tcp ] || repl_rxe
	must hps_module_deps
	must insmod "$HPS_KO"
	must ceph_answers
	mkdir -p "$HPSD_WORK"
	printf 'hps-lab-cluster-secret-0123456789abcdef' >"$REPL_SECRET"
	chmod 600 "$REPL_SECRET"
	cat >"$HPSD_CONF" <<JSON
{
  "node_name": "lab-vm$LAB_VM",
  "control_socket": "$HPSD_SOCK",
  "state_dir": "$HPSD_STATE",
  "log_level": "info",
  "ceph": {"conf": "$LAB_CEPH_CONF", "pool": "rbd", "client": "admin"},
  "cache_disks": ["$LAB_NVME"],
  "replication": {
    "transport": "${REPL_TRANSPORT:-tcp}",
    "listen": "0.0.0.0:7790",
    "cluster_id": "$REPL_CLUSTER_ID",
    "secret_file": "$REPL_SECRET",
    "keepalive_ms": 1000,
    "peer_timeout_ms": 10000,
    "peers": [{"node": "$peer", "address": "$peer_ip:7790"}]
  }${extra:+,
  $extra}
}
JSON
	must "$HPSD" --config "$HPSD_CONF" --check-config
}

# rdma_rxe on eth0; ib_uverbs and rdma_ucm are what libibverbs and
# librdmacm open.
repl_rxe() {
	must modprobe -a rdma_rxe ib_uverbs rdma_ucm
	rdma link show | grep -qw rxe0 || must rdma link add rxe0 type rxe netdev eth0
	ibv_devices 2>&1 | grep -qw rxe0 || die "ibv_devices does not list rxe0: $(ibv_devices 2>&1)"
	log "soft-RoCE: $(rdma link show | grep -w rxe0)"
}

repl_link() {
	must ip link set eth0 "$1"
	log "eth0 $1"
}

repl_start() {
	setsid "$HPSD" --config "$HPSD_CONF" >>"$HPSD_LOG" 2>&1 </dev/null &
	echo $! >"$REPL_PID"
	local i
	for i in $(seq 600); do
		[ -S "$HPSD_SOCK" ] && "$HPSCTL" status >/dev/null 2>&1 && break
		kill -0 "$(cat "$REPL_PID")" 2>/dev/null || die "hpsd exited while starting"
		sleep 0.2
	done
	"$HPSCTL" status >/dev/null 2>&1 || die "hpsd did not answer within 120 s"
	log "hpsd running on lab-vm$LAB_VM, pid $(cat "$REPL_PID")"
}

repl_stop() {
	local pid
	pid=$(cat "$REPL_PID")
	must kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	rm -f "$REPL_PID"
}

repl_kill() {
	kill -KILL "$(cat "$REPL_PID")" 2>/dev/null || true
	sleep 0.5
	rm -f "$REPL_PID"
}

replica_field() {
	ctl --format json volume show "$1" | json_get "replica.$2"
}

wait_replica() {
	local name=$1 want=$2 end=$((SECONDS + $3)) state=
	while [ $SECONDS -lt $end ]; do
		state=$(replica_field "$name" state 2>/dev/null) || state=
		[ "$state" = "$want" ] && return 0
		sleep 0.2
	done
	ctl volume show "$name" || true
	tail -n 30 "$HPSD_LOG" || true
	die "volume $name: replica state '$state' after $3 s, not $want"
}
