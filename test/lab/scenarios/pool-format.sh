#!/usr/bin/env bash
# lab: vms=1 ceph=no timeout=900
# about: hps-pool superblocks: format only when asked, reload by uuid, survive a bad copy, refuse mismatches
source "$HPS_SRC/test/lab/guest/lib.sh"

NV=$LAB_NVME
CACHE=hps-fmt-cache		# a 64 MiB slice of the NVMe disk
SLICE=131072
P=hps-pool-7

uuid_of() { dmsetup status "$1" | awk '{ print $9 }'; }

# The superblock copies as bytes: magic at 0 and 4096 of the cache device.
magic_at() { dd if="/dev/mapper/$CACHE" bs=1 skip="$1" count=8 status=none; }

must hps_module_deps
must insmod "$HPS_KO"
must dm_create "$CACHE" "0 $SLICE linear $NV 0"
must dd if=/dev/zero of="/dev/mapper/$CACHE" bs=1M count=1 oflag=direct status=none
T="0 $SLICE hps-pool /dev/mapper/$CACHE 7 8"

log "a blank device is never a pool by accident"
dm_reject "$P" "holds no hps pool" "$T"

log "format writes both superblock copies"
must dm_create "$P" "$T 1 format"
u1=$(uuid_of "$P")
[[ $u1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || die "pool uuid '$u1'"
must dm_remove "$P"
expect_eq "$(magic_at 0)" HPSPOOL1 "magic of superblock A"
expect_eq "$(magic_at 4096)" HPSPOOL1 "magic of superblock B"

log "re-creating without format loads the same pool"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid after reload"
must dm_remove "$P"

log "format over a pool needs force_format; the pool survives the attempt"
dm_reject "$P" "needs force_format" "$T 1 format"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid after a refused format"
must dm_remove "$P"

log "a table that does not describe this pool is refused"
dm_reject "$P" "another pool_id" "0 $SLICE hps-pool /dev/mapper/$CACHE 8 8"
dm_reject "$P" "another block_sectors" "0 $SLICE hps-pool /dev/mapper/$CACHE 7 16"

log "one torn superblock copy: the other one loads"
must dd if=/dev/urandom of="/dev/mapper/$CACHE" bs=512 count=1 seek=0 oflag=direct status=none
mark=$(dmesg | wc -l)
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u1" "uuid with copy A torn"
dmesg | tail -n +"$((mark + 1))" | grep -q "one superblock copy was bad" ||
	die "kernel did not report the bad copy"
must dm_remove "$P"
must dd if=/dev/urandom of="/dev/mapper/$CACHE" bs=512 count=1 seek=8 oflag=direct status=none
dm_reject "$P" "holds no hps pool" "$T"

log "force_format makes a new pool"
must dm_create "$P" "$T 1 format"	# no valid copy left: plain format works
u2=$(uuid_of "$P")
must dm_remove "$P"
must dm_create "$P" "$T 2 format force_format"
u3=$(uuid_of "$P")
must dm_remove "$P"
[ "$u2" != "$u1" ] && [ "$u3" != "$u2" ] || die "uuids did not change: $u1 $u2 $u3"
must dm_create "$P" "$T"
expect_eq "$(uuid_of "$P")" "$u3" "uuid after force_format"
must dm_remove "$P"

log "metadata pages: the index takes the newer valid slot of each page"
# meta_slot PAGE SLOT SEQ TAG_UUID [bad-crc] WORD...: write one metadata slot
# as FORMAT.md describes it (crc32c seeded ~0 with no final xor, like the
# kernel's crc32c()).
meta_slot() {
	python3 - "/dev/mapper/$CACHE" "$@" <<'PY'
import os, struct, sys, uuid
def crc32c(data, crc=0xffffffff):
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc
dev, page, slot, seq, tag_uuid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rest = sys.argv[6:]
bad = rest[:1] == ["bad-crc"]
words = [int(w, 0) for w in (rest[1:] if bad else rest)]
body = struct.pack("<III", seq, page, crc32c(uuid.UUID(tag_uuid).bytes))
body += struct.pack("<%dI" % len(words), *words) + bytes(4096 - 16 - 4 * len(words))
crc = crc32c(body) ^ (1 if bad else 0)
fd = os.open(dev, os.O_WRONLY)
os.pwrite(fd, struct.pack("<I", crc) + body, (80 + (2 * page + slot) * 8) * 512)
os.fsync(fd)
os.close(fd)
PY
}
# load_counts: "used dirty" of the pool, loaded afresh.
load_counts() {
	dm_create "$P" "$T" || return 1
	dmsetup status "$P" | awk '{ print $10, $11 }'
	dm_remove "$P"
}
VALID=$((1 << 24)) DIRTY=$((1 << 25))
want_index=$("$HPS_BUILD/tools/hps-geometry" "$SLICE" 8 | sed -n 's/^index_bytes //p')
must dm_create "$P" "$T"
expect_eq "$(dmsetup status "$P" | awk '{ print $10, $11, $12 }')" "0 0 $want_index" \
	"used, dirty and index bytes of a fresh pool"
must dm_remove "$P"

# Page 0, slot 1: a dirty block, a clean one, and a word without the valid bit.
must meta_slot 0 1 5 "$u3" $((VALID | DIRTY | 3)) $((VALID | 7)) $((DIRTY | 9))
expect_eq "$(load_counts)" "2 1" "used/dirty from page 0 slot 1"
# A newer slot 0 that is torn: slot 1 still counts, and the kernel says so.
mark=$(dmesg | wc -l)
must meta_slot 0 0 6 "$u3" bad-crc $((VALID | 3))
expect_eq "$(load_counts)" "2 1" "used/dirty with a torn newer slot"
dmesg | tail -n +"$((mark + 1))" | grep -q "corrupt metadata slot" || die "no word of the torn slot"
# A newer valid slot 0 wins: block 0 now clean, block 1 free.
must meta_slot 0 0 7 "$u3" $((VALID | 3))
expect_eq "$(load_counts)" "1 0" "used/dirty from the newer slot 0"
# A page of another pool (an old one formatted over) is not this pool's.
must meta_slot 1 0 9 "$u1" $((VALID | DIRTY | 1))
expect_eq "$(load_counts)" "1 0" "used/dirty with another pool's page"
# The last page: word 19 is the last block (16339 = 16 * 1020 + 19), word 20
# lies past the end and is ignored.
must meta_slot 16 0 1 "$u3" $(for _ in $(seq 19); do printf '0 '; done) $((VALID | DIRTY | 5)) $((VALID | DIRTY | 6))
expect_eq "$(load_counts)" "2 1" "used/dirty with the last page"
check_kernel "metadata loads"

log "a cache device that changed size is refused"
must dmsetup reload "$CACHE" --table "0 $((SLICE + 65536)) linear $NV 0"
must dmsetup resume "$CACHE"
dm_reject "$P" "changed size" "0 $((SLICE + 65536)) hps-pool /dev/mapper/$CACHE 7 8"

must dm_remove "$CACHE"
must rmmod dm_hps
check_kernel rmmod
log "pool-format: ok"
