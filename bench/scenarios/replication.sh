#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1500 nvme=1G control=host
# about: replicated 4K randwrite QD1 and QD32 (IOPS, clat mean/p50/p99): hps over TCP (and RDMA on soft-RoCE when hpsd has it) against DRBD 8.4 protocol C over TCP on the same two VMs and disks; ratios hps/DRBD
source "$HPS_SRC/test/lab/lib/control.sh"

# Two VMs, vm0 primary, vm1 secondary, on the lab bridge.  One after the
# other, on the same 1 GiB NVMe disk of each VM (written through once
# first, so nobody pays the host's sparse-file allocation):
#   drbd      DRBD 8.4 (the Debian kernel's module, drbd-utils), protocol C,
#             TCP, defaults otherwise; a 264 MiB slice at the disk's start,
#             internal metadata; initial sync skipped (new-current-uuid
#             --clear-bitmap on blank disks); fio on /dev/drbd0.
#   hps-tcp   hpsd on both VMs (the whole disk as cache), a 256 MiB volume on
#             vm0 with --replica-node lab-vm1, in sync; fio on
#             /dev/mapper/hps-rb.
#   hps-rdma  the same volume after both hpsd restart with replication
#             transport rdma over rdma_rxe on eth0 - when hpsd brings the
#             link up; otherwise "skipped: reason" in the JSON.
# DRBD's RDMA transport is DRBD 9's and not in Debian's kernel, so the
# baseline is DRBD over TCP for both transports.
# Each fio job: 4K randwrite, direct, libaio, over the first 128 MiB, QD1
# then QD32, RUNTIME s after a 2 s ramp.  Between hps jobs the volume is
# flushed (hpsctl volume flush --wait) so no job runs with writeback to
# Ceph behind it (writeback starts on blocks idle 30 s; each job is shorter).
#
# Parameters (environment, bench/run --transports sets the first):
#   HPS_BENCH_TRANSPORTS  "tcp rdma" (default) or "tcp": hps transports to
#                         measure; tcp is always measured.
#   HPS_BENCH_RUNTIME     seconds per fio job (default 20)

P=0 S=1
RUNTIME=${HPS_BENCH_RUNTIME:-20}
SIZE=128M
VOLUME=rb
DRBD_SECTORS=540672		# 264 MiB: 256 MiB of data + DRBD's internal metadata
OUT=$LAB_OUT
VMOUT=$(lab_vm_dir $P)/share/results	# vm0's $LAB_OUT, seen from the host
VMOUT_S=$(lab_vm_dir $S)/share/results	# vm1's

asked=${HPS_BENCH_TRANSPORTS:-tcp rdma}
transports=tcp
for t in ${asked//,/ }; do
	case $t in
	tcp) ;;
	rdma) transports="tcp rdma" ;;
	*) die "HPS_BENCH_TRANSPORTS: '$t' is not tcp or rdma" ;;
	esac
done
case $RUNTIME in '' | *[!0-9]*) die "HPS_BENCH_RUNTIME '$RUNTIME' is not a number of seconds" ;; esac

node() { echo "source \"\$HPS_SRC/test/lab/guest/repl.sh\"; source \"\$HPS_SRC/bench/lib/replication-guest.sh\"; $1"; }

# jobs LABEL DEV [BETWEEN]: QD1 then QD32 on vm0's DEV; BETWEEN (guest text)
# runs after each job.  Both VMs sample their CPU use during each job.
jobs() {
	local label=$1 dev=$2 between=${3:-true} qd sec
	for qd in 1 32; do
		log "$label: 4K randwrite QD$qd, ${RUNTIME}s"
		vm_run $S "$(node "cpu_sample $RUNTIME $label-qd$qd")" >"$OUT/$label-qd$qd-cpu-vm$S.log" 2>&1 &
		sec=$!
		vm_must $P "$(node "cpu_sample $RUNTIME $label-qd$qd & bench_fio $label $dev $qd $RUNTIME $SIZE; wait; $between")"
		wait $sec || die "vm$S: CPU sample of $label QD$qd failed: $(tail -n3 "$OUT/$label-qd$qd-cpu-vm$S.log")"
	done
}

