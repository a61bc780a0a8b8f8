#!/usr/bin/env bash
# lab: vms=1 ceph=yes timeout=300
# about: a VM reaches the lab's real Ceph: rbd create, import/export round trip, rbd bench
source "$HPS_SRC/test/lab/guest/lib.sh"

[ -n "${LAB_CEPH_CONF:-}" ] || die "runner gave no LAB_CEPH_CONF"
must ceph_answers
cat "$LAB_OUT/ceph-s.out"
img=smoke-$RANDOM

log "create and inspect an image"
must rbd create --size 64M "$img"
size=$(rbd info --format json "$img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
expect_eq "$size" $((64 << 20)) "rbd info size"

log "import/export round trip keeps every byte"
head -c $((8 << 20)) /dev/urandom >/tmp/in.bin
must rbd import --no-progress /tmp/in.bin "$img-rt"
must rbd export --no-progress "$img-rt" /tmp/out.bin
must cmp /tmp/in.bin /tmp/out.bin

log "rbd bench from inside the VM"
rbd bench --io-type write --io-size 4K --io-threads 16 --io-total 32M "$img" | tee "$LAB_OUT/bench-write.txt"
grep -q '^elapsed:' "$LAB_OUT/bench-write.txt" || die "rbd bench write printed no summary"
rbd bench --io-type read --io-size 4K --io-threads 16 --io-total 16M "$img" | tee "$LAB_OUT/bench-read.txt"
grep -q '^elapsed:' "$LAB_OUT/bench-read.txt" || die "rbd bench read printed no summary"

must rbd rm --no-progress "$img"
must rbd rm --no-progress "$img-rt"
log "ok"
