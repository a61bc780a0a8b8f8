// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the pool superblock: read, check, and format.
 *
 * A pool is never formatted implicitly: a table without the format feature
 * must find a valid pool of the same geometry, and format over a valid pool
 * needs force_format too.  That keeps dirty data safe from a typo.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/uuid.h>

#include "dm-hps.h"

static_assert(sizeof(struct hps_disk_super) <= 512);

static int hps_super_io(struct block_device *bdev, sector_t sector,
			struct page *page, blk_opf_t opf)
{
	return hps_io_pages(bdev, opf, &page, &sector, 1);
}

static u32 hps_super_crc(const struct hps_disk_super *sb)
{
	struct hps_disk_super copy = *sb;

	copy.crc = 0;
	return crc32c(~0U, &copy, sizeof(copy));
}

/* Read one copy; false when it is unreadable or not a valid superblock. */
static bool hps_super_read_copy(struct block_device *bdev, sector_t sector,
				struct page *page, struct hps_disk_super *out)
{
	if (hps_super_io(bdev, sector, page, REQ_OP_READ))
		return false;
	memcpy(out, page_address(page), sizeof(*out));
	return le64_to_cpu(out->magic) == HPS_SUPER_MAGIC &&
	       le32_to_cpu(out->crc) == hps_super_crc(out);
}

static int hps_super_write(struct block_device *bdev, struct page *page,
			   const struct hps_disk_super *sb)
{
	int r;

	memset(page_address(page), 0, PAGE_SIZE);
	memcpy(page_address(page), sb, sizeof(*sb));
	/* One copy at a time: a crash leaves the other one whole. */
	r = hps_super_io(bdev, HPS_SB_A_SECTOR, page,
			 REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA);
	if (!r)
		r = hps_super_io(bdev, HPS_SB_B_SECTOR, page,
				 REQ_OP_WRITE | REQ_SYNC | REQ_FUA);
	return r;
}

static void hps_super_fill(struct hps_disk_super *sb, const struct hps_geometry *g,
			   unsigned int pool_id, u64 cache_sectors, u64 seq)
{
	uuid_t uuid;

	memset(sb, 0, sizeof(*sb));
	uuid_gen(&uuid);
	sb->magic = cpu_to_le64(HPS_SUPER_MAGIC);
	sb->version = cpu_to_le32(HPS_FORMAT_VERSION);
	sb->seq = cpu_to_le64(seq);
	memcpy(sb->uuid, uuid.b, sizeof(sb->uuid));
	sb->pool_id = cpu_to_le32(pool_id);
	sb->block_sectors = cpu_to_le32(g->block_sectors);
	sb->cache_sectors = cpu_to_le64(cache_sectors);
	sb->nr_blocks = cpu_to_le64(g->nr_blocks);
	sb->set_bits = cpu_to_le32(g->set_bits);
	sb->flags = cpu_to_le32(HPS_SUPER_CLEAN);
	sb->meta_sector = cpu_to_le64(g->meta_sector);
	sb->meta_pages = cpu_to_le64(g->meta_pages);
	sb->data_sector = cpu_to_le64(g->data_sector);
	sb->format_time = cpu_to_le64(ktime_get_real_seconds());
	sb->crc = cpu_to_le32(hps_super_crc(sb));
}

/*
 * The pool found on disk must be the one the table describes: same id,
 * same block size, same layout (the device has not changed size).
 */
