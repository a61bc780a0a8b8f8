# The lab network: one namespace per run, a bridge in it at $LAB_BRIDGE_IP
# and one tap per VM.  Everything the lab starts (QEMU, Ceph) runs inside the
# namespace, so two runs never collide and nothing leaves it.  Sourced.

# lab_net_up NS
lab_net_up() {
	local ns=$1
	ip netns add "$ns" || lab_die "cannot create network namespace $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" addr add "$LAB_BRIDGE_IP/24" dev br0
	ip -n "$ns" link set br0 up
}

# lab_net_tap NS IDX: a tap for VM IDX on the bridge.
lab_net_tap() {
	local ns=$1 tap=tap$2
	ip -n "$ns" link show "$tap" >/dev/null 2>&1 && return 0
	ip -n "$ns" tuntap add dev "$tap" mode tap
	ip -n "$ns" link set "$tap" master br0
	ip -n "$ns" link set "$tap" up
}

# lab_net_down NS: kill whatever still runs in it, then delete it.
lab_net_down() {
	local ns=$1 pids
	ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
		sleep 0.1
	done
	ip netns del "$ns"
}
