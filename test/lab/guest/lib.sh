# Helpers for lab scenarios; sourced inside the VM by every scenario.
# The runner exports: HPS_SRC (repo, read-only), HPS_BUILD (build tree,
# read-only), HPS_KO (dm-hps.ko), LAB_OUT (writable dir for this scenario),
# LAB_VM (index of this VM, 0..), LAB_NVME (the VM's emulated NVMe disk),
# and when the scenario asked for Ceph: LAB_CEPH_CONF (a ceph.conf that
# reaches the lab's cluster).

set -euo pipefail

# log, die, must, must_fail, expect_eq
source "$HPS_SRC/test/lab/lib/checks.sh"

# hps_module_deps: load the modules dm-hps.ko needs, so a plain insmod of
# the build tree's module works (modprobe would, once it is installed).
hps_module_deps() { modprobe -a dm_mod libcrc32c; }

# dmsetup without udev (the lab runs none): no udev sync, and make the
# /dev/mapper node ourselves.
dm_create() { # NAME TABLE [dmsetup create options...]
	local name=$1 table=$2
	shift 2
	dmsetup create --noudevsync "$name" "$@" --table "$table" &&
		dmsetup mknodes "$name" &&
		[ -b "/dev/mapper/$name" ]
}
dm_remove() { dmsetup remove --noudevsync "$1"; }

# check_kernel WHEN fails the scenario when a kernel-bug line appeared in
# dmesg since lib.sh was sourced.
source "$HPS_SRC/test/lab/lib/kernel-bugs.sh"
kernel_bug_base=$(dmesg | grep -cE "$KERNEL_BUG_RE" || true)
check_kernel() {
	local n
	n=$(dmesg | grep -cE "$KERNEL_BUG_RE" || true)
	if [ "$n" != "$kernel_bug_base" ]; then
		dmesg | grep -E -A 30 "$KERNEL_BUG_RE" | tail -n 80 >&2
		die "kernel log has a new BUG/Oops/WARNING (after: $1)"
	fi
}

# dm_reject NAME EXPECT TABLE [create options...]: creating NAME from TABLE
# must fail, leave no device, and the kernel log must say EXPECT (and no
# kernel bug).  Counts them in dm_rejected.
dm_rejected=0
dm_reject() {
	local name=$1 expect=$2 table=$3 mark new
	shift 3
	mark=$(dmesg | wc -l)
	if dmsetup create --noudevsync "$name" "$@" --table "$table" >/dev/null 2>&1; then
		dm_remove "$name" >/dev/null 2>&1 || true
		die "table accepted, want '$expect': $table"
	fi
	if dmsetup info "$name" >/dev/null 2>&1; then
		die "rejected table left device $name behind: $table"
	fi
	new=$(dmesg | tail -n +"$((mark + 1))")
	if grep -qE "$KERNEL_BUG_RE" <<<"$new"; then
		printf '%s\n' "$new" >&2
		die "kernel log has a new BUG/Oops/WARNING (after: $table)"
	fi
	if ! grep -qF -- "$expect" <<<"$new"; then
		printf '%s\n' "$new" >&2
		die "kernel did not say '$expect' for: $table"
	fi
	dm_rejected=$((dm_rejected + 1))
	# The kernel's reason (dm-hps's line carries the bad value).
	log "rejected: $table"
	printf '    %s\n' "$(grep -m1 -F -- "$expect" <<<"$new" | sed 's/^\[[^]]*\] //')"
}

# ceph_answers [SECS]: the run's Ceph answers 'ceph -s' from this VM within
# SECS (default 180).  Generous on purpose: the first (python) ceph command
# in a TCG guest that just booted, while the other lane boots VMs and starts
# its own Ceph on the same two cores, took over 60 s in CI once.
ceph_answers() {
	local secs=${1:-180} start=$SECONDS
	until timeout 60 ceph -s >"$LAB_OUT/ceph-s.out" 2>&1; do
		if [ $((SECONDS - start)) -ge "$secs" ]; then
			tail -n 5 "$LAB_OUT/ceph-s.out" >&2
			ip -br addr >&2
			log "Ceph did not answer 'ceph -s' from lab-vm${LAB_VM:-0} within $secs s"
			return 1
		fi
		sleep 2
	done
	log "Ceph answers from lab-vm${LAB_VM:-0} (after $((SECONDS - start)) s)"
}
