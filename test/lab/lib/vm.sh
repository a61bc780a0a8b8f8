# Lab VMs: Debian's kernel under QEMU with the host's root shared read-only
# over 9p, a writable 9p share per VM (commands in, logs and results out), an
# emulated NVMe disk and a tap on the run's bridge.  Sourced by the runner.
#
# Needs: LAB_NS (namespace), LAB_SCRATCH (per-run temp dir), LAB_KVER,
# LAB_INITRAMFS, LAB_ACCEL.

LAB_VM_MEM=${LAB_VM_MEM:-1536}
LAB_VM_NVME_SIZE=${LAB_VM_NVME_SIZE:-2G}

lab_vm_dir() { echo "$LAB_SCRATCH/vm$1"; }

# lab_accel_probe KVER INITRAMFS: prints "kvm" when a KVM guest reaches the
# initramfs within a few seconds, else "tcg".  Some hosts expose /dev/kvm yet
# hang the guest at "Booting from ROM", hence a real boot, not a file test.
lab_accel_probe() {
	local kver=$1 initrd=$2 out
	[ -w /dev/kvm ] || { echo tcg; return; }
	out=$(timeout 8 qemu-system-x86_64 -accel kvm -m 256 -display none -vga none \
		-no-reboot -serial stdio -monitor none -kernel "/boot/vmlinuz-$kver" \
		-initrd "$initrd" -append "console=ttyS0 hps.probe=1" 2>/dev/null)
	if grep -q 'hps-lab: probe ok' <<<"$out"; then echo kvm; else echo tcg; fi
}

# lab_vm_start IDX [SMP [NVME_SIZE]]: boot VM IDX in the background.  The
# NVMe image is made only when missing, so a VM booted again (lab_vm_boot)
# finds what it wrote before; the runner deletes the VM's directory between
# scenarios for a blank disk.  The console log is appended to, one
# "hps-lab: vmN boot K" line before each boot, so no boot's log is lost.
lab_vm_start() {
	local idx=$1 smp=${2:-1} nvme=${3:-$LAB_VM_NVME_SIZE} dir ip mac cpu boot
	dir=$(lab_vm_dir "$idx")
	mkdir -p "$dir/share"
	[ -e "$dir/nvme0.img" ] || truncate -s "$nvme" "$dir/nvme0.img"
	echo "$smp" >"$dir/smp"
	boot=$(($(cat "$dir/boots" 2>/dev/null || echo 0) + 1))
	echo "$boot" >"$dir/boots"
	# The previous boot's readiness and unclaimed commands are stale.
	rm -f "$dir/share/ready" "$dir/share/cmd/"*.sh
	echo "hps-lab: vm$idx boot $boot" >>"$dir/console.log"
	lab_net_tap "$LAB_NS" "$idx"
	ip=$(lab_vm_ip "$idx")
	mac=$(printf '52:54:00:51:64:%02x' $((10 + idx)))
	cpu=max accel=$LAB_ACCEL
	[ "$LAB_ACCEL" = kvm ] && cpu=host
	# Under TCG all of a VM's vCPUs share one host thread (LAB_TCG_THREAD):
	# the guest still has two CPUs (a one-vCPU guest loses disk
	# completions), yet a VM never takes more than one of the host's cores,
	# so concurrent VMs do not starve each other and Ceph.
	[ "$LAB_ACCEL" = tcg ] && accel=tcg,thread=${LAB_TCG_THREAD:-single}
	ip netns exec "$LAB_NS" qemu-system-x86_64 \
		-name "hpslab-vm$idx" -accel "$accel" -cpu "$cpu" \
		-m "$LAB_VM_MEM" -smp "$smp" \
		-display none -vga none -no-reboot -monitor none \
		-chardev "file,id=con0,path=$dir/console.log,append=on" -serial chardev:con0 \
		-kernel "/boot/vmlinuz-$LAB_KVER" -initrd "$LAB_INITRAMFS" \
		-append "console=ttyS0 panic=1 hps.init=$LAB_DIR/guest/init hps.name=vm$idx hps.ip=$ip/24 hps.expose=${LAB_EXPOSE:-}" \
		-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot" \
		-fsdev "local,id=labshare,path=$dir/share,security_model=none,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=labshare,mount_tag=labshare" \
		-drive "file=$dir/nvme0.img,if=none,id=nv0,format=raw,cache=unsafe" \
		-device "nvme,serial=hpslab${idx}n0,drive=nv0" \
		-netdev "tap,id=net0,ifname=tap$idx,script=no,downscript=no" \
		-device "virtio-net-pci,netdev=net0,mac=$mac" \
		</dev/null >>"$dir/qemu.log" 2>&1 &
	echo $! >"$dir/qemu.pid"
	# Out of the job table: a QEMU killed by another process (a control=host
	# scenario's vm_poweroff) must not make this shell print "Killed".
	disown $!
}

