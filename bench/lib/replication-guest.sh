# Guest side of bench/scenarios/replication.sh: sourced inside a lab VM
# (after test/lab/guest/lib.sh and repl.sh) by each of the scenario's
# vm_run texts.  Every step is its own shell, so state lives in files.
#
#   prefill                               write the whole NVMe disk once
#   cpu_sample RUNTIME NAME               CPU use during a fio job -> $LAB_OUT/NAME-cpu.txt
#   bench_fio LABEL DEV QD RUNTIME SIZE   4K randwrite QD QD on DEV -> $LAB_OUT/LABEL-qdQD.json
#   drbd_setup PEER PEER_IP SECTORS       drbd module, resource "bench" on a slice, up
#   drbd_wait cstate|dstate WANT SECS     until the state is WANT
#   drbd_cstate / drbd_dstate             the resource's connection / disk state
#   drbd_down                             down, slice removed
#   hps_transport T                       rewrite hpsd.json's replication transport
#   rxe_up                                soft-RoCE (rxe0) on eth0

DRBD_CONF=/tmp/bench-drbd/drbd.conf
DRBD_RES=bench
DRBD_SLICE=bench-drbd
DRBD_PORT=7789

# prefill: write the whole NVMe disk once (QEMU's image is a sparse file).
prefill() {
	local mib
	mib=$(($(blockdev --getsize64 "$LAB_NVME") >> 20))
	must dd if=/dev/zero of="$LAB_NVME" bs=1M count="$mib" oflag=direct status=none
}

bench_fio() {
	local label=$1 dev=$2 qd=$3 runtime=$4 size=$5
	must fio --name="$label-qd$qd" --filename="$dev" --direct=1 --ioengine=libaio \
		--rw=randwrite --bs=4k --iodepth="$qd" --size="$size" \
		--time_based --runtime="$runtime" --ramp_time=2 \
		--group_reporting --output-format=json --output="$LAB_OUT/$label-qd$qd.json"
}

# cpu_snap: "busy total hpsd drbd" in clock ticks (USER_HZ): the VM's
# non-idle and total CPU time from /proc/stat, and the CPU time of hpsd
# (all its threads) and of DRBD's kernel threads (drbd_w_, drbd_r_,
# drbd_a_...).
cpu_snap() {
	local u n s i w q sq st busy hp=0 dr=0 p t
	read -r _ u n s i w q sq st _ </proc/stat
	busy=$((u + n + s + q + sq + st))
	for p in $(pgrep -x hpsd || true); do
		t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) && hp=$((hp + t))
	done
	for p in $(pgrep '^drbd_' || true); do
		t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) && dr=$((dr + t))
	done
	echo "$busy $((busy + i + w)) $hp $dr"
}

# cpu_sample RUNTIME NAME: CPU use inside a fio job of RUNTIME s started
# now (after its 2 s ramp and fio's start-up, to 1 s before its end) ->
# $LAB_OUT/NAME-cpu.txt: "seconds  busy total hpsd drbd" (tick deltas).
cpu_sample() {
	local secs=$(($1 - 2)) a b t0 t1
	[ "$secs" -ge 1 ] || secs=1
	sleep 3
	t0=$(date +%s.%N)
	a=$(cpu_snap)
	sleep "$secs"
	b=$(cpu_snap)
	t1=$(date +%s.%N)
	python3 -c '
import sys
a = [int(x) for x in sys.argv[1].split()]
b = [int(x) for x in sys.argv[2].split()]
print(round(float(sys.argv[4]) - float(sys.argv[3]), 3), *[y - x for x, y in zip(a, b)])' \
		"$a" "$b" "$t0" "$t1" >"$LAB_OUT/$2-cpu.txt"
}

# drbd_setup PEER_NAME PEER_IP SECTORS: DRBD 8.4 (the kernel's module; the
# 9.x drbdadm hands it to /usr/lib/drbd/drbdadm-84) on a linear slice of the
# first SECTORS of the NVMe disk, internal metadata, protocol C, the
# defaults otherwise.  The config lives under /tmp: /etc is the host's,
# read-only.  Host names are the VMs' own (vmN, from the kernel command line).
drbd_setup() {
	local peer=$1 peer_ip=$2 sectors=$3 me my_ip
	me=$(uname -n)
	my_ip=$(ip -4 -o addr show dev eth0 | awk '{ print $4 }' | cut -d/ -f1 | head -n1)
	must modprobe drbd
	must dm_create "$DRBD_SLICE" "0 $sectors linear $LAB_NVME 0"
	# drbdmeta locks /var/lock/drbd-147-MINOR, drbdadm keeps state in
	# /var/run/drbd: the VM's /var is a bare tmpfs (no /run symlinks).
	mkdir -p "$(dirname "$DRBD_CONF")" /var/lib/drbd /var/lock /var/run/drbd
	cat >"$DRBD_CONF" <<EOF
global { usage-count no; }
resource $DRBD_RES {
	net { protocol C; }
	device minor 0;
	disk /dev/mapper/$DRBD_SLICE;
	meta-disk internal;
	on $me { address $my_ip:$DRBD_PORT; }
	on $peer { address $peer_ip:$DRBD_PORT; }
}
EOF
	must drbdadm -c "$DRBD_CONF" -- --force create-md "$DRBD_RES"
	must drbdadm -c "$DRBD_CONF" up "$DRBD_RES"
	[ -b /dev/drbd0 ] || die "no /dev/drbd0 after drbdadm up"
}

drbd_cstate() { drbdadm -c "$DRBD_CONF" cstate "$DRBD_RES"; }
drbd_dstate() { drbdadm -c "$DRBD_CONF" dstate "$DRBD_RES"; }

# drbd_wait WHAT WANT SECS: until drbd_WHAT prints WANT.
drbd_wait() {
	local what=$1 want=$2 end=$((SECONDS + $3)) got=
	while [ $SECONDS -lt $end ]; do
		got=$("drbd_$what" 2>/dev/null) || got=
		[ "$got" = "$want" ] && return 0
		sleep 0.5
	done
	cat /proc/drbd || true
	die "drbd $what is '$got' after $3 s, not $want"
}

drbd_down() {
	must drbdadm -c "$DRBD_CONF" down "$DRBD_RES"
	must dm_remove "$DRBD_SLICE"
}

# hps_transport tcp|rdma: the replication transport of this VM's hpsd.json;
# with rdma hpsd listens on eth0's address (the one rxe0 sits on), not
# 0.0.0.0.  Takes effect at the next repl_start.
hps_transport() {
	local t=$1 listen=0.0.0.0
	[ "$t" = rdma ] && listen=$(ip -4 -o addr show dev eth0 | awk '{ print $4 }' | cut -d/ -f1 | head -n1)
	python3 - "$HPSD_CONF" "$t" "$listen:7790" <<'PY' || die "cannot rewrite $HPSD_CONF"
import json, sys
path, transport, listen = sys.argv[1:4]
conf = json.load(open(path))
conf["replication"]["transport"] = transport
conf["replication"]["listen"] = listen
json.dump(conf, open(path, "w"), indent=2)
PY
	must "$HPSD" --config "$HPSD_CONF" --check-config
}

# rxe_up: soft-RoCE on eth0 (as repl-rdma-link does).
rxe_up() {
	must modprobe -a rdma_rxe ib_uverbs rdma_ucm
	rdma link show rxe0 >/dev/null 2>&1 || must rdma link add rxe0 type rxe netdev eth0
	ibv_devices | grep -qw rxe0 || die "ibv_devices does not list rxe0"
}
