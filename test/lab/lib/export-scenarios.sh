# The bodies of the NVMe-oF export scenarios (export-nvme-tcp, -rdma,
# export-failover), run on the host (control=host) with three VMs and Ceph:
# vm0 and vm1 are storage nodes replicating volume $VOL (vm0 the primary,
# vm1 the secondary, replication over TCP), each exporting it through its
# own nvmet on its lab address; vm2 is the compute host, connecting to both
# with the kernel's NVMe host and native multipath.
#
#   export_nvme_scenario TRANSPORT   one live optimized path and one
#                                    inaccessible, fio verify through them,
#                                    hpsd restarted without a change, clean
#                                    removal on detach (the configured ports
#                                    stay, as the config says, with nothing
#                                    linked)
#   export_failover_scenario         fio verify on the compute host while the
#                                    primary VM is powered off and vm1 promoted:
#                                    no I/O error, data verifies
#   failover_under_fio DEV WAIT      that failover under fio, for any transport

source "$HPS_SRC/test/lab/lib/repl-scenarios.sh"

C=2
HOSTNQN=nqn.2014-08.org.hps:lab:compute
NVMET=/sys/kernel/config/nvmet

# nvme_json IDX TRANSPORT: vm IDX's "export.nvme" config member; disjoint
# controller ids per node, as a host refuses two paths with one cntlid.
nvme_json() {
	echo "\"nvme\": {\"ports\": [{\"transport\": \"$2\", \"address\": \"$(vm_ip "$1")\", \"service\": 4420}], \"cntlid_min\": $(($1 * 1000 + 1)), \"cntlid_max\": $(($1 * 1000 + 999))}"
}

# export_json IDX TRANSPORT: vm IDX's "export" config section, NVMe-oF only.
export_json() { echo "\"export\": {$(nvme_json "$@")}"; }

# export_nodes TRANSPORT: nvmet, module, blank disk and hpsd on both storage
# nodes (soft-RoCE first for rdma).
export_nodes() {
	local t=$1 rxe=
	[ "$t" = rdma ] && rxe="repl_rxe;"
	vm_must $P "$(node "$rxe must modprobe -a nvmet nvmet_$t; repl_setup lab-vm1 $(vm_ip $S) '$(export_json $P "$t")'; repl_start")"
	vm_must $S "$(node "$rxe must modprobe -a nvmet nvmet_$t; repl_setup lab-vm0 $(vm_ip $P) '$(export_json $S "$t")'; repl_start")"
}

