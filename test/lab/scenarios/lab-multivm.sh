#!/usr/bin/env bash
# lab: vms=2 ceph=no timeout=1200 control=host
# about: the multi-VM lab itself: vm_run on each VM (names, addresses, exit statuses), TCP and soft-RoCE (verbs, RDMA CM) between VMs, both VMs powered off hard mid-command and booted again with their disks kept
# shellcheck disable=SC2016 # text for vm_run is single-quoted: it expands in the VM
source "$HPS_SRC/test/lab/lib/control.sh"

# Runs on the host (control=host); everything in a VM goes through vm_run.
TOKEN=tok$RANDOM$RANDOM
PORT=7070
DIRECT_BLK=256		# 4 KiB block of the synced marker on vm1's disk
CACHED_BLK=512		# and of the one left in vm1's page cache

# status CMD...: CMD's exit status, output dropped (set -e stays on).
status() {
	local rc=0
	"$@" >/dev/null 2>&1 || rc=$?
	echo "$rc"
}

# tcp_serve N COUNT: a line server on VM N's PORT for COUNT connections;
# it answers "vmN got LINE from ADDR" and logs "LINE ADDR" to /tmp/tcp.log.
tcp_serve() {
	vm_must "$1" >/dev/null <<EOF
cat >/tmp/tcp-serve.py <<'PY'
import socket
srv = socket.create_server(("0.0.0.0", $PORT))
for _ in range($2):
    conn, (addr, _port) = srv.accept()
    line = conn.makefile().readline().strip()
    conn.sendall(f"vm$1 got {line} from {addr}\n".encode())
    conn.close()
    print(line, addr, flush=True)
PY
setsid python3 /tmp/tcp-serve.py >>/tmp/tcp.log 2>&1 </dev/null &
for _ in \$(seq 100); do
	ss -Hltn 'sport = :$PORT' | grep -q . && exit 0
	sleep 0.1
done
die "nothing listens on port $PORT"
EOF
}

# tcp_ask N TO LINE: VM N sends LINE to VM TO's server; prints the answer.
tcp_ask() {
	vm_must -t 60 "$1" "exec 3<>/dev/tcp/$(vm_ip "$2")/$PORT
echo '$3' >&3
read -r answer <&3
echo \"\$answer\""
}

