#!/usr/bin/env bash
# lab: vms=2 ceph=yes timeout=1800 nvme=1G control=host
# about: from the compute VM, 4K randread/randwrite QD32 (IOPS, clat mean/p50/p99) over NVMe/TCP to an hps volume, against nvmet exporting a raw slice of the storage VM's NVMe disk (the limit) and krbd on the same Ceph (the alternative); ratios hps/raw and hps/krbd
source "$HPS_SRC/test/lab/lib/control.sh"
source "$HPS_SRC/test/lab/lib/export-scenarios.sh"

# Two VMs on the lab bridge: vm0 the storage node, vm1 the compute host.
# vm0's 1 GiB NVMe disk is written through once, then cut in two dm-linear
# slices: bench-cache (the first 768 MiB, hpsd's cache disk) and bench-raw
# (the last 256 MiB).  Three cases, one after the other, the same fio jobs
# on the compute host for each:
#   raw   a subsystem made by hand in vm0's nvmet (allow_any_host, its own
#         port on 4421) exporting bench-raw: NVMe/TCP with nothing behind
#         it but the disk, the limit.
#   krbd  an RBD image of the volume's size in the lab pool, mapped on the
#         compute host with the kernel's rbd client: what users would run
#         instead of hps.
#   hps   hpsd standalone on vm0 (a replication peer configured, never up,
#         as export-acl does), a volume exported through nvmet on 4420 to
#         the compute host's NQN; the compute host connects with nvme
#         connect -t tcp.  hps runs last so that its writeback to Ceph
#         does not run under another case.
# Each case: the first SIZE written once (reads hit written data), then 4K
# randread QD32 and 4K randwrite QD32 over it, RUNTIME s after a 2 s ramp,
# direct, libaio.  For hps the volume is flushed to Ceph after the
# prefill, so the jobs run with no writeback behind them.  A case that
# fails to run is reported as failed in the JSON; the others still run.
#
# Parameters (environment):
#   HPS_BENCH_RUNTIME  seconds per fio job (default 20)

C=1
RUNTIME=${HPS_BENCH_RUNTIME:-20}
SIZE=128M			# the area the jobs use
VOLSIZE=256M			# the hps volume and the krbd image
VOL=bench-export
KRBD_IMAGE=bench-export-krbd
CACHE_SECTORS=1572864		# 768 MiB: bench-cache
RAW_SECTORS=524288		# 256 MiB: bench-raw, after it
RAW_NQN=nqn.2014-08.org.hps-bench:raw	# not under hpsd's prefix "nqn.2014-08.org.hps:"
RAW_PORT=1			# nvmet port id, outside hpsd's 8400..8499
RAW_SVC=4421
QD=32
OUT=$LAB_OUT
VMOUT_C=$(lab_vm_dir $C)/share/results	# the compute VM's $LAB_OUT, seen from the host
VMOUT_P=$(lab_vm_dir $P)/share/results
JOB_T=$((RUNTIME * 3 + 120))	# vm_run limit of one fio job

case $RUNTIME in '' | *[!0-9]*) die "HPS_BENCH_RUNTIME '$RUNTIME' is not a number of seconds" ;; esac

# bnode TEXT: TEXT with guest/repl.sh and the bench's guest helpers sourced.
bnode() { node "source \"\$HPS_SRC/bench/lib/export-guest.sh\"; $1"; }

# run_jobs LABEL DEVTEXT [BETWEEN]: prefill, randread, randwrite on the
# compute host, on the device the guest text DEVTEXT prints; BETWEEN (a host
# command) runs after the prefill.
run_jobs() {
	local label=$1 devtext=$2 between=${3:-true} rw
	log "$label: prefill the first $SIZE"
	vm_must -t 900 $C "$(bnode "d=\$($devtext); log \"$label: \$d\"; bench_prefill \$d $SIZE")"
	$between
	for rw in randread randwrite; do
		log "$label: 4K $rw QD$QD, ${RUNTIME}s"
		vm_must -t $JOB_T $C "$(bnode "d=\$($devtext); bench_job $label $rw \$d $SIZE $RUNTIME $QD")"
	done
}

# compute_nvme_connect SVC NQN: the compute host connects to vm0's ADDR:SVC.
compute_nvme_connect() {
	vm_must $C "$(bnode "must nvme connect -t tcp -a $(vm_ip $P) -s $1 -n $2 -q $HOSTNQN; d=\$(ns_wait $2 30); log \"connected to $2: \$d\"")"
}

