#!/usr/bin/env python3
# Acknowledged writes, for power-loss scenarios.
#
#   acked_writes.py write DEV LOG REGION_MIB   4 KiB O_DIRECT writes, one at a
#       time, to pseudo-random blocks of DEV's first REGION_MIB; after each
#       write returns, "INDEX OFFSET" is appended to LOG (on the VM's share,
#       which outlives a power-off).  Runs until killed.
#   acked_writes.py verify SRC LOG             every block LOG names holds the
#       last write LOG has for it (or the one write that may have been in
#       flight, the index after LOG's last); exit 1 naming the first block
#       that does not.  SRC: a device or an image file.
import mmap
import os
import sys

BLOCK = 4096


def pattern(index):
    head = b"hps-acked %012d " % index
    return (head * (BLOCK // len(head) + 1))[:BLOCK]


def offset_of(index, blocks):
    # A fixed pseudo-random walk, so that verify knows the next write's block.
    return ((index * 2654435761) % blocks) * BLOCK


def write(dev, log, region_mib):
    blocks = region_mib * 1024 * 1024 // BLOCK
    fd = os.open(dev, os.O_WRONLY | os.O_DIRECT)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    buf = mmap.mmap(-1, BLOCK)
    index = 0
    os.write(out, b"blocks %d\n" % blocks)
    while True:
        index += 1
        buf.seek(0)
        buf.write(pattern(index))
        off = offset_of(index, blocks)
        if os.pwritev(fd, [buf], off) != BLOCK:
            sys.exit("short write at %d" % off)
        os.write(out, b"%d %d\n" % (index, off))


def verify(src, log):
    last = {}
    top = 0
    blocks = None
    with open(log) as f:
        for line in f:
            a, b = line.split()
            if a == "blocks":
                blocks = int(b)
                continue
            index, off = int(a), int(b)
            last[off] = index
            top = max(top, index)
    if blocks is None or not last:
        sys.exit("FAIL: %s names no acknowledged write" % log)
    maybe_off = offset_of(top + 1, blocks)
    fd = os.open(src, os.O_RDONLY)
    bad = 0
    for off, index in sorted(last.items()):
        data = os.pread(fd, BLOCK, off)
        if data == pattern(index):
            continue
        if off == maybe_off and data == pattern(top + 1):
            continue
        bad += 1
        if bad == 1:
            print("FAIL: block at %d holds %r, not acknowledged write %d"
                  % (off, data[:24], index))
    if bad:
        sys.exit("FAIL: %d of %d blocks lost their acknowledged write" % (bad, len(last)))
    print("verified %d blocks, %d acknowledged writes" % (len(last), top))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: acked_writes.py write DEV LOG MIB | verify SRC LOG")
