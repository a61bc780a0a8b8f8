# Guest side of bench/scenarios/export.sh: sourced inside a lab VM (after
# test/lab/guest/lib.sh) by the scenario's vm_run texts.  Every step is its
# own shell, so state lives in files and configfs.
#
#   disk_fill                          write the whole NVMe disk once
#   raw_export NQN ADDR PORT_ID SVC DEV  a hand-made nvmet subsystem NQN
#                                      exporting DEV over TCP on ADDR:SVC
#   raw_unexport NQN PORT_ID           and away again
#   ns_wait NQN SECS                   (compute) the block device of NQN's
#                                      namespace, once it shows
#   bench_prefill DEV SIZE             write the first SIZE of DEV once
#   bench_job LABEL RW DEV SIZE RUNTIME QD  4K RW on DEV -> $LAB_OUT/LABEL-RW.json
#   krbd_map IMAGE SIZE                (compute) create IMAGE, map it, print /dev/rbdN

NVMET=/sys/kernel/config/nvmet

# disk_fill: write the whole NVMe disk once, so that no case pays for the
# host's sparse-file allocation (QEMU's image) and all see the same media.
disk_fill() {
	local mib
	mib=$(($(blockdev --getsize64 "$LAB_NVME") >> 20))
	must dd if=/dev/zero of="$LAB_NVME" bs=1M count="$mib" oflag=direct status=none
}

# raw_export NQN ADDR PORT_ID SVC DEV: the baseline made by hand, as an admin
# would without hps: a subsystem open to any host, one namespace on DEV,
# linked to its own nvmet port (ids outside hpsd's range, 8400..8499, and an
# NQN outside hpsd's prefix "nqn.2014-08.org.hps:", so hpsd leaves both alone).
raw_export() {
	local nqn=$1 addr=$2 port=$3 svc=$4 dev=$5 s p
	s=$NVMET/subsystems/$nqn
	p=$NVMET/ports/$port
	must modprobe -a nvmet nvmet_tcp
	must mkdir "$s"
	echo 1 >"$s/attr_allow_any_host"
	must mkdir "$s/namespaces/1"
	printf '%s' "$dev" >"$s/namespaces/1/device_path"
	echo 1 >"$s/namespaces/1/enable"
	must mkdir "$p"
	echo tcp >"$p/addr_trtype"
	echo ipv4 >"$p/addr_adrfam"
	echo "$addr" >"$p/addr_traddr"
	echo "$svc" >"$p/addr_trsvcid"
	must ln -s "$s" "$p/subsystems/$nqn"
	log "nvmet: $nqn on $addr:$svc (port $port) exports $dev"
}

raw_unexport() {
	local nqn=$1 port=$2
	rm -f "$NVMET/ports/$port/subsystems/$nqn"
	rmdir "$NVMET/ports/$port" "$NVMET/subsystems/$nqn/namespaces/1" "$NVMET/subsystems/$nqn"
}

# ns_wait NQN SECS: the multipath head (/dev/nvmeXnY) of subsystem NQN on
# this host; the namespace scan after nvme connect may lag a little.
ns_wait() {
	local nqn=$1 end=$((SECONDS + $2)) s h
	while [ $SECONDS -lt $end ]; do
		for s in /sys/class/nvme-subsystem/nvme-subsys*; do
			[ "$(cat "$s/subsysnqn" 2>/dev/null)" = "$nqn" ] || continue
			for h in "$s"/nvme*n*; do
				[ -b "/dev/$(basename "$h")" ] && { echo "/dev/$(basename "$h")"; return 0; }
			done
		done
		sleep 0.5
	done
	nvme list-subsys >&2 || true
	die "no namespace of $nqn after $2 s"
}

# bench_prefill DEV SIZE: write the area the jobs use once, so that reads
# return written data (from hps's cache, from Ceph's objects) and no job
# pays for first writes.
bench_prefill() {
	must fio --name=prefill --filename="$1" --direct=1 --ioengine=libaio \
		--rw=write --bs=128k --iodepth=8 --size="$2" --output=/dev/null
}

# bench_job LABEL RW DEV SIZE RUNTIME QD: 4K RW (randread, randwrite) at
# queue depth QD over the first SIZE of DEV, RUNTIME s after a 2 s ramp.
bench_job() {
	local label=$1 rw=$2 dev=$3 size=$4 runtime=$5 qd=$6
	must fio --name="$label-$rw" --filename="$dev" --direct=1 --ioengine=libaio \
		--rw="$rw" --bs=4k --iodepth="$qd" --size="$size" \
		--time_based --runtime="$runtime" --ramp_time=2 \
		--group_reporting --output-format=json --output="$LAB_OUT/$label-$rw.json"
}

# krbd_map IMAGE SIZE: a new RBD image in the lab pool (the default
# features), mapped with the kernel client; prints the device.  noudev: the
# lab VM runs no udev, devtmpfs makes /dev/rbdN.
krbd_map() {
	local img=$1 size=$2 dev
	must modprobe rbd
	must rbd create "rbd/$img" --size "$size"
	dev=$(rbd device map -o noudev "rbd/$img") || die "rbd device map rbd/$img failed"
	[ -b "$dev" ] || die "rbd device map printed '$dev', not a block device"
	rbd info "rbd/$img" >"$LAB_OUT/krbd-info.txt" 2>&1 || true
	echo "$dev"
}