log "transports: $transports; accel $LAB_ACCEL, kernel $LAB_KVER, fio ${RUNTIME}s a job"
log "both VMs: write the whole NVMe disk once"
vm_run $P "$(node 'prefill')" >"$OUT/prefill-vm0.log" 2>&1 &
pre=$!
vm_must $S "$(node 'prefill')"
wait $pre || { cat "$OUT/prefill-vm0.log"; die "vm0: prefill failed"; }

# --- DRBD ------------------------------------------------------------------------------

log "drbd: resource on both VMs, protocol C over TCP"
vm_must $P "$(node "drbd_setup vm$S $(vm_ip $S) $DRBD_SECTORS")"
vm_must $S "$(node "drbd_setup vm$P $(vm_ip $P) $DRBD_SECTORS")"
vm_must $P "$(node 'drbd_wait cstate Connected 120')"
vm_must $P "$(node 'must drbdadm -c "$DRBD_CONF" -- --clear-bitmap new-current-uuid "$DRBD_RES"
	must drbdadm -c "$DRBD_CONF" primary "$DRBD_RES"
	drbd_wait dstate UpToDate/UpToDate 60
	cat /proc/drbd >"$LAB_OUT/drbd-proc.txt"; cat /proc/drbd')"
jobs drbd /dev/drbd0
vm_must $P "$(node 'cat /proc/drbd >"$LAB_OUT/drbd-proc-after.txt"; drbd_down')"
vm_must $S "$(node 'drbd_down')"

# --- hps over TCP ----------------------------------------------------------------------

log "hps: hpsd on both VMs (tcp), volume $VOLUME on vm0 replicated to vm1"
vm_must $P "$(node "repl_setup lab-vm$S $(vm_ip $S); repl_start")"
vm_must $S "$(node "repl_setup lab-vm$P $(vm_ip $P); repl_start")"
vm_must $P "$(node "must ctl volume create $VOLUME --size 256M --replica-node lab-vm$S; wait_replica $VOLUME in_sync 180")"
flush="must ctl volume flush $VOLUME --wait >>\"\$LAB_OUT/flush.log\" 2>&1"
jobs hps-tcp /dev/mapper/hps-$VOLUME "$flush"
vm_must $P "$(node "ctl --format json volume show $VOLUME >\"\$LAB_OUT/hps-tcp-volume.json\"; ctl volume show $VOLUME")"

# --- hps over RDMA ---------------------------------------------------------------------

rdma_skip=
if [ "$transports" = "tcp rdma" ]; then
	log "hps: both hpsd restarted with replication transport rdma (rxe0 on eth0)"
	for n in $P $S; do
		vm_must $n "$(node 'rxe_up; repl_stop; hps_transport rdma')"
	done
	# Started together: each waits for its own socket only.
	for n in $P $S; do
		vm_run $n "$(node 'wc -l <"$HPSD_LOG" >/tmp/bench-log-mark; repl_start')" \
			>"$OUT/rdma-start-vm$n.log" 2>&1 ||
			rdma_skip="hpsd on vm$n did not start with transport rdma: $(grep -a '^FAIL: ' "$OUT/rdma-start-vm$n.log" | tail -n1 | cut -c7-)"
	done
	if [ -z "$rdma_skip" ]; then
		# in_sync, or why not: hpsd's own line when the manager has no links.
		rc=0
		why=$(vm_run $P "$(node "end=\$((SECONDS + 120))
			while [ \$SECONDS -lt \$end ]; do
				[ \"\$(replica_field $VOLUME state 2>/dev/null)\" = in_sync ] && exit 0
				line=\$(tail -n +\$((\$(cat /tmp/bench-log-mark) + 1)) \"\$HPSD_LOG\" | grep -a -m1 'replication: no links' || true)
				[ -n \"\$line\" ] && { echo \"\$line\"; exit 3; }
				sleep 0.5
			done
			echo \"volume $VOLUME not in sync 120 s after the restart (replica state \$(replica_field $VOLUME state 2>/dev/null || echo unknown))\"
			exit 3")") || rc=$?
		case $rc in
		0) ;;
		3) rdma_skip="hpsd: $(tail -n1 <<<"$why" | sed 's/^.*replication: /replication: /')" ;;
		*) die "vm$P: waiting for the rdma link failed (rc $rc): $why" ;;
		esac
	fi
	if [ -z "$rdma_skip" ]; then
		jobs hps-rdma /dev/mapper/hps-$VOLUME "$flush"
		vm_must $P "$(node "ctl --format json volume show $VOLUME >\"\$LAB_OUT/hps-rdma-volume.json\"")"
	else
		log "hps-rdma skipped: $rdma_skip"
	fi
