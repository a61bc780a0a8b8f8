# Helpers for lab scenarios; sourced inside the VM by every scenario.
# The runner exports: HPS_SRC (repo, read-only), HPS_BUILD (build tree,
# read-only), HPS_KO (dm-hps.ko), LAB_OUT (writable dir for this scenario),
# LAB_VM (index of this VM, 0..), LAB_NVME (the VM's emulated NVMe disk),
# and when the scenario asked for Ceph: LAB_CEPH_CONF (a ceph.conf that
# reaches the lab's cluster).

set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# must CMD...: run CMD; fail the scenario if it fails.
must() { "$@" || die "command failed (rc=$?): $*"; }

# must_fail CMD...: run CMD; fail the scenario if it succeeds.
must_fail() {
	if "$@" >/dev/null 2>&1; then
		die "command unexpectedly succeeded: $*"
	fi
}

# expect_eq GOT WANT WHAT
expect_eq() { [ "$1" = "$2" ] || die "$3: got '$1', want '$2'"; }

# hps_module_deps: load the modules dm-hps.ko needs, so a plain insmod of
# the build tree's module works (modprobe would, once it is installed).
hps_module_deps() { modprobe -a dm_mod libcrc32c; }
