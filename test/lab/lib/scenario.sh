# Scenarios: test/lab/scenarios/NAME.sh, each with a header the runner reads:
#   # lab: vms=N ceph=yes|no timeout=SECONDS [nvme=SIZE] [control=vm|host] [ci=no]
#   # about: one line saying what it checks
# ci=no: a scenario whose every step another one runs too (say which in its
# "about"); scripts/test leaves it out of a full run, test/lab/run by name
# runs it.
# The script runs inside VM 0 as root with lib.sh's environment (see
# guest/lib.sh), or with control=host on the host, in the run's namespace,
# acting on the VMs through lib/control.sh; exit status 0 passes.  A kernel bug line in any VM's console
# fails the scenario whatever the script said.  Sourced by the runner.

# LAB_SCENARIO_DIR: where scenarios live (bench/run points it at bench/scenarios).
lab_scenario_dir() { echo "${LAB_SCENARIO_DIR:-$LAB_DIR/scenarios}"; }
lab_scenario_path() { echo "$(lab_scenario_dir)/$1.sh"; }

lab_scenario_names() {
	local f
	for f in "$(lab_scenario_dir)"/*.sh; do
		[ -e "$f" ] && basename "$f" .sh
	done
}

# lab_scenario_field NAME KEY: "about" is the about line; other keys are read
# from the "# lab:" line (vms, ceph, timeout), with defaults.
lab_scenario_field() {
	local path line
	path=$(lab_scenario_path "$1")
	if [ "$2" = about ]; then
		sed -n 's/^# about: *//p' "$path" | head -n1
		return
	fi
	line=$(sed -n 's/^# lab: *//p' "$path" | head -n1)
	local kv
	for kv in $line; do
		[ "${kv%%=*}" = "$2" ] && { echo "${kv#*=}"; return; }
	done
	case "$2" in
	vms) echo 1 ;;
	ceph) echo no ;;
	timeout) echo 600 ;;
	nvme) echo "$LAB_VM_NVME_SIZE" ;;
	control) echo vm ;;
	esac
}

