// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: pool geometry and key arithmetic (see hps-geometry.h).
 *
 * Only x86_64 is supported, so plain 64-bit division is fine here.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

#include "hps-geometry.h"

static __u32 ilog2_u64(__u64 v)
{
	__u32 r = 0;

	while (v >>= 1)
		r++;
	return r;
}

static __u64 round_up_u64(__u64 v, __u64 align)
{
	return (v + align - 1) / align * align;
}

/* Sectors of metadata (both slots of every page) for @nr_blocks blocks. */
static __u64 meta_sectors(__u64 nr_blocks)
{
	__u64 pages = (nr_blocks + HPS_WORDS_PER_PAGE - 1) / HPS_WORDS_PER_PAGE;

	return 2 * pages * HPS_META_PAGE_SECTORS;
}

/* The data area starts block aligned (and at least 4 KiB aligned). */
static __u64 data_start(__u64 nr_blocks, __u32 block_sectors)
{
	return round_up_u64(HPS_META_SECTOR + meta_sectors(nr_blocks),
			    block_sectors);
}

static int valid_block_sectors(__u32 bs)
{
	return bs >= 8 && bs <= 2048 && !(bs & (bs - 1));
}

/*
 * Fewest sets for which the key space (2^(HPS_TAG_BITS + k) blocks, shared
 * by the volumes of the pool) covers 2^HPS_MIN_KEY_SPACE_SHIFT bytes.
 */
static __u32 min_set_bits(__u32 block_sectors)
{
	__u32 blocks_bits = HPS_MIN_KEY_SPACE_SHIFT - 9 - ilog2_u64(block_sectors);

	return blocks_bits > HPS_TAG_BITS ? blocks_bits - HPS_TAG_BITS : 0;
}

__u64 hps_geometry_min_sectors(__u32 block_sectors)
{
	__u64 blocks = (__u64)HPS_MIN_WAYS << min_set_bits(block_sectors);

	return data_start(blocks, block_sectors) + blocks * block_sectors;
}

int hps_geometry_init(struct hps_geometry *g, __u64 cache_sectors,
		      __u32 block_sectors)
{
	__u64 nr, sets;
	__u32 k;

	if (!valid_block_sectors(block_sectors))
		return -EINVAL;
	if (cache_sectors < hps_geometry_min_sectors(block_sectors))
		return -ENOSPC;

	/*
	 * Each block costs block_sectors of data plus 2 x 4 B of metadata:
	 * start from that estimate and step down until the layout fits.
	 */
	nr = (cache_sectors - HPS_META_SECTOR) * 512 /
	     ((__u64)block_sectors * 512 + 8);
	while (nr && data_start(nr, block_sectors) + nr * block_sectors > cache_sectors)
		nr--;

	k = ilog2_u64(nr / HPS_MIN_WAYS);
	if (k < min_set_bits(block_sectors))
		return -ENOSPC;
	sets = 1ULL << k;

	g->block_sectors = block_sectors;
	g->key_bits = HPS_TAG_BITS + k;
	g->set_bits = k;
	g->nr_blocks = nr;
	g->nr_sets = sets;
	g->ways_base = nr / sets;
	g->ways_extra = nr % sets;
	g->meta_pages = (nr + HPS_WORDS_PER_PAGE - 1) / HPS_WORDS_PER_PAGE;
	g->meta_sector = HPS_META_SECTOR;
	g->data_sector = data_start(nr, block_sectors);
	return 0;
}

__u64 hps_geometry_index_bytes(const struct hps_geometry *g)
{
	return g->nr_blocks * 4 + g->meta_pages * 4 + 2 * ((g->meta_pages + 63) / 64 * 8);
}

__u64 hps_set_first_block(const struct hps_geometry *g, __u64 set)
{
	return set * g->ways_base + (set < g->ways_extra ? set : g->ways_extra);
}

__u64 hps_set_ways(const struct hps_geometry *g, __u64 set)
{
	return g->ways_base + (set < g->ways_extra);
}

__u64 hps_block_set(const struct hps_geometry *g, __u64 block)
{
	__u64 big = g->ways_extra * (g->ways_base + 1);

	if (block < big)
		return block / (g->ways_base + 1);
	return g->ways_extra + (block - big) / g->ways_base;
}

__u64 hps_make_key(const struct hps_geometry *g, __u64 base, __u64 vblock)
{
	return (base + vblock) & ((1ULL << g->key_bits) - 1);
}

/*
 * One Feistel round: the set is the key's low bits xor a hash of the tag,
 * so consecutive blocks of a volume spread over consecutive sets and
 * different volumes start at different sets, and the key comes back from
 * (set, tag) without a stored reverse map.
 */
static __u64 tag_hash(__u32 tag)
{
	__u64 h = (__u64)tag * 0x9e3779b97f4a7c15ULL;

	return h ^ (h >> 29);
}

void hps_key_split(const struct hps_geometry *g, __u64 key, __u64 *set,
		   __u32 *tag)
{
	__u64 mask = g->nr_sets - 1;

	*tag = key >> g->set_bits;
	*set = (key ^ tag_hash(*tag)) & mask;
}

__u64 hps_key_join(const struct hps_geometry *g, __u64 set, __u32 tag)
{
	__u64 mask = g->nr_sets - 1;

	return ((__u64)tag << g->set_bits) | ((set ^ tag_hash(tag)) & mask);
}