case_raw() {
	vm_must $P "$(bnode "raw_export $RAW_NQN $(vm_ip $P) $RAW_PORT $RAW_SVC /dev/mapper/bench-raw")"
	compute_nvme_connect $RAW_SVC $RAW_NQN
	run_jobs raw "ns_wait $RAW_NQN 30"
	vm_must $C "must nvme disconnect -n $RAW_NQN"
	vm_must $P "$(bnode "raw_unexport $RAW_NQN $RAW_PORT")"
}

case_krbd() {
	vm_must $C "$(bnode "dev=\$(krbd_map $KRBD_IMAGE $VOLSIZE); echo \$dev >/tmp/bench-krbd-dev; log \"krbd: \$dev\"")"
	run_jobs krbd "cat /tmp/bench-krbd-dev"
	vm_must $C "must rbd device unmap -o noudev \$(cat /tmp/bench-krbd-dev)"
}

# hps_flush: the volume's dirty blocks written back to Ceph.
hps_flush() {
	log "hps: flush the volume to Ceph"
	vm_must $P "$(bnode 'must ctl volume flush $VOL --wait')"
}

case_hps() {
	local nqn
	log "hps: hpsd on vm0 (cache: bench-cache), exporting over NVMe/TCP on $(vm_ip $P):4420"
	vm_must $P "$(bnode "LAB_NVME=/dev/mapper/bench-cache
		repl_setup lab-vm9 198.51.100.99 '$(export_json $P tcp)'; repl_start
		must ctl volume create \$VOL --size $VOLSIZE
		must ctl host add compute --nqn $HOSTNQN
		must ctl volume attach \$VOL --host compute")"
	nqn=$(vm_run $P "$(bnode 'ctl --format json volume show $VOL | json_get export.nqn')" | tail -n1)
	case $nqn in nqn.*) ;; *) die "vm0: no NQN for $VOL: '$nqn'" ;; esac
	log "hps: $VOL exported as $nqn"
	compute_nvme_connect 4420 "$nqn"
	run_jobs hps "ns_wait $nqn 30" hps_flush
	vm_must $P "$(bnode 'ctl --format json volume show $VOL >"$LAB_OUT/hps-volume.json"; ctl volume show $VOL')"
	vm_must $C "must nvme disconnect -n $nqn"
	vm_must $P "$(bnode 'repl_stop')"
}

# measure LABEL: case_LABEL in a subshell, so that a failure ends that case
# only; its reason goes to $OUT/LABEL.failed for the summary.
measure() {
	local label=$1 rc why
	log "=== case $label"
	set +e
	(set -e; "case_$label") 2>&1 | tee "$OUT/case-$label.log"
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" = 0 ] && return 0
	why=$(grep -a '^FAIL: ' "$OUT/case-$label.log" | tail -n1 | cut -c7-)
	echo "${why:-exit status $rc}" >"$OUT/$label.failed"
	log "case $label failed to run: ${why:-exit status $rc}"
}

qemu_before=$(pgrep -c qemu-system || true)
log "accel $LAB_ACCEL, kernel $LAB_KVER, fio ${RUNTIME}s a job; QEMU processes on the host: $qemu_before (ours: $LAB_VMS)"
log "vm0: write the whole NVMe disk once, slices bench-cache and bench-raw; vm1: nvme_tcp"
vm_must $P "$(bnode "disk_fill
	must dm_create bench-cache \"0 $CACHE_SECTORS linear \$LAB_NVME 0\"
	must dm_create bench-raw \"0 $RAW_SECTORS linear \$LAB_NVME $CACHE_SECTORS\"
	must modprobe -a nvmet nvmet_tcp")"
vm_must $C 'must modprobe nvme_tcp'

measure raw
measure krbd
measure hps
qemu_after=$(pgrep -c qemu-system || true)

# --- the summary -----------------------------------------------------------------------

fio_version=$(vm_run $C 'fio --version' | tail -n1)
PYTHONPATH="$HPS_SRC/bench/lib" python3 - "$VMOUT_C" "$VMOUT_P" "$OUT" "$RUNTIME" "$SIZE" "$VOLSIZE" "$QD" "$LAB_ACCEL" "$LAB_KVER" \
	"${LAB_VM_MEM:-1536}" "$fio_version" "$(git -C "$HPS_SRC" describe --always --dirty 2>/dev/null || echo unknown)" \
	"$qemu_before" "$qemu_after" "$LAB_VMS" >"$OUT/export.json" <<'PY' || die "cannot summarise the fio results"
import json, os, sys
from fio_summary import job, ratio
(vmout_c, vmout_p, out, runtime, size, volsize, qd, accel, kver, mem, fio_v, commit,
 qemu_before, qemu_after, vms) = sys.argv[1:16]