else
	rdma_skip="not asked for (HPS_BENCH_TRANSPORTS=$asked)"
fi

for n in $P $S; do vm_run $n "$(node 'repl_stop')" >/dev/null 2>&1 || true; done

# --- the summary -----------------------------------------------------------------------

fio_version=$(vm_run $P 'fio --version' | tail -n1)
drbd_version=$(sed -n 's/^version: \([^ ]*\).*/\1/p' "$VMOUT/drbd-proc.txt" | head -n1)
PYTHONPATH="$HPS_SRC/bench/lib" python3 - "$VMOUT" "$OUT" "$transports" "$rdma_skip" "$RUNTIME" "$SIZE" "$LAB_ACCEL" "$LAB_KVER" \
	"${LAB_VM_MEM:-1536}" "$fio_version" "$drbd_version" \
	"$(git -C "$HPS_SRC" describe --always --dirty 2>/dev/null || echo unknown)" "$VMOUT_S" \
	>"$OUT/replication.json" <<'PY' || die "cannot summarise the fio results"
import json, os, sys
from fio_summary import job, ratio
(vmout, out, transports, rdma_skip, runtime, size, accel, kver, mem, fio_v,
 drbd_v, commit, vmout_s) = sys.argv[1:14]
jobs = {"qd1": 1, "qd32": 32}
HZ = os.sysconf("SC_CLK_TCK")

def cpu(label, qd, iops):
    """CPU use of each VM during the job: busy share, and busy and daemon
    (hpsd, or DRBD's kernel threads) CPU time per write, in microseconds."""
    hps = label.startswith("hps")
    res = {}
    for role, d in (("primary", vmout), ("secondary", vmout_s)):
        try:
            f = open(f"{d}/{label}-qd{qd}-cpu.txt").read().split()
        except OSError:
            res[role] = None
            continue
        secs, busy, total = float(f[0]), int(f[1]), int(f[2])
        writes = iops * secs
        res[role] = {
            "busy_pct": round(100 * busy / total, 1) if total else None,
            "busy_us_per_write": round(busy / HZ * 1e6 / writes, 1) if writes else None,
            ("hpsd_us_per_write" if hps else "drbd_threads_us_per_write"):
                round(int(f[3 if hps else 4]) / HZ * 1e6 / writes, 1) if writes else None,
        }
    return res

def fio(label, qd):
    res = job(f"{vmout}/{label}-qd{qd}.json", "write")
    res["cpu"] = cpu(label, qd, res["iops"])
    return res

res = {"drbd": {j: fio("drbd", qd) for j, qd in jobs.items()}}
labels = ["hps-tcp"] if rdma_skip else ["hps-tcp", "hps-rdma"]
for label in labels:
    res[label] = {j: fio(label, qd) for j, qd in jobs.items()}
    vol = f"{vmout}/{label}-volume.json"
    if os.path.exists(vol):
        v = json.load(open(vol))
        res[label]["volume"] = {k: v.get(k) for k in ("replica", "status")}
        # A link lost mid-run (the peer did not answer within
        # peer_timeout_ms) leaves writes completed unreplicated and a
        # resync: that run is not a measure of replicated writes.
        r = v.get("replica") or {}
        if r.get("writes_degraded") or r.get("state") != "in_sync":
            res[label]["warning"] = (
                f"the replica link was lost during the run ({r.get('writes_degraded')} writes "
                f"completed degraded, state {r.get('state')} after the jobs, last error: "
                f"{r.get('last_error')}): these figures include the stall and are not a "
                f"clean replicated measure")
