# Host-side control of a scenario's VMs.  A scenario whose "# lab:" line says
# control=host runs on the host, as root, inside the run's network namespace
# (it reaches the VMs at their lab addresses, and the run's Ceph), and acts
# on its VMs only through these functions; it sources this file instead of
# guest/lib.sh.  Since it runs outside every VM, it may power any VM off,
# VM 0 included, and boot it again.  See README.md, "Scenarios with several
# VMs".
#
# The runner exports: HPS_SRC, HPS_BUILD, HPS_KO, LAB_OUT (a host directory,
# collected as host-results/), LAB_VMS (how many VMs), LAB_TIMEOUT (the
# scenario's timeout, vm_run's default), with Ceph LAB_CEPH_CONF and
# CEPH_CONF (the cluster's own conf); and for lib/vm.sh LAB_NS, LAB_SCRATCH,
# LAB_KVER, LAB_INITRAMFS, LAB_ACCEL, LAB_EXPOSE, LAB_VM_MEM.

set -euo pipefail

source "$HPS_SRC/test/lab/lib/common.sh"
source "$LAB_DIR/lib/net.sh"
source "$LAB_DIR/lib/vm.sh"
source "$LAB_DIR/lib/checks.sh"

# vm_check N: N names one of the scenario's VMs.
vm_check() {
	case $1 in
	'' | *[!0-9]*) die "no VM '$1'" ;;
	esac
	[ "$1" -lt "$LAB_VMS" ] || die "no VM $1 (the scenario has $LAB_VMS)"
}

# vm_run [-t SECS] N [TEXT]: run the bash text TEXT (stdin when TEXT is not
# given) as root in VM N, the way a scenario runs in VM 0: its environment
# (LAB_VM=N, LAB_OUT, LAB_NVME, hpsd and hpsctl on PATH, CEPH_CONF) and
# guest/lib.sh (set -euo pipefail; log, die, must, ...).  Prints its output
# and stderr once it ends; returns its exit status, 124 when it ran longer
# than SECS (default LAB_TIMEOUT), 125 when VM N is off or died meanwhile.
vm_run() {
	local secs=$LAB_TIMEOUT n text
	if [ "${1:-}" = -t ]; then
		secs=$2
		shift 2
	fi
	n=${1:-}
	vm_check "$n"
	if [ $# -ge 2 ]; then text=$2; else text=$(cat); fi
	lab_vm_exec "$n" "$secs" "$(lab_guest_env "$n")
source \"\$HPS_SRC/test/lab/guest/lib.sh\"
$text"
}

# vm_must [-t SECS] N [TEXT]: vm_run that fails the scenario when TEXT
# fails, quoting the VM's own FAIL line (or why vm_run failed).
vm_must() {
	local n=${1:-} out rc=0 why
	[ "$n" = -t ] && n=${3:-}
	out=$(vm_run "$@") || rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	[ $rc = 0 ] && return 0
	case $rc in
	124) why="timed out" ;;
	125) why="it is off or died" ;;
	*) why=$(grep -a '^FAIL: ' <<<"$out" | tail -n1 | cut -c7- || true) ;;
	esac
	die "vm$n: ${why:-exit status $rc}"
}

# vm_poweroff N...: pull the plug on each VM N (QEMU killed with SIGKILL; what
# its disk acknowledged stays in the image, see README.md).  A command
# running in it ends with vm_run returning 125.
vm_poweroff() {
	local n
	for n in "$@"; do
		vm_check "$n"
		lab_vm_kill "$n"
		log "vm$n powered off"
	done
}

# vm_boot N...: boot each VM N again (it must be off) with the same NVMe
# disk, and return once all are ready.  Booting them together overlaps the
# boots, which take a minute each under TCG.
vm_boot() {
	local n
	for n in "$@"; do
		vm_check "$n"
		[ -z "$(lab_vm_pid "$n")" ] || die "vm$n is running; vm_poweroff it first"
		lab_vm_boot "$n" || die "cannot boot vm$n"
	done
	for n in "$@"; do
		lab_vm_wait_ready "$n" 300 || die "vm$n did not boot again"
		log "vm$n booted again"
	done
}

# vm_running N: true while VM N is on.
vm_running() { vm_check "$1"; [ -n "$(lab_vm_pid "$1")" ]; }

# vm_ip N: VM N's address on the lab bridge.
vm_ip() { vm_check "$1"; lab_vm_ip "$1"; }