# The index of rxe0's IPv4-mapped GID (RoCE v2 over the lab's IPv4), once
# the kernel has made it; bash text for vm_run.
RXE_GID='rxe_gid() {
	local g
	for _ in $(seq 100); do
		for g in /sys/class/infiniband/rxe0/ports/1/gids/*; do
			case $(cat "$g" 2>/dev/null) in
			0000:0000:0000:0000:0000:ffff:*) basename "$g"; return 0 ;;
			esac
		done
		sleep 0.1
	done
	die "rxe0 has no IPv4 GID"
}'

# block N BLK [cached]: 4 KiB block BLK of VM N's disk, NULs dropped; read
# O_DIRECT, or through the page cache when asked.
block() {
	local flag=iflag=direct
	[ "${3:-}" = cached ] && flag=
	vm_must "$1" "dd if=\$LAB_NVME bs=4096 skip=$2 count=1 $flag status=none | tr -d '\\0'"
}

# image_block N BLK: the same, read on the host from VM N's disk image.
image_block() {
	dd if="$(lab_vm_dir "$1")/nvme0.img" bs=4096 skip="$2" count=1 status=none | tr -d '\0'
}

log "vm_run: each VM's name, address and LAB_VM"
for n in 0 1; do
	got=$(vm_must "$n" 'echo "$(hostname) $(ip -4 -o addr show dev eth0 | awk "{ print \$4 }") $LAB_VM"')
	expect_eq "$got" "vm$n $(vm_ip "$n")/24 $n" "vm$n's name, address, LAB_VM"
done

log "vm_run: exit statuses, stderr, set -e, die, -t"
expect_eq "$(status vm_run 1 'exit 7')" 7 "vm_run 1 'exit 7'"
expect_eq "$(status vm_run 0 'false; echo not reached')" 1 "vm_run 0 'false; ...' (set -e)"
rc=0
out=$(vm_run 1 'echo to-stdout; echo to-stderr >&2; die boom') || rc=$?
expect_eq "$rc" 1 "vm_run 1 '... die boom'"
[[ $out == *to-stdout*to-stderr*"FAIL: boom"* ]] ||
	die "vm_run 1 '... die boom' printed '${out//$'\n'/|}'"
expect_eq "$(status vm_run -t 3 1 'sleep 60')" 124 "vm_run -t 3 1 'sleep 60'"

log "TCP: vm0 and the host (the bridge) to a server on vm1"
tcp_serve 1 2
expect_eq "$(tcp_ask 0 1 "$TOKEN-vm0")" "vm1 got $TOKEN-vm0 from $(vm_ip 0)" "vm1's answer to vm0"
exec 3<>"/dev/tcp/$(vm_ip 1)/$PORT"
echo "$TOKEN-host" >&3
read -r answer <&3
exec 3>&-
expect_eq "$answer" "vm1 got $TOKEN-host from $LAB_BRIDGE_IP" "vm1's answer to the host"
expect_eq "$(vm_must 1 'cat /tmp/tcp.log' | tr '\n' ' ')" \
	"$TOKEN-vm0 $(vm_ip 0) $TOKEN-host $LAB_BRIDGE_IP " "vm1's server log"

log "soft-RoCE: rxe0 on eth0 on both VMs"
for n in 0 1; do
	vm_must "$n" 'modprobe rdma_rxe
rdma link add rxe0 type rxe netdev eth0
ibv_devices | grep -qw rxe0 || die "ibv_devices does not list rxe0"'
done

log "verbs: ibv_rc_pingpong vm0 -> vm1, 1000 x 4 KiB round trips"
vm_run -t 180 1 "$RXE_GID
ibv_rc_pingpong -d rxe0 -g \$(rxe_gid) -s 4096 -n 1000" >"$LAB_OUT/pingpong-vm1.txt" 2>&1 &
server=$!
vm_must 1 'for _ in $(seq 100); do
	ss -Hltn "sport = :18515" | grep -q . && exit 0
	sleep 0.1
done
die "ibv_rc_pingpong does not listen"'
vm_must -t 180 0 "$RXE_GID
ibv_rc_pingpong -d rxe0 -g \$(rxe_gid) -s 4096 -n 1000 $(vm_ip 1)" |
	tee "$LAB_OUT/pingpong-vm0.txt"
rc=0
wait "$server" || rc=$?
expect_eq "$rc" 0 "ibv_rc_pingpong's exit status on vm1 (see pingpong-vm1.txt)"
grep -q '^1000 iters in' "$LAB_OUT/pingpong-vm0.txt" || die "ibv_rc_pingpong on vm0 did not report 1000 iters"

log "RDMA CM: rping vm0 -> vm1, 10 pings"
vm_run -t 180 1 "rping -s -a $(vm_ip 1) -C 10 -v" >"$LAB_OUT/rping-vm1.txt" 2>&1 &
server=$!
# No socket shows when rping listens: the client tries until it connects.
vm_must -t 180 0 "for _ in \$(seq 30); do
	rping -c -a $(vm_ip 1) -C 10 -v >/tmp/rping.txt 2>&1 && { cat /tmp/rping.txt; exit 0; }
	sleep 1
done
cat /tmp/rping.txt
die 'rping to vm1 failed 30 times'" >"$LAB_OUT/rping-vm0.txt"
rc=0
wait "$server" || rc=$?
expect_eq "$rc" 0 "rping server's exit status on vm1 (see rping-vm1.txt)"
expect_eq "$(grep -c '^ping data: rdma-ping-' "$LAB_OUT/rping-vm0.txt")" 10 "rping's pings on vm0"

log "vm1's disk: one marker written O_DIRECT, one left in its page cache"
boot_id=$(vm_must 1 'cat /proc/sys/kernel/random/boot_id')
# The cached marker stays in the page cache only with no periodic
# writeback, a share of the dirty limit for the disk (else a disk with no
# writeout history is over its background threshold at its first dirty page)
# and its writer keeping the disk open (the last close writes it back).
vm_must 1 >/dev/null "sysctl -qw vm.dirty_writeback_centisecs=0 vm.dirty_expire_centisecs=360000
echo 50 >/sys/block/\${LAB_NVME#/dev/}/bdi/min_ratio
echo 'synced $TOKEN' | dd of=\$LAB_NVME bs=4096 seek=$DIRECT_BLK conv=sync oflag=direct status=none
setsid python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
os.pwrite(fd, sys.argv[2].encode().ljust(4096, b\"\\0\"), $CACHED_BLK * 4096)
open(\"/tmp/cached.done\", \"w\").close()
time.sleep(100000)' \$LAB_NVME 'cached $TOKEN' >/tmp/cached.log 2>&1 </dev/null &
for _ in \$(seq 100); do [ -e /tmp/cached.done ] && exit 0; sleep 0.1; done
die 'the cached marker was not written'"
# What reached the disk is read on the host, from vm1's disk image: an
# O_DIRECT read in vm1 would write the cached block back first.
expect_eq "$(image_block 1 $DIRECT_BLK)" "synced $TOKEN" "vm1's synced block in its disk image"
expect_eq "$(image_block 1 $CACHED_BLK)" "" "vm1's cached block in its disk image"
expect_eq "$(block 1 $CACHED_BLK cached)" "cached $TOKEN" "vm1's cached block read through its page cache"
expect_eq "$(image_block 1 $CACHED_BLK)" "" "vm1's cached block in its disk image after that read"

log "both VMs powered off in the middle of a command"
vm_run 0 'echo $$ >/tmp/load.pid
while :; do dd if=/dev/urandom of=$LAB_NVME bs=1M count=8 seek=64 oflag=direct status=none; done' \
	>/dev/null 2>&1 &
load=$!
vm_must 0 'for _ in $(seq 100); do [ -s /tmp/load.pid ] && exit 0; sleep 0.1; done; die "no load"'
vm_poweroff 0 1
rc=0
wait "$load" || rc=$?
expect_eq "$rc" 125 "vm_run of vm0's load once vm0 is off"
! vm_running 0 || die "vm0 still runs after vm_poweroff"
expect_eq "$(status vm_run 1 true)" 125 "vm_run on vm1 while it is off"

log "both booted again"
vm_boot 0 1
[ "$(vm_must 1 'cat /proc/sys/kernel/random/boot_id')" != "$boot_id" ] ||
	die "vm1's boot_id did not change"
expect_eq "$(block 1 $DIRECT_BLK)" "synced $TOKEN" "vm1's synced block after the power-off"
expect_eq "$(block 1 $CACHED_BLK)" "" "vm1's cached block after the power-off (lost, as with a pulled plug)"
expect_eq "$(grep -c 'hps-lab: ready (vm1 ' "$(lab_vm_dir 1)/console.log")" 2 "boots in vm1's console log"

log "TCP again after the re-boot"
tcp_serve 1 1
expect_eq "$(tcp_ask 0 1 "$TOKEN-again")" "vm1 got $TOKEN-again from $(vm_ip 0)" "vm1's answer to vm0"
log "all checks passed"
