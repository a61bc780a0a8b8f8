# Builds the lab's initramfs: busybox-static plus the modules that mount the
# host's root over virtio-9p.  Debian's own initrd cannot mount a 9p root.
# Sourced by the runner.

# lab_initramfs KVER OUT: (re)build OUT when it is missing or older than its
# inputs; the module list comes from modprobe so Debian's ABI bumps follow.
lab_initramfs() {
	local kver=$1 out=$2 init_src=$LAB_DIR/guest/initramfs-init
	if [ -s "$out" ] && [ "$out" -nt "$init_src" ] &&
	   [ "$out" -nt "${BASH_SOURCE[0]}" ] && [ "$out" -nt "/lib/modules/$kver/modules.dep" ]; then
		return 0
	fi
	command -v busybox >/dev/null || lab_die "busybox not installed (run scripts/setup)"
	file -L "$(command -v busybox)" 2>/dev/null | grep -q 'dynamically' &&
		lab_die "busybox is dynamically linked; install busybox-static"

	local tmp
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$(command -v busybox)" "$tmp/bin/busybox"
	cp "$init_src" "$tmp/init"
	chmod 755 "$tmp/init"

	# modprobe prints the insmod chain in load order, with repeats.
	local ko order=$tmp/modules.order
	: >"$order"
	while read -r _ ko _; do
		[ -n "$ko" ] || continue
		grep -qxF "$(basename "$ko")" "$order" && continue
		cp "$ko" "$tmp/lib/modules/"
		basename "$ko" >>"$order"
	done < <(modprobe -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p | grep '^insmod ')

	mkdir -p "$(dirname "$out")"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.$$.tmp"
	mv "$out.$$.tmp" "$out"
	rm -rf "$tmp"
}
