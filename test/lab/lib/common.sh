# Shared helpers of the lab runner (host side).  Sourced, not run.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HPS_SRC=$(cd "$LAB_DIR/../.." && pwd)
# The lab's own subnet, used only inside network namespaces the lab creates.
LAB_NET_PREFIX=198.51.100
LAB_BRIDGE_IP=$LAB_NET_PREFIX.1

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() { printf 'lab: error: %s\n' "$*" >&2; exit 2; }

# lab_vm_ip IDX: the lab address of VM IDX.
lab_vm_ip() { echo "$LAB_NET_PREFIX.$((10 + $1))"; }

# lab_pid_alive PID: true while PID runs.  A zombie counts as dead: a QEMU
# killed by another process than its parent may linger as one for a moment.
lab_pid_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# lab_wait_file PATH TIMEOUT_S [PID]: wait until PATH exists; give up after
# the timeout or as soon as PID (when given) has died.
lab_wait_file() {
	local path=$1 timeout=$2 pid=${3:-} deadline=$((SECONDS + $2))
	while [ ! -e "$path" ]; do
		if [ -n "$pid" ] && ! lab_pid_alive "$pid"; then
			return 1
		fi
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}

source "$LAB_DIR/lib/kernel-bugs.sh"

# lab_console_bug LOG: prints the first kernel-bug line of LOG; false if none.
lab_console_bug() {
	grep -a -m1 -E "$KERNEL_BUG_RE" "$1" 2>/dev/null
}