# lab_scenario_run NAME: boots its VMs (and the run's Ceph on first need),
# runs it, collects logs into $results/NAME, prints the verdict line.
lab_scenario_run() {
	local name=$1 vms ceph timeout nvme control out start i rc reason= bug smp
	vms=$(lab_scenario_field "$name" vms)
	nvme=$(lab_scenario_field "$name" nvme)
	ceph=$(lab_scenario_field "$name" ceph)
	timeout=$(lab_scenario_field "$name" timeout)
	control=$(lab_scenario_field "$name" control)
	out=$results/$name
	mkdir -p "$out"
	start=$SECONDS

	case $control in
	vm | host) ;;
	*) echo "FAIL $name: control=$control in its header (vm or host) (log: $out)"; return 1 ;;
	esac
	# Two vCPUs for every VM, several VMs or not: in a one-vCPU guest
	# Debian 12's QEMU 7.2 has been seen to stop completing the disk's I/O
	# under deep mixed load (README.md, "How a VM is made").
	smp=${LAB_VM_SMP:-2}
	for i in $(seq 0 $((vms - 1))); do
		rm -rf "$(lab_vm_dir "$i")"
		lab_vm_start "$i" "$smp" "$nvme"
	done

	if [ "$ceph" = yes ] && [ $ceph_up = 0 ]; then
		if lab_ceph_start >"$results/ceph-start.log" 2>&1; then
			ceph_up=1
		else
			reason="the lab Ceph did not start (see $results/ceph-start.log)"
		fi
	fi

	for i in $(seq 0 $((vms - 1))); do
		[ -n "$reason" ] && break
		lab_vm_wait_ready "$i" 300 || reason="vm$i did not boot"
		[ "$ceph" = yes ] && lab_ceph_client_conf "$(lab_vm_dir "$i")/share/ceph.conf"
	done

	if [ -z "$reason" ]; then
		local t0=$SECONDS
		if [ "$control" = host ]; then
			lab_scenario_host "$name" "$timeout" "$vms" "$ceph" "$out" >"$out/scenario.log" 2>&1
		else
			lab_vm_exec 0 "$timeout" "$(lab_scenario_prologue "$name")" >"$out/scenario.log" 2>&1
		fi
		rc=$?
		# 124 and 125 are the runner's own only in VM 0 (lab_vm_exec); a
		# host script's 124 is timeout's only once its time is up.
		if [ $rc = 124 ] && { [ "$control" = vm ] || [ $((SECONDS - t0)) -ge "$timeout" ]; }; then
			reason="timed out after ${timeout}s"
		elif [ $rc = 125 ] && [ "$control" = vm ]; then
			reason="vm0 died"
		elif [ $rc != 0 ]; then
			reason="exit status $rc: $(grep -a '^FAIL: ' "$out/scenario.log" | tail -n1 | cut -c7-)"
		fi
	fi

	for i in $(seq 0 $((vms - 1))); do
		lab_vm_kill "$i"
		cp "$(lab_vm_dir "$i")/console.log" "$out/vm$i-console.log" 2>/dev/null
		cp -r "$(lab_vm_dir "$i")/share/results" "$out/vm$i-results" 2>/dev/null
		bug=$(lab_console_bug "$out/vm$i-console.log") &&
			reason="kernel bug on vm$i: $bug"
	done
	# A failure that came with the emulated NVMe disk no longer completing
	# I/O says so: QEMU 7.2's nvme device has been seen to stop completing
	# (the guest's timeouts and controller resets do not revive it).
	if [ -n "$reason" ]; then
		for i in $(seq 0 $((vms - 1))); do
			grep -aqE 'nvme nvme[0-9]+: I/O [0-9]+ (\(I/O Cmd\) )?QID [0-9]+ timeout' \
				"$out/vm$i-console.log" 2>/dev/null &&
				reason="$reason; vm$i's emulated NVMe disk timed out I/O (see vm$i-console.log)"
		done
	fi

	[ $show = 1 ] && cat "$out/scenario.log"
	if [ -z "$reason" ]; then
		echo "PASS $name ($((SECONDS - start))s)"
		return 0
	fi
	echo "FAIL $name: $reason (log: $out)"
	return 1
}

# lab_scenario_host NAME TIMEOUT VMS CEPH OUT: run a control=host scenario
# on the host, as root, inside the run's namespace, with the environment
# lib/control.sh documents.  timeout gives it a process group of its own,
# killed whole once the script ends, so nothing it left in the background
# (a vm_run, a QEMU it booted) outlives it; the caller then kills the VMs
# by their pid files as for any scenario.
lab_scenario_host() {
	local name=$1 timeout=$2 vms=$3 ceph=$4 out=$5 pid rc
	(
		export HPS_SRC HPS_BUILD HPS_KO LAB_NS LAB_SCRATCH LAB_KVER \
			LAB_INITRAMFS LAB_ACCEL LAB_EXPOSE LAB_VM_MEM
		export LAB_VMS=$vms LAB_TIMEOUT=$timeout LAB_OUT=$out/host-results
		export PATH=$HPS_BUILD/daemon:$HPS_BUILD/tools/hpsctl:$PATH
		if [ "$ceph" = yes ]; then
			export LAB_CEPH_CONF=$LAB_CEPH_DIR/ceph.conf CEPH_CONF=$LAB_CEPH_DIR/ceph.conf
		fi
		mkdir -p "$LAB_OUT"
		exec timeout "$timeout" ip netns exec "$LAB_NS" \
			bash "$(lab_scenario_path "$name")" </dev/null
	) &
	pid=$!
	wait "$pid"
	rc=$?
	kill -9 -- "-$pid" 2>/dev/null
	return "$rc"
}

# The text run inside VM 0: the scenario's environment, then the scenario.
lab_scenario_prologue() {
	lab_guest_env 0
	echo "exec bash '$(lab_scenario_path "$1")'"
}