if rdma_skip:
    res["hps-rdma"] = {"skipped": rdma_skip}

ratios = {}
for label in ("hps-tcp", "hps-rdma"):
    key = f"{label}/drbd"
    if "skipped" in res[label]:
        ratios[key] = "skipped: " + res[label]["skipped"]
        continue
    ratios[key] = {
        j: {"iops": ratio(res[label][j]["iops"], res["drbd"][j]["iops"]),
            "clat_mean": ratio(res[label][j]["clat_mean_us"], res["drbd"][j]["clat_mean_us"]),
            "clat_p50": ratio(res[label][j]["clat_p50_us"], res["drbd"][j]["clat_p50_us"]),
            "clat_p99": ratio(res[label][j]["clat_p99_us"], res["drbd"][j]["clat_p99_us"])}
        for j in jobs
    }

print(json.dumps({
    "benchmark": "replication",
    "note": "two lab VMs (1 vCPU each), primary vm0, secondary vm1, same bridge and same "
            "NVMe disks, one after the other: DRBD, then hps over tcp, then hps over rdma; "
            "fio 4K randwrite direct=1 libaio on the primary's device. DRBD is 8.4 (Debian's "
            "kernel module) protocol C over TCP only: its RDMA transport is DRBD 9's and not "
            "in Debian's kernel, so hps-rdma is compared with DRBD over TCP. Under QEMU TCG "
            "absolute figures mean little and both VMs share the host's cores: compare ratios. "
            "Ratios are hps/drbd: iops above 1 means hps does more IOPS, clat above 1 means "
            "hps takes longer.",
    "environment": {
        "accel": accel, "kernel": kver, "vm_cpus": 1, "vm_mem_mib": int(mem),
        "host_cpus": os.cpu_count(), "fio": fio_v, "drbd": drbd_v, "hps_commit": commit,
        "drbd_transport": "tcp", "hps_transports_asked": transports.split(),
    },
    "jobs": {j: {"rw": "randwrite", "bs": "4k", "iodepth": qd, "size": size,
                 "runtime_s": int(runtime), "ramp_s": 2, "direct": 1, "ioengine": "libaio"}
             for j, qd in jobs.items()},
    "results": res,
    "ratios": ratios,
}, indent=2))
PY

# The human table.
python3 - "$OUT/replication.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
env = doc["environment"]
print(f"replication: accel {env['accel']}, kernel {env['kernel']}, DRBD {env['drbd']} over tcp")
print(f"{'device':<10} {'job':<5} {'IOPS':>9} {'mean us':>9} {'p50 us':>9} {'p99 us':>9}"
      f" {'IOPS x':>7} {'mean x':>7} {'p99 x':>7} {'cpu us/w P':>10} {'S':>7}")
for label, jobs in doc["results"].items():
    if "skipped" in jobs:
        print(f"{label:<10} skipped: {jobs['skipped']}")
        continue
    for j in ("qd1", "qd32"):
        r = jobs[j]
        rat = doc["ratios"].get(f"{label}/drbd")
        x = (f" {rat[j]['iops']:>7} {rat[j]['clat_mean']:>7} {rat[j]['clat_p99']:>7}"
             if isinstance(rat, dict) else f" {'':>7} {'':>7} {'':>7}")
        c = [(r["cpu"].get(role) or {}).get("busy_us_per_write") for role in ("primary", "secondary")]
        print(f"{label:<10} {j:<5} {r['iops']:>9} {r['clat_mean_us']:>9} {r['clat_p50_us']:>9}"
              f" {r['clat_p99_us']:>9}{x} {str(c[0]):>10} {str(c[1]):>7}")
    if "warning" in jobs:
        print(f"{label:<10} WARNING: {jobs['warning']}")
print("(x: hps/drbd; IOPS x above 1 = hps faster, latency x above 1 = hps slower;"
      " cpu us/w: each VM's busy CPU time per write, P primary, S secondary)")
PY
log "results: $OUT/replication.json"