# export_volume: $VOL on vm0 with its copy on vm1, in sync, the compute host
# attached on both; sets NQN and checks both nodes export it under it.
export_volume() {
	vm_must $P "$(node 'must ctl volume create $VOL --size 128M --replica-node lab-vm1; wait_replica $VOL in_sync 120')"
	local n id_p id_s
	id_p=$(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get id')" | tail -n1)
	id_s=$(vm_run $S "$(node 'ctl --format json volume show $VOL | json_get id')" | tail -n1)
	log "volume id: $id_p on the primary, $id_s on the secondary"
	[ -n "$id_p" ] && [ "$id_p" = "$id_s" ] || die "the copies of $VOL have different ids ($id_p, $id_s)"
	NQN=nqn.2014-08.org.hps:vol:$id_p
	for n in $P $S; do
		vm_must $n "$(node "must ctl host add compute --nqn $HOSTNQN; must ctl volume attach \$VOL --host compute; ctl volume show \$VOL")"
		local got
		got=$(vm_run $n "$(node 'ctl --format json volume show $VOL | json_get export.nqn export.exported export.ana_state | tr "\n" " "')" | tail -n1)
		log "vm$n exports: $got"
		local want=optimized
		[ "$n" = $S ] && want=inaccessible
		[ "$(echo $got)" = "$NQN true $want" ] || die "vm$n: export is '$got', not '$NQN true $want'"
	done
}

# On the compute host: the multipath head of $NQN (/dev/nvmeXnY).
compute_dev='d=; for s in /sys/class/nvme-subsystem/nvme-subsys*; do [ "$(cat $s/subsysnqn)" = "$NQN" ] || continue; for h in $s/nvme*n*; do [ -e "$h" ] && d=/dev/$(basename $h); done; done; [ -n "$d" ] || die "no namespace of $NQN"'

# compute TEXT: TEXT on vm2 with NQN, HOSTNQN and the head device in $d.
compute() { vm_run $C "NQN=${NQN:-}; HOSTNQN=$HOSTNQN; $1"; }
compute_must() { vm_must $C "NQN=${NQN:-}; HOSTNQN=$HOSTNQN; $1"; }

# compute_connect TRANSPORT: both paths, vm0's then vm1's.
compute_connect() {
	local t=$1 rxe=
	[ "$t" = rdma ] && rxe="must modprobe -a rdma_rxe ib_uverbs rdma_ucm; rdma link show | grep -qw rxe0 || must rdma link add rxe0 type rxe netdev eth0;"
	compute_must "$rxe must modprobe nvme_$t
		for a in $(vm_ip $P) $(vm_ip $S); do
			must nvme connect -t $t -a \$a -s 4420 -n \$NQN -q \$HOSTNQN
		done"
}

# compute_paths WANT SECS: until the ANA states of $NQN's paths, sorted and
# joined (e.g. "inaccessible optimized"), are WANT; logs nvme list-subsys.
compute_paths() {
	compute_must "end=\$((SECONDS + $2)); got=
		while [ \$SECONDS -lt \$end ]; do
			got=\$(for p in /sys/block/nvme*c*n*; do
				[ \"\$(cat \$p/device/subsysnqn 2>/dev/null)\" = \"\$NQN\" ] || continue
				echo \"\$(cat \$p/device/state) \$(cat \$p/ana_state)\"
			done | sort | tr '\n' ' ')
			[ \"\$(echo \$got)\" = \"$1\" ] && break
			sleep 0.5
		done
		nvme list-subsys
		[ \"\$(echo \$got)\" = \"$1\" ] || die \"paths of \$NQN: '\$got', not '$1'\""
}

# compute_verify DEV: fio verify (randwrite) and a randread on the compute
# host through the device DEV (a guest snippet that sets $d) finds, then
# what it reads must be what the primary holds, and both copies equal.
compute_verify() {
	vm_must $C "NQN=${NQN:-}; $1; log \"device \$d\"
		must fio --name=export --filename=\$d --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
			--iodepth=16 --size=64M --verify=crc32c --do_verify=1 --verify_fatal=1 --output=\$LAB_OUT/fio.txt
		must fio --name=read --filename=\$d --direct=1 --ioengine=libaio --rw=randread --bs=4k \
			--iodepth=32 --size=64M --runtime=10 --time_based --output=\$LAB_OUT/fio-read.txt
		dd if=\$d bs=1M count=64 iflag=direct status=none | md5sum | cut -d' ' -f1 >\$LAB_OUT/sum"
	local sum_c
	sum_c=$(cat "$(lab_vm_dir $C)/share/results/sum")
	log "the compute host read $sum_c"
	repl_same $VOL 0 64
	[ "$(repl_sum $P $VOL 0 64)" = "$sum_c" ] || die "the compute host reads other data than the primary holds"
}

# primary_restart_unchanged WHAT: hpsd restarted on the primary finds
# configfs as it left it and changes nothing (WHAT: nvmet, LIO).
primary_restart_unchanged() {
	vm_must $P "$(node "repl_stop; repl_start; n=\$(ctl --format json status | json_get export.last_changes); log \"changes after restart: \$n\"; [ \"\$n\" = 0 ] || die \"hpsd changed \$n things in $1 after a restart\"")"
}

export_nvme_scenario() {
	local t=$1
	VOL=export-nvme-$t
	log "storage nodes vm0, vm1: nvmet ($t), hpsd replicating over tcp and exporting over $t"
	export_nodes "$t"
	log "volume $VOL: primary vm0, secondary vm1; compute host attached on both"
	export_volume

	log "compute host (vm2): nvme connect -t $t to both nodes"
	compute_connect "$t"
	compute_paths "live inaccessible live optimized" 60
	compute_must "$compute_dev; nvme list-subsys \$d | tee \$LAB_OUT/list-subsys.txt
		grep -q 'live optimized' \$LAB_OUT/list-subsys.txt && grep -q 'live inaccessible' \$LAB_OUT/list-subsys.txt ||
			die 'nvme list-subsys \$d does not show a live optimized and a live inaccessible path'"

	log "fio verify through the multipath device"
	compute_verify "$compute_dev"

	log "hpsd restarted on the primary: configfs kept, nothing to change, the path stays live"
	primary_restart_unchanged nvmet
	compute_paths "live inaccessible live optimized" 30

	log "detach: the subsystem and the ports go on both nodes"
	compute_must "must nvme disconnect -n \$NQN"
	local n
	for n in $P $S; do
		vm_must $n "$(node "must ctl volume detach \$VOL --host compute; must ctl host remove compute
			[ ! -e $NVMET/subsystems/$NQN ] || die 'subsystem $NQN is still in nvmet'
			[ -z \"\$(ls $NVMET/ports/*/subsystems)\" ] || die \"subsystems still linked to ports: \$(ls $NVMET/ports/*/subsystems)\"
			[ -z \"\$(ls $NVMET/hosts)\" ] || die \"hosts left in nvmet: \$(ls $NVMET/hosts)\"")"
	done
	vm_must $P "$(node 'repl_stop')"
	vm_must $S "$(node 'repl_stop')"
}

# compute_path_live_optimized IP SECS: until the compute host's path to IP
# is live and optimized.
compute_path_live_optimized() {
	compute_must "end=\$((SECONDS + $2)); got=
		while [ \$SECONDS -lt \$end ]; do
			got=\$(for p in /sys/block/nvme*c*n*; do
				[ \"\$(cat \$p/device/subsysnqn 2>/dev/null)\" = \"\$NQN\" ] || continue
				grep -q 'traddr=$1,' \$p/device/address 2>/dev/null || continue
				echo \"\$(cat \$p/device/state) \$(cat \$p/ana_state)\"
			done)
			[ \"\$got\" = 'live optimized' ] && break
			sleep 0.2
		done
		nvme list-subsys
		[ \"\$got\" = 'live optimized' ] || die \"the path to $1: '\$got', not live optimized\""
}

# failover_under_fio DEV WAIT: fio verify on the compute host through DEV (a
# guest snippet that sets $d) while the primary VM is powered off and vm1
# promoted; WAIT (a command) returns once the compute host's path to vm1 is
# the one in use. fio must end with no I/O error, its longest write (the
# stall the application saw) is logged, and the host must read what vm1 holds.
failover_under_fio() {
	local dev=$1 wait=$2
	log "fio verify on the compute host; the primary (vm0) is powered off mid-load, vm1 promoted"
	compute "$dev
		fio --name=failover --filename=\$d --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
			--iodepth=4 --size=64M --io_size=24M --rate_iops=150 --verify=crc32c --do_verify=1 \
			--verify_fatal=1 --output-format=json --output=\$LAB_OUT/fio.json" \
		>"$LAB_OUT/fio.log" 2>&1 &
	local fio=$! t0
	sleep 15
	vm_poweroff $P
	t0=$SECONDS
	vm_must $S "$(node 'wait_replica $VOL disconnected_in_sync 60; must ctl volume promote $VOL; ctl volume show $VOL')"
	log "promoted $((SECONDS - t0)) s after the power-off"
	$wait
	log "the compute host uses its path to vm1 $((SECONDS - t0)) s after the power-off"
	wait "$fio" || { cat "$LAB_OUT/fio.log"; die "fio on the compute host failed across the failover"; }
	local res="$(lab_vm_dir $C)/share/results/fio.json"
	python3 - "$res" <<'PY' || die "fio reported errors"
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
w = job["write"]
print(f"fio: error {job['error']}, {w['total_ios']} writes, write latency max {w['clat_ns']['max'] / 1e9:.1f} s (the stall the application saw), mean {w['clat_ns']['mean'] / 1e6:.1f} ms")
sys.exit(1 if job["error"] else 0)
PY
	log "fio verified every block with no I/O error"
	compute_must "$dev; dd if=\$d bs=1M count=64 iflag=direct status=none | md5sum | cut -d' ' -f1 >\$LAB_OUT/sum"
	local sum_c sum_s
	sum_c=$(cat "$(lab_vm_dir $C)/share/results/sum")
	sum_s=$(repl_sum $S $VOL 0 64)
	log "compute host reads $sum_c, the new primary holds $sum_s"
	[ "$sum_c" = "$sum_s" ] || die "the compute host reads other data than the new primary holds"
}

export_failover_scenario() {
	VOL=export-failover
	log "storage nodes vm0, vm1 exporting over NVMe/TCP; the compute host (vm2) connected to both"
	export_nodes tcp
	export_volume
	compute_connect tcp
	compute_paths "live inaccessible live optimized" 60
	failover_under_fio "$compute_dev" "compute_path_live_optimized $(vm_ip $S) 60"
	compute_must "must nvme disconnect -n \$NQN"
	vm_must $S "$(node 'repl_stop')"
}

# export_acl_nvme: with vm0 exporting a standalone volume to host "allowed"
# over NVMe/TCP, the compute host (VM $C) connects under that host NQN and
# not under another host's, known to hpsd but not attached.
export_acl_nvme() {
	local other=nqn.2014-08.org.hps:lab:intruder
	NQN=nqn.2014-08.org.hps:vol:$(vm_run $P "$(node 'ctl --format json volume show $VOL | json_get id')" | tail -n1)
	vm_must $P "$(node "must ctl host add allowed --nqn $HOSTNQN; must ctl host add other --nqn $other
		must ctl volume attach \$VOL --host allowed")"
	log "a host NQN not attached is refused"
	compute_must "must modprobe nvme_tcp
		if nvme connect -t tcp -a $(vm_ip $P) -s 4420 -n \$NQN -q $other 2>\$LAB_OUT/refused.txt; then
			die 'host $other connected to \$NQN, which it is not attached to'
		fi
		log \"refused: \$(cat \$LAB_OUT/refused.txt)\"
		[ -z \"\$(nvme list-subsys 2>/dev/null | grep -F \$NQN)\" ] || die 'a controller of \$NQN exists after the refusal'"
	log "the attached host connects; once detached it cannot connect again"
	compute_must "must nvme connect -t tcp -a $(vm_ip $P) -s 4420 -n \$NQN -q \$HOSTNQN
		$compute_dev; log \"connected: \$d\"; must nvme disconnect -n \$NQN"
	vm_must $P "$(node 'must ctl volume detach $VOL --host allowed')"
	compute_must "if nvme connect -t tcp -a $(vm_ip $P) -s 4420 -n \$NQN -q \$HOSTNQN 2>/dev/null; then
			die 'a detached host connected'
		fi"
}