cases = ["raw", "krbd", "hps"]
jobs = ["randread", "randwrite"]

def fio(label, rw):
    return job(f"{vmout_c}/{label}-{rw}.json", "read" if rw == "randread" else "write")

res = {}
for c in cases:
    failed = f"{out}/{c}.failed"
    if os.path.exists(failed):
        res[c] = {"failed": open(failed).read().strip()}
        continue
    try:
        res[c] = {j: fio(c, j) for j in jobs}
    except (OSError, KeyError, ValueError, IndexError) as e:
        res[c] = {"failed": f"no fio results: {e}"}
vol = f"{vmout_p}/hps-volume.json"
if "failed" not in res["hps"] and os.path.exists(vol):
    v = json.load(open(vol))
    res["hps"]["volume"] = {k: v.get(k) for k in ("status", "export")}

ratios = {}
for base in ("raw", "krbd"):
    key = f"hps/{base}"
    bad = [c for c in ("hps", base) if "failed" in res[c]]
    if bad:
        ratios[key] = "failed: " + "; ".join(f"{c}: {res[c]['failed']}" for c in bad)
        continue
    ratios[key] = {
        j: {"iops": ratio(res["hps"][j]["iops"], res[base][j]["iops"]),
            "clat_mean": ratio(res["hps"][j]["clat_mean_us"], res[base][j]["clat_mean_us"]),
            "clat_p99": ratio(res["hps"][j]["clat_p99_us"], res[base][j]["clat_p99_us"])}
        for j in jobs
    }

print(json.dumps({
    "benchmark": "export",
    "note": "two lab VMs: vm0 the storage node, vm1 the compute host running fio. raw: nvmet "
            "on vm0 exporting a 256 MiB slice of its NVMe disk by hand over NVMe/TCP (the "
            "limit); krbd: an RBD image in the lab's one-OSD memstore Ceph (on the host) "
            "mapped on vm1 with the kernel client (the alternative); hps: an hps volume on "
            "vm0 (cache on a 768 MiB slice of the same disk) exported by hpsd through nvmet "
            "over NVMe/TCP. Under QEMU TCG absolute figures mean little, and the VMs and Ceph "
            "share the host's cores with whatever else runs there (qemu_processes_on_host): "
            "compare ratios. Ratios are hps/base: iops above 1 means hps does more IOPS, "
            "clat above 1 means hps takes longer.",
    "environment": {
        "accel": accel, "kernel": kver, "vm_mem_mib": int(mem), "host_cpus": os.cpu_count(),
        "fio": fio_v, "hps_commit": commit, "lab_vms": int(vms),
        "qemu_processes_on_host": {"before": int(qemu_before or 0), "after": int(qemu_after or 0)},
    },
    "jobs": {j: {"rw": j, "bs": "4k", "iodepth": int(qd), "size": size, "runtime_s": int(runtime),
                 "ramp_s": 2, "direct": 1, "ioengine": "libaio", "prefilled": True}
             for j in jobs},
    "volume_size": volsize,
    "results": res,
    "ratios": ratios,
}, indent=2))
PY

# The human table, and the ratios.
python3 - "$OUT/export.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
env = doc["environment"]
print(f"export: accel {env['accel']}, kernel {env['kernel']}, "
      f"QEMU processes on the host {env['qemu_processes_on_host']}")
print(f"{'case':<6} {'job':<10} {'IOPS':>9} {'mean us':>9} {'p50 us':>9} {'p99 us':>9}")
for c, r in doc["results"].items():
    if "failed" in r:
        print(f"{c:<6} FAILED to run: {r['failed']}")
        continue
    for j in ("randread", "randwrite"):
        x = r[j]
        print(f"{c:<6} {j:<10} {x['iops']:>9} {x['clat_mean_us']:>9} {x['clat_p50_us']:>9} {x['clat_p99_us']:>9}")
for key, rat in doc["ratios"].items():
    if isinstance(rat, str):
        print(f"{key}: {rat}")
        continue
    for j, x in rat.items():
        print(f"{key} {j}: IOPS x{x['iops']}, clat mean x{x['clat_mean']}, p99 x{x['clat_p99']}")
print("(x: hps/base; IOPS above 1 = hps faster, latency above 1 = hps slower)")
PY
log "results: $OUT/export.json"

# A case that did not run is no figure: the JSON says so, and so does the
# run's verdict (bench/run still copies the JSON).
failed=
for f in "$OUT"/*.failed; do
	[ -e "$f" ] && failed+="$(basename "$f" .failed) "
done
[ -z "$failed" ] || die "case(s) failed to run: $failed(see results.<case>.failed in export.json)"
