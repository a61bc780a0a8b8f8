#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=1800
# about: Ceph unreachable for 30 s under write load: cached writes go on without an error, writeback resumes by itself, the image ends up correct
source "$HPS_SRC/test/lab/guest/lib.sh"
source "$HPS_SRC/test/lab/guest/hpsd.sh"

# The VM reaches Ceph only over eth0 (the lab's shares are virtio 9p), so
# taking eth0 down makes Ceph unreachable for hpsd's writeback and reads.
V=co-$RANDOM
hpsd_setup '"flush_bandwidth_mbps": 4'
hpsd_start
must ctl volume create "$V" --size 256M
DEV=/dev/mapper/hps-$V

log "some dirty data first, written back slowly (4 MB/s)"
must fio --name=pre --filename="$DEV" --direct=1 --ioengine=libaio --rw=write --bs=64k \
	--iodepth=4 --size=64M --output=/dev/null

log "fio verify (whole 4 KiB blocks) in the background; Ceph gone for 30 s meanwhile"
fio --name=outage --filename="$DEV" --direct=1 --ioengine=libaio --rw=randwrite --bs=4k \
	--iodepth=16 --offset=64M --size=96M --verify=crc32c --do_verify=1 --verify_fatal=1 \
	--output="$LAB_OUT/fio-outage.txt" &
fio_pid=$!
sleep 3
must ip link set eth0 down
log "eth0 down: Ceph unreachable"
sleep 30
must ip link set eth0 up
log "eth0 up"
wait "$fio_pid" || die "fio failed during the Ceph outage: $(tail -n 5 "$LAB_OUT/fio-outage.txt")"
expect_eq "$(vol_field "$V" 12)" 0 "volume errors"

log "writeback resumes by itself; the image ends up equal to the device"
wait_clean "$V" 900
rbd export "$V" - --no-progress | cmp - "$DEV" ||
	die "rbd image and the volume differ after the outage and the drain"

must ctl volume delete "$V" --delete-image
hpsd_stop
check_kernel "ceph-outage"
log "ok"
