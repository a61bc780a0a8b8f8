/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dm-hps: the ABI shared by the kernel module and hpsd.
 *
 * This is the only header both sides include.  Bump HPS_ABI_VERSION on any
 * change a running peer could notice (struct layout, command numbers, the
 * meaning of a field); hpsd refuses to drive a module whose version differs.
 * The module publishes its version in /sys/module/dm_hps/parameters/abi_version.
 */
#ifndef _UAPI_LINUX_DM_HPS_H
#define _UAPI_LINUX_DM_HPS_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define HPS_ABI_VERSION		4

/* Device-mapper target names. */
#define HPS_POOL_TARGET_NAME	"hps-pool"
#define HPS_VOLUME_TARGET_NAME	"hps"

/* Cache block size bounds, in 512-byte sectors (4 KiB .. 1 MiB, power of 2). */
#define HPS_BLOCK_SECTORS_MIN	8
#define HPS_BLOCK_SECTORS_MAX	2048
#define HPS_BLOCK_SECTORS_DEFAULT 8

/* Pool ids name /dev/mapper/hps-pool-<id>; volume ids are cluster-wide. */
#define HPS_POOL_ID_MAX		255
#define HPS_VOLUME_ID_MAX	0xffffffffU

/* A volume is at most 65535 GiB (the cluster's documented limit). */
#define HPS_VOLUME_MAX_SECTORS	((__u64)65535 << 21)

/* Bound of a volume's seq_cutoff table argument, in bytes (1 GiB). */
#define HPS_SEQ_CUTOFF_MAX	(1U << 30)

/*
 * On-disk superblock of a pool (FORMAT.md, "On disk").  Two copies, at
 * sectors HPS_SB_A_SECTOR and HPS_SB_B_SECTOR, each in its own 4 KiB block;
 * the valid copy with the higher seq wins.  Little-endian; crc is crc32c
 * (seed ~0) of the whole struct with crc itself taken as 0.
 */
#define HPS_SUPER_MAGIC		0x314c4f4f50535048ULL	/* "HPSPOOL1" */
#define HPS_FORMAT_VERSION	2
#define HPS_SUPER_CLEAN		(1U << 0)	/* last stopped with nothing in flight */

struct hps_disk_super {
	__le64 magic;
	__le32 crc;
	__le32 version;		/* HPS_FORMAT_VERSION */
	__le64 seq;		/* bumped on every superblock write */
	__u8 uuid[16];		/* made at format; metadata pages carry it too */
	__le32 pool_id;
	__le32 block_sectors;
	__le64 cache_sectors;	/* size of the cache device at format */
	__le64 nr_blocks;
	__le32 set_bits;
	__le32 flags;		/* HPS_SUPER_* */
	__le64 meta_sector;
	__le64 meta_pages;
	__le64 data_sector;
	__le64 format_time;	/* seconds since the epoch, for people */
	__u8 reserved[48];	/* zero */
};

/*
 * Metadata pages (FORMAT.md, "On disk").  Page p of the block words has two
 * 4 KiB slots, at sectors meta_sector + (2p + slot) * 8; the valid slot with
 * the newer seq wins.  A slot is valid when its crc (crc32c, seed ~0, of
 * the 4092 bytes after the crc field) matches, page_nr is p and pool_tag is
 * crc32c(~0, uuid) of this pool, so pages of a pool formatted over are
 * never taken for this one's.
 */
struct hps_disk_meta_header {
	__le32 crc;
	__le32 seq;
	__le32 page_nr;
	__le32 pool_tag;
};

/*
 * Volume table (FORMAT.md, "On disk"): which volume owns which range of
 * the pool's key space.  Two copies of 16 KiB at sectors 16 and 48; the
 * valid one (crc32c, seed ~0, over the bytes after crc; pool_tag as in
 * metadata pages) with the newer seq wins.
 */
#define HPS_VTABLE_SLOTS	256

struct hps_disk_vtable_entry {
	__le32 volume_id;	/* 0: free */
	__le32 reserved0;
	__le64 base;		/* first key, a multiple of the pool's sets */
	__le64 nr_blocks;	/* keys owned, a multiple of the pool's sets */
	__le64 reserved1;
};

struct hps_disk_vtable {
	__le32 crc;
	__le32 seq;
	__le32 pool_tag;
	__le32 nr_slots;	/* HPS_VTABLE_SLOTS */
	struct hps_disk_vtable_entry slots[HPS_VTABLE_SLOTS];
};

#define HPS_META_WORDS_PER_PAGE	1020	/* (4096 - 16) / 4 */

/* A block's 32-bit word; only these bits are kept on disk (28..31 are 0). */
#define HPS_WORD_TAG_MASK	0x00ffffffU	/* bits 0..23 */
#define HPS_WORD_VALID		(1U << 24)
#define HPS_WORD_DIRTY		(1U << 25)
#define HPS_WORD_EPOCH_SHIFT	26		/* bits 26..27: dirty epoch */
#define HPS_WORD_EPOCH_MASK	(3U << HPS_WORD_EPOCH_SHIFT)
#define HPS_WORD_DISK_MASK	(HPS_WORD_TAG_MASK | HPS_WORD_VALID | \
				 HPS_WORD_DIRTY | HPS_WORD_EPOCH_MASK)