# lab_vm_boot IDX: boot VM IDX again after lab_vm_kill, with its first
# boot's CPUs and the same disk (its contents kept).
lab_vm_boot() {
	local dir
	dir=$(lab_vm_dir "$1")
	[ -e "$dir/nvme0.img" ] || { lab_log "vm$1 was never started"; return 1; }
	lab_vm_start "$1" "$(cat "$dir/smp")"
}

# lab_vm_pid IDX: the pid of VM IDX's QEMU; nothing when it is not running
# (the pid file may be stale once QEMU died, and its pid reused).
lab_vm_pid() {
	local pid
	pid=$(cat "$(lab_vm_dir "$1")/qemu.pid" 2>/dev/null) || return 0
	lab_pid_alive "$pid" || return 0
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qx "hpslab-vm$1" && echo "$pid"
	return 0
}

# lab_vm_wait_ready IDX TIMEOUT_S
lab_vm_wait_ready() {
	local dir pid
	dir=$(lab_vm_dir "$1")
	pid=$(lab_vm_pid "$1")
	[ -n "$pid" ] && lab_wait_file "$dir/share/ready" "$2" "$pid"
}

# lab_vm_exec IDX TIMEOUT_S SCRIPT: run the bash text SCRIPT inside VM IDX;
# its output goes to stdout, its exit status is returned (124 on timeout,
# 125 when the VM is not running or died before the command ended).
lab_vm_exec() {
	local idx=$1 timeout=$2 script=$3 dir id pid rc
	dir=$(lab_vm_dir "$idx")/share
	pid=$(lab_vm_pid "$idx")
	[ -n "$pid" ] || return 125
	id=c$(date +%s%N)$RANDOM
	printf '%s\n' "$script" >"$dir/$id.tmp"
	mv "$dir/$id.tmp" "$dir/cmd/$id.sh"
	if lab_wait_file "$dir/out/$id.rc" "$timeout" "$pid" || [ -e "$dir/out/$id.rc" ]; then
		rc=$(cat "$dir/out/$id.rc")
	elif lab_pid_alive "$pid"; then
		rc=124
	else
		rm -f "$dir/cmd/$id.sh"	# never claimed: must not run at the next boot
		rc=125
	fi
	cat "$dir/out/$id.log" 2>/dev/null
	return "$rc"
}

# lab_vm_kill IDX: power off at once, like pulling the plug (no shutdown;
# what the guest's disk acknowledged stays in the image).  Returns once
# QEMU is gone, so its tap and disk image can be used by the next boot.
lab_vm_kill() {
	local pid
	pid=$(lab_vm_pid "$1")
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2>/dev/null || true
		for _ in $(seq 100); do
			lab_pid_alive "$pid" || break
			sleep 0.1
		done
	fi
	rm -f "$(lab_vm_dir "$1")/qemu.pid"
}

# lab_guest_env IDX: the shell text that sets a scenario's environment in
# VM IDX (see README.md, "Writing a scenario").  Needs HPS_BUILD, HPS_KO.
lab_guest_env() {
	cat <<EOF
export HPS_SRC='$HPS_SRC' HPS_BUILD='$HPS_BUILD' HPS_KO='$HPS_KO'
export LAB_OUT=/run/lab/results LAB_VM=$1 LAB_NVME=/dev/nvme0n1
export PATH='$HPS_BUILD/daemon:$HPS_BUILD/tools/hpsctl':\$PATH
if [ -e /run/lab/ceph.conf ]; then
	export LAB_CEPH_CONF=/run/lab/ceph.conf CEPH_CONF=/run/lab/ceph.conf
fi
mkdir -p "\$LAB_OUT"
EOF
}
