#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=600
# about: the RDMA replication transport on soft-RoCE (rdma_rxe on eth0): hps-rdma-selftest's handshake, 10000 CRC-checked WRITEs, backpressure, keepalive, silent peer, garbage frames, GOODBYE, reconnect
source "$HPS_SRC/test/lab/guest/lib.sh"

T=$HPS_BUILD/tools/hps-rdma-selftest/hps-rdma-selftest
[ -x "$T" ] || die "no hps-rdma-selftest at $T (build the tree first)"

# --- soft-RoCE on the VM's NIC ------------------------------------------------------

# rdma_rxe is the device; ib_uverbs and rdma_ucm are what libibverbs and
# librdmacm open (/dev/infiniband/uverbs0, rdma_cm).
must modprobe -a rdma_rxe ib_uverbs rdma_ucm
rdma link show rxe0 >/dev/null 2>&1 || must rdma link add rxe0 type rxe netdev eth0
ibv_devices >"$LAB_OUT/ibv_devices.txt" 2>&1 || die "ibv_devices failed: $(cat "$LAB_OUT/ibv_devices.txt")"
grep -qw rxe0 "$LAB_OUT/ibv_devices.txt" || die "ibv_devices does not list rxe0: $(cat "$LAB_OUT/ibv_devices.txt")"
# 127.0.0.1 is on no RDMA device: both ends use eth0's address, and rxe
# loops the traffic back.
addr=$(ip -4 -o addr show dev eth0 | awk '{ print $4 }' | cut -d/ -f1 | head -n1)
[ -n "$addr" ] || die "eth0 has no IPv4 address"
log "rxe0 on eth0 ($addr): $(rdma link show | grep -w rxe0)"

# --- the selftest ---------------------------------------------------------------------

rc=0
"$T" --address "$addr" --frames 10000 >"$LAB_OUT/selftest.txt" 2>&1 || rc=$?
sed 's/^/    /' "$LAB_OUT/selftest.txt"
expect_eq "$rc" 0 "hps-rdma-selftest exit status"
grep -q '^PASS ' "$LAB_OUT/selftest.txt" || die "no PASS line from hps-rdma-selftest"
grep -q '^ok stream .*10000 WRITEs' "$LAB_OUT/selftest.txt" || die "the stream check did not send 10000 WRITEs"
# The measures, for the scenario log.
log "RDMA: $(sed -n 's/^ok stream (.*; \(.*MiB\/s\);.*/\1/p' "$LAB_OUT/selftest.txt")"
log "TCP, same VM: $(sed -n 's/^ok stream-tcp (.*; \(.*MiB\/s\);.*/\1/p' "$LAB_OUT/selftest.txt")"
check_kernel "hps-rdma-selftest"

must rdma link delete rxe0
check_kernel end
log "repl-rdma-link: ok"