/*
 * The channel between the module and hpsd: a misc device only one process
 * (hpsd) may hold open.  HPS_IOC_ATTACH checks the ABI version; then hpsd
 * mmap()s the shared area and serves requests through io_uring
 * IORING_OP_URING_CMD commands on the same fd (FORMAT.md, "Channel").
 */
#define HPS_CHANNEL_NAME	"hps-channel"	/* /dev/hps-channel */

struct hps_attach {
	__u32 abi_version;	/* in: HPS_ABI_VERSION of the caller */
	__u32 kernel_abi;	/* out: the module's HPS_ABI_VERSION */
	__u32 nr_pools;		/* out: pools that exist now */
	__u32 nr_volumes;	/* out: volumes that exist now */
	__u32 nr_tags;		/* out: HPS_CHAN_TAGS */
	__u32 io_bytes;		/* out: HPS_CHAN_IO_BYTES, one tag's buffer */
	__u64 map_bytes;	/* out: HPS_CHAN_MAP_BYTES, length to mmap */
	__u64 reserved[2];	/* in: zero */
};

/*
 * The shared area, mmap(fd, offset 0, HPS_CHAN_MAP_BYTES) after ATTACH:
 * the descriptor of tag t at HPS_CHAN_DESC_OFFSET + t * sizeof(desc), its
 * data buffer at HPS_CHAN_BUF_OFFSET + t * HPS_CHAN_IO_BYTES.  A request
 * never carries more than HPS_CHAN_IO_BYTES of data.
 */
#define HPS_CHAN_TAGS		64
#define HPS_CHAN_IO_BYTES	(128U << 10)
#define HPS_CHAN_DESC_OFFSET	0
#define HPS_CHAN_BUF_OFFSET	(64U << 10)
#define HPS_CHAN_MAP_BYTES	(HPS_CHAN_BUF_OFFSET + \
				 (__u64)HPS_CHAN_TAGS * HPS_CHAN_IO_BYTES)

/* What the kernel asks of hpsd (struct hps_io_desc.op). */
enum hps_io_op {
	HPS_OP_READ	= 1,	/* read the backend into the tag's buffer */
	HPS_OP_WRITE	= 2,	/* write the tag's buffer to the backend */
	HPS_OP_DISCARD	= 3,	/* discard [offset, offset + len) */
	HPS_OP_FLUSH	= 4,	/* make completed backend writes durable */
	/*
	 * A primary volume cached the tag's buffer at [offset, offset + len):
	 * answer 0 once the peer holds it (or once the volume is no longer
	 * replicated and the range is recorded for resync); -errno fails the
	 * write.  The volume's local write runs meanwhile.
	 */
	HPS_OP_REPLICATE = 5,
	/* A primary volume got a flush: answer once the peer committed every
	 * REPLICATE answered before. */
	HPS_OP_REPL_FLUSH = 6,
};

#define HPS_IOF_FUA	(1U << 0)	/* WRITE, REPLICATE: durable before completing */

/* One request, written by the kernel before it completes the FETCH. */
struct hps_io_desc {
	__u8 op;		/* enum hps_io_op */
	__u8 flags;		/* HPS_IOF_* */
	__u16 tag;
	__u32 volume_id;
	__u64 offset;		/* bytes into the volume (backend image) */
	__u64 len;		/* bytes; READ/WRITE at most HPS_CHAN_IO_BYTES */
	__u64 serial;		/* increases with every request, for logs */
};

/*
 * io_uring commands (sqe->cmd_op; the payload in the SQE's 16-byte cmd
 * area).  hpsd posts one FETCH per tag; the kernel completes it (cqe->res
 * 0) when desc[tag] holds a request.  hpsd answers with COMMIT_AND_FETCH:
 * result 0 for success or a negative errno (the I/O fails with it), which
 * also posts the next fetch for the tag.  A FETCH completes with
 * -ECANCELED when the channel stops serving it (hpsd exiting).
 */
#define HPS_UCMD_FETCH			0x01
#define HPS_UCMD_COMMIT_AND_FETCH	0x02

struct hps_uring_cmd {
	__u16 tag;
	__u16 reserved0;	/* zero */
	__s32 result;		/* COMMIT_AND_FETCH: 0 or -errno */
	__u64 reserved1;	/* zero */
};

