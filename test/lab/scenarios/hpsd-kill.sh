#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: hpsd SIGKILLed under fio verify load (cached writes, partial writes and misses through the channel, writeback) and restarted: I/O resumes without an error, nothing is lost
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

V=hk-$RANDOM
hpsd_setup
hpsd_start
must ctl volume create "$V" --size 256M
DEV=/dev/mapper/hps-$V

# Mixed sizes: 512 B writes go through hpsd to RBD, the rest is cached;
# the verify pass reads it all (hits, and misses through hpsd).
run_fio() {
	fio --name="$1" --filename="$DEV" --direct=1 --ioengine=libaio --rw=randwrite \
		--bssplit=512/15:4k/55:16k/15:64k/15 --iodepth=16 --offset="$2" --size=48M \
		--verify=crc32c --do_verify=1 --verify_fatal=1 --output="$LAB_OUT/fio-$1.txt"
}

for round in 1 2; do
	log "round $round: fio verify in the background, then kill -9 hpsd twice"
	run_fio "kill$round" $(( (round - 1) * 128 ))M &
	fio_pid=$!
	kills=0
	for k in 1 2; do
		sleep 4
		kill -0 "$fio_pid" 2>/dev/null || break
		log "kill -9 hpsd (pid $hpsd_pid)"
		hpsd_kill
		kills=$((kills + 1))
		sleep 2
		hpsd_start
	done
	# A round whose fio ended before the first kill would test nothing.
	[ "$kills" -gt 0 ] || die "round $round: fio ended before hpsd could be killed under it"
	wait "$fio_pid" || die "fio failed across the hpsd kills (see $LAB_OUT/fio-kill$round.txt): $(tail -n 5 "$LAB_OUT/fio-kill$round.txt")"
	log "round $round: fio verified every block"
	expect_eq "$(vol_field "$V" 12)" 0 "volume errors after round $round"
done

log "kill -9 during the drain, then drain to the end"
sleep 2
hpsd_kill
sleep 1
hpsd_start
wait_clean "$V" 900
rbd export "$V" - --no-progress | cmp - "$DEV" ||
	die "rbd image and the volume differ after the drain"

must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel "hpsd-kill"
log "ok"
