# The channel's ATTACH and writeback ioctls (kmod/include/uapi/linux/dm-hps.h,
# FORMAT.md "Writeback") for the python of lab scenarios, so the struct
# layouts live in one place.  Scenarios run python with
# PYTHONPATH=$HPS_SRC/test/lab/guest.
import fcntl
import os
import re
import struct


def _iowr(nr, size):
    return (3 << 30) | (size << 16) | (0xb5 << 8) | nr


ATTACH_FMT = "<6I3Q"  # struct hps_attach, 48 bytes
# struct hps_wb_take: pool_id max blocks count major minor roll_ms dirty total
# age_ms throttle_us min_age_ms reserved, 64 bytes
TAKE_FMT = "<IIQIIIIQQIIII"
DONE_FMT = "<IIQII2Q"  # struct hps_wb_done, 40 bytes
BLOCK_FMT = "<QQQII"  # struct hps_wb_block: block cache_offset offset volume_id len
BLOCK_SIZE = 32
RESULT_FMT = "<QiI"  # struct hps_wb_result: block error flags
RESULT_SIZE = 16
WB_CLEANED = 1  # hps_wb_result.flags: WB_DONE marked the block clean
CLEAN_FMT = "<IIIIQ2Q"  # struct hps_wb_clean: pool volume count cleaned ranges reserved[2]
RANGE_FMT = "<QQ"  # struct hps_wb_range: offset len
ATTACH, WB_TAKE, WB_DONE = _iowr(0, 48), _iowr(1, 64), _iowr(2, 40)
WB_CLEAN = _iowr(3, 40)


def abi_version():
    """HPS_ABI_VERSION as the source tree's uapi header says."""
    header = os.path.join(os.environ["HPS_SRC"], "kmod/include/uapi/linux/dm-hps.h")
    with open(header) as f:
        return int(re.search(r"^#define\s+HPS_ABI_VERSION\s+(\d+)", f.read(), re.M).group(1))


def attach_arg(abi):
    return bytearray(struct.pack(ATTACH_FMT, abi, 0, 0, 0, 0, 0, 0, 0, 0))


def open_attached():
    """/dev/hps-channel, attached with this tree's ABI version."""
    fd = os.open("/dev/hps-channel", os.O_RDWR)
    fcntl.ioctl(fd, ATTACH, attach_arg(abi_version()))
    return fd


def take_arg(pool, max_blocks, blocks_ptr, roll=0, throttle=0, min_age=0, reserved=0):
    return bytearray(struct.pack(TAKE_FMT, pool, max_blocks, blocks_ptr, 0, 0, 0, roll, 0, 0, 0,
                                 throttle, min_age, reserved))


def take_result(arg):
    f = struct.unpack(TAKE_FMT, arg)
    return {"count": f[3], "dirty": f[7], "total": f[8], "age_ms": f[9]}


def done_arg(pool, count, results_ptr):
    return bytearray(struct.pack(DONE_FMT, pool, count, results_ptr, 0, 0, 0, 0))


def block_volume(blocks, i):
    """The volume id of entry i of a struct hps_wb_block array."""
    return struct.unpack_from(BLOCK_FMT, blocks, i * BLOCK_SIZE)[3]


def block_number(blocks, i):
    """The pool block of entry i of a struct hps_wb_block array."""
    return struct.unpack_from(BLOCK_FMT, blocks, i * BLOCK_SIZE)[0]


def clean(fd, pool, volume, ranges, count=None, reserved=0):
    """WB_CLEAN of [(offset, len), ...] of a secondary volume: the blocks cleaned."""
    import ctypes
    buf = ctypes.create_string_buffer(max(1, len(ranges)) * 16)
    for i, (offset, length) in enumerate(ranges):
        struct.pack_into(RANGE_FMT, buf, i * 16, offset, length)
    arg = bytearray(struct.pack(CLEAN_FMT, pool, volume, len(ranges) if count is None else count,
                                0, ctypes.addressof(buf), reserved, 0))
    fcntl.ioctl(fd, WB_CLEAN, arg)
    return struct.unpack(CLEAN_FMT, arg)[3]