static int hps_super_check(struct dm_target *ti, const struct hps_disk_super *sb,
			   const struct hps_geometry *g, unsigned int pool_id)
{
	if (le32_to_cpu(sb->version) != HPS_FORMAT_VERSION)
		return hps_ctr_fail(ti, -EINVAL,
				    "cache_dev holds a pool of an unknown format version",
				    "version %u, this module reads %u",
				    le32_to_cpu(sb->version), HPS_FORMAT_VERSION);
	if (le32_to_cpu(sb->pool_id) != pool_id)
		return hps_ctr_fail(ti, -EINVAL,
				    "cache_dev holds a pool with another pool_id",
				    "pool %pUb has pool_id %u, table says %u", sb->uuid,
				    le32_to_cpu(sb->pool_id), pool_id);
	if (le32_to_cpu(sb->block_sectors) != g->block_sectors)
		return hps_ctr_fail(ti, -EINVAL,
				    "cache_dev holds a pool with another block_sectors",
				    "pool %pUb has block_sectors %u, table says %u",
				    sb->uuid, le32_to_cpu(sb->block_sectors),
				    g->block_sectors);
	if (le64_to_cpu(sb->nr_blocks) != g->nr_blocks ||
	    le32_to_cpu(sb->set_bits) != g->set_bits ||
	    le64_to_cpu(sb->data_sector) != g->data_sector)
		return hps_ctr_fail(ti, -EINVAL,
				    "cache_dev changed size since the pool was formatted",
				    "pool %pUb was formatted on %llu sectors",
				    sb->uuid, le64_to_cpu(sb->cache_sectors));
	return 0;
}

/*
 * Find the pool on @bdev, or format one when asked to.  On success @out
 * holds the superblock now on disk.
 */
int hps_super_attach(struct dm_target *ti, struct block_device *bdev,
		     const struct hps_geometry *g, unsigned int pool_id,
		     bool format, bool force_format, struct hps_disk_super *out)
{
	struct hps_disk_super a, b, *found = NULL;
	bool a_ok, b_ok;
	struct page *page;
	int r;

	page = alloc_page(GFP_KERNEL);
	if (!page) {
		ti->error = "out of memory";
		return -ENOMEM;
	}

	a_ok = hps_super_read_copy(bdev, HPS_SB_A_SECTOR, page, &a);
	b_ok = hps_super_read_copy(bdev, HPS_SB_B_SECTOR, page, &b);
	if (a_ok && (!b_ok || le64_to_cpu(a.seq) >= le64_to_cpu(b.seq)))
		found = &a;
	else if (b_ok)
		found = &b;

	if (found && !format) {
		r = hps_super_check(ti, found, g, pool_id);
		if (!r) {
			*out = *found;
			DMINFO("%s: pool %u: loaded %pUb (seq %llu%s)", hps_md_name(ti),
			       pool_id, found->uuid, le64_to_cpu(found->seq),
			       a_ok && b_ok ? "" : ", one superblock copy was bad");
		}
		goto out;
	}
	if (!found && !format) {
		r = hps_ctr_fail(ti, -ENODATA,
				 "cache_dev holds no hps pool; add the format feature to create one",
				 "%s", bdev->bd_disk->disk_name);
		goto out;
	}
	if (found && !force_format) {
		r = hps_ctr_fail(ti, -EEXIST,
				 "cache_dev holds an hps pool; format over it needs force_format",
				 "pool %pUb, pool_id %u, block_sectors %u", found->uuid,
				 le32_to_cpu(found->pool_id),
				 le32_to_cpu(found->block_sectors));
		goto out;
	}

	/* A newer seq than the pool it replaces, so a torn format cannot revive it. */
	hps_super_fill(out, g, pool_id, bdev_nr_sectors(bdev),
		       found ? le64_to_cpu(found->seq) + 1 : 1);
	r = hps_super_write(bdev, page, out);
	if (r) {
		hps_ctr_fail(ti, r, "cannot write the superblock to cache_dev",
			     "error %d", r);
		goto out;
	}
	if (found)
		DMWARN("%s: pool %u: force_format discarded pool %pUb", hps_md_name(ti),
		       pool_id, found->uuid);
	DMINFO("%s: pool %u: formatted %pUb: %llu blocks of %u sectors in %llu sets",
	       hps_md_name(ti), pool_id, out->uuid, g->nr_blocks, g->block_sectors,
	       g->nr_sets);
out:
	__free_page(page);
	return r;
}