/*
 * Writeback (hpsd's engine drives it): WB_TAKE hands out up to max dirty
 * blocks of one pool, oldest first, and marks them under writeback; hpsd
 * reads them from the pool's cache device (cache_major:cache_minor, with
 * O_DIRECT), writes them to the backend, flushes it, and reports each with
 * WB_DONE.  A block is marked clean only if nothing wrote it since it was
 * taken.  WB_TAKE also tells how long the blocks it took have been dirty
 * at least (dirty epochs; roll_ms bounds an epoch's length), and sets the
 * pool's write throttle, which lapses unless renewed within
 * HPS_WB_THROTTLE_LEASE_MS (an hpsd that stops looking stops throttling).
 * WB_TAKE returns only once every write to the pool's volumes that began
 * before it has ended (a primary's: its REPLICATE answered too), so the
 * reads see them and their replication seqs are handed out.  WB_DONE
 * says which blocks it cleaned (HPS_WB_CLEANED); WB_CLEAN marks whole
 * blocks of a secondary volume clean once its primary wrote them back.
 */
struct hps_wb_block {
	__u64 block;		/* pool block number: give it back in WB_DONE */
	__u64 cache_offset;	/* bytes on the cache device */
	__u64 offset;		/* bytes into the volume */
	__u32 volume_id;
	__u32 len;		/* bytes (the pool's block size) */
};

struct hps_wb_take {
	__u32 pool_id;		/* in */
	__u32 max;		/* in: entries blocks points to, 0..4096; 0 only reports */
	__u64 blocks;		/* in: user pointer to struct hps_wb_block[max] */
	__u32 count;		/* out: entries filled */
	__u32 cache_major;	/* out: the pool's cache device */
	__u32 cache_minor;
	__u32 roll_ms;		/* in: a new dirty epoch once the current is this old */
	__u64 dirty;		/* out: dirty blocks in the pool */
	__u64 total;		/* out: blocks in the pool */
	__u32 age_ms;		/* out: the blocks taken are dirty at least this long */
	__u32 throttle_us;	/* in: delay new writes this long (0: not at all) */
	__u32 min_age_ms;	/* in: take only blocks dirty this long (0: any) */
	__u32 reserved;		/* in: zero */
};

#define HPS_WB_CLEANED		(1U << 0)	/* hps_wb_result.flags: marked clean */

struct hps_wb_result {
	__u64 block;		/* as WB_TAKE gave it */
	__s32 error;		/* 0: on the backend and flushed; else -errno */
	__u32 flags;		/* in: zero; out: HPS_WB_CLEANED if now clean */
};

struct hps_wb_done {
	__u32 pool_id;		/* in */
	__u32 count;		/* in: entries results points to, 1..4096 */
	__u64 results;		/* in: user pointer to struct hps_wb_result[count] */
	__u32 cleaned;		/* out: blocks now clean */
	__u32 kept;		/* out: rewritten meanwhile or failed: still dirty */
	__u64 reserved[2];	/* in: zero */
};

/* A byte range of a volume: offset and len multiples of 512, len > 0. */
struct hps_wb_range {
	__u64 offset;		/* bytes into the volume */
	__u64 len;		/* bytes */
};

struct hps_wb_clean {
	__u32 pool_id;		/* in */
	__u32 volume_id;	/* in: a volume of role secondary bound to the pool */
	__u32 count;		/* in: entries ranges points to, 1..4096 */
	__u32 cleaned;		/* out: blocks marked clean */
	__u64 ranges;		/* in: user pointer to struct hps_wb_range[count] */
	__u64 reserved[2];	/* in: zero */
};

#define HPS_WB_MAX		4096
#define HPS_WB_THROTTLE_MAX_US	100000	/* throttle_us at most */
#define HPS_WB_THROTTLE_LEASE_MS 5000	/* a throttle lapses this long after it was set */

#define HPS_IOC_MAGIC		0xb5
/* 0, or EPROTO with kernel_abi filled in when the versions differ. */
#define HPS_IOC_ATTACH		_IOWR(HPS_IOC_MAGIC, 0x00, struct hps_attach)
#define HPS_IOC_WB_TAKE		_IOWR(HPS_IOC_MAGIC, 0x01, struct hps_wb_take)
#define HPS_IOC_WB_DONE		_IOWR(HPS_IOC_MAGIC, 0x02, struct hps_wb_done)
#define HPS_IOC_WB_CLEAN	_IOWR(HPS_IOC_MAGIC, 0x03, struct hps_wb_clean)

/* The role of one volume on this node; see kmod/FORMAT.md. */
enum hps_role {
	HPS_ROLE_PRIMARY	= 0,	/* serves I/O, replicates every write */
	HPS_ROLE_SECONDARY	= 1,	/* holds the peer's replicated writes */
	HPS_ROLE_STANDALONE	= 2,	/* serves I/O, no peer */
	HPS_ROLE_PASSTHROUGH	= 3,	/* every I/O goes to the backend */
	HPS_ROLE_COUNT
};

/* Cache mode of one volume. */
enum hps_cache_mode {
	HPS_MODE_WRITEBACK	= 0,
	HPS_MODE_WRITETHROUGH	= 1,
	HPS_MODE_COUNT
};

#endif /* _UAPI_LINUX_DM_HPS_H */
