/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-hps: pool geometry and the set-associative index's key arithmetic.
 *
 * Pure arithmetic, no kernel services, so the same file is compiled into
 * the module and into the user-space unit tests (test/unit/kmod/).  The
 * layout it computes is the one DATAPATH.md describes.
 */
#ifndef HPS_GEOMETRY_H
#define HPS_GEOMETRY_H

#include <linux/types.h>

/* 4 KiB metadata pages: a 16-byte header, then 1020 32-bit words. */
#define HPS_META_PAGE_SECTORS	8
#define HPS_META_PAGE_HEADER	16
#define HPS_WORDS_PER_PAGE	((4096 - HPS_META_PAGE_HEADER) / 4)

/* Volumes a pool can hold (volume table slots). */
#define HPS_MAX_SLOTS		256U

/* A word keeps this many tag bits (HPS_WORD_TAG_MASK, DATAPATH.md). */
#define HPS_TAG_BITS		24
/* The smallest pool's key space still addresses 2^46 B (64 TiB) of volumes. */
#define HPS_MIN_KEY_SPACE_SHIFT	46
/* Fewest blocks a set may have. */
#define HPS_MIN_WAYS		8

/* Fixed regions at the start of the cache device, in sectors. */
#define HPS_SB_A_SECTOR		0
#define HPS_SB_B_SECTOR		8
#define HPS_VTABLE_SECTORS	32	/* 16 KiB: 256 slots x 64 bytes */
#define HPS_VTABLE_A_SECTOR	16
#define HPS_VTABLE_B_SECTOR	(HPS_VTABLE_A_SECTOR + HPS_VTABLE_SECTORS)
#define HPS_META_SECTOR		(HPS_VTABLE_B_SECTOR + HPS_VTABLE_SECTORS)

struct hps_geometry {
	__u32 block_sectors;	/* cache block, power of two */
	__u32 key_bits;		/* HPS_TAG_BITS + set_bits: the pool's key space */
	__u32 set_bits;		/* k: nr_sets = 1 << k */
	__u64 nr_blocks;	/* data blocks */
	__u64 nr_sets;
	__u64 ways_base;	/* every set has ways_base blocks ... */
	__u64 ways_extra;	/* ... and the first ways_extra sets one more */
	__u64 meta_pages;	/* pages of words (each has two on-disk slots) */
	__u64 meta_sector;	/* first sector of the metadata slots */
	__u64 data_sector;	/* first sector of block 0, block aligned */
};

/*
 * Lay out a pool of @block_sectors blocks on @cache_sectors.  Returns 0, or
 * -EINVAL for a bad block size, -ENOSPC when the device cannot hold a pool
 * whose tags fit a word (too few sets).
 */
int hps_geometry_init(struct hps_geometry *g, __u64 cache_sectors,
		      __u32 block_sectors);

/* Smallest cache device, in sectors, that holds a pool of @block_sectors. */
__u64 hps_geometry_min_sectors(__u32 block_sectors);

/*
 * Kernel memory of a pool's index: a word a block, and a seq, a slot bit and
 * a dirty bit a metadata page (struct hps_meta).
 */
__u64 hps_geometry_index_bytes(const struct hps_geometry *g);

/* First block and block count of set @set. */
__u64 hps_set_first_block(const struct hps_geometry *g, __u64 set);
__u64 hps_set_ways(const struct hps_geometry *g, __u64 set);
/* The set block @block belongs to. */
__u64 hps_block_set(const struct hps_geometry *g, __u64 block);

/*
 * A volume owns the keys [base, base + its blocks) of the pool's key space
 * (the volume table says which); block vblock of it has key base + vblock.
 */
__u64 hps_make_key(const struct hps_geometry *g, __u64 base, __u64 vblock);
/* Split a key into its set and tag, and join them back. */
void hps_key_split(const struct hps_geometry *g, __u64 key, __u64 *set,
		   __u32 *tag);
__u64 hps_key_join(const struct hps_geometry *g, __u64 set, __u32 tag);

#endif /* HPS_GEOMETRY_H */
