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

# lab_vm_start IDX [SMP [NVME_SIZE]]: boot VM IDX in the background.
lab_vm_start() {
	local idx=$1 smp=${2:-1} nvme=${3:-$LAB_VM_NVME_SIZE} dir ip mac cpu
	dir=$(lab_vm_dir "$idx")
	mkdir -p "$dir/share"
	truncate -s "$nvme" "$dir/nvme0.img"
	lab_net_tap "$LAB_NS" "$idx"
	ip=$(lab_vm_ip "$idx")
	mac=$(printf '52:54:00:51:64:%02x' $((10 + idx)))
	cpu=max
	[ "$LAB_ACCEL" = kvm ] && cpu=host
	ip netns exec "$LAB_NS" qemu-system-x86_64 \
		-name "hpslab-vm$idx" -accel "$LAB_ACCEL" -cpu "$cpu" \
		-m "$LAB_VM_MEM" -smp "$smp" \
		-display none -vga none -no-reboot -monitor none \
		-serial "file:$dir/console.log" \
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
		</dev/null >"$dir/qemu.log" 2>&1 &
	echo $! >"$dir/qemu.pid"
}

lab_vm_pid() { cat "$(lab_vm_dir "$1")/qemu.pid" 2>/dev/null; }

# lab_vm_wait_ready IDX TIMEOUT_S
lab_vm_wait_ready() {
	local dir
	dir=$(lab_vm_dir "$1")
	lab_wait_file "$dir/share/ready" "$2" "$(lab_vm_pid "$1")"
}

# lab_vm_exec IDX TIMEOUT_S SCRIPT: run the bash text SCRIPT inside VM IDX;
# its output goes to stdout, its exit status is returned (124 on timeout,
# 125 when the VM died).
lab_vm_exec() {
	local idx=$1 timeout=$2 script=$3 dir id rc
	dir=$(lab_vm_dir "$idx")/share
	id=c$(date +%s%N)
	printf '%s\n' "$script" >"$dir/$id.tmp"
	mv "$dir/$id.tmp" "$dir/cmd/$id.sh"
	if lab_wait_file "$dir/out/$id.rc" "$timeout" "$(lab_vm_pid "$idx")"; then
		rc=$(cat "$dir/out/$id.rc")
	elif kill -0 "$(lab_vm_pid "$idx")" 2>/dev/null; then
		rc=124
	else
		rc=125
	fi
	cat "$dir/out/$id.log" 2>/dev/null
	return "$rc"
}

# lab_vm_kill IDX: power off at once (no clean shutdown).
lab_vm_kill() {
	local pid
	pid=$(lab_vm_pid "$1")
	[ -n "$pid" ] || return 0
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(lab_vm_dir "$1")/qemu.pid"
}
