// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the in-memory index (one 32-bit word a block) and loading it
 * from the metadata pages on the cache device.
 *
 * Each page of words has two on-disk slots; the valid one with the newer
 * seq wins, so a page write torn by a crash leaves the previous copy.
 * Pages are written back by commits (dm-hps-commit.c).
 */
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/dm-io.h>
#include <linux/ioprio.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "dm-hps.h"

static_assert(sizeof(struct hps_disk_meta_header) == HPS_META_PAGE_HEADER);
static_assert(HPS_META_WORDS_PER_PAGE == HPS_WORDS_PER_PAGE);

/* Pages read per I/O while loading: 128 pages, both slots, 1 MiB. */
#define HPS_META_LOAD_PAGES	128

u32 hps_meta_pool_tag(const u8 uuid[16])
{
	return crc32c(~0U, uuid, 16);
}

static u32 hps_meta_page_crc(const void *slot)
{
	return crc32c(~0U, (const u8 *)slot + sizeof(__le32),
		      PAGE_SIZE - sizeof(__le32));
}

static bool hps_meta_slot_valid(const void *slot, u64 page_nr, u32 pool_tag)
{
	const struct hps_disk_meta_header *h = slot;

	return le32_to_cpu(h->crc) == hps_meta_page_crc(slot) &&
	       le32_to_cpu(h->page_nr) == page_nr &&
	       le32_to_cpu(h->pool_tag) == pool_tag;
}

/* seq a is newer than seq b (they wrap). */
static bool hps_seq_after(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

void hps_meta_free(struct hps_meta *m)
{
	kvfree(m->words);
	kvfree(m->page_seq);
	bitmap_free(m->page_slot);
	bitmap_free(m->page_dirty);
	memset(m, 0, sizeof(*m));
}

static int hps_meta_alloc(struct hps_meta *m, const struct hps_geometry *g)
{
	m->words = kvcalloc(g->nr_blocks, sizeof(u32), GFP_KERNEL);
	m->page_seq = kvcalloc(g->meta_pages, sizeof(u32), GFP_KERNEL);
	m->page_slot = bitmap_zalloc(g->meta_pages, GFP_KERNEL);
	m->page_dirty = bitmap_zalloc(g->meta_pages, GFP_KERNEL);
	if (!m->words || !m->page_seq || !m->page_slot || !m->page_dirty) {
		hps_meta_free(m);
		return -ENOMEM;
	}
	m->index_bytes = hps_geometry_index_bytes(g);
	return 0;
}

/* Take the newer valid slot of page @p, if any, into the index. */
static void hps_meta_take_page(struct hps_meta *m, const struct hps_geometry *g,
			       u64 p, const u8 *slots, u32 pool_tag)
{
	const struct hps_disk_meta_header *h[2];
	bool ok[2];
	unsigned int s, i, n;
	const __le32 *words;

	for (s = 0; s < 2; s++) {
		h[s] = (const void *)(slots + s * PAGE_SIZE);
		ok[s] = hps_meta_slot_valid(h[s], p, pool_tag);
		if (!ok[s] && le32_to_cpu(h[s]->pool_tag) == pool_tag)
			m->bad_slots++;	/* this pool's, but torn or corrupt */
	}
	if (!ok[0] && !ok[1])
		return;
	s = ok[0] && (!ok[1] || !hps_seq_after(le32_to_cpu(h[1]->seq),
					       le32_to_cpu(h[0]->seq))) ? 0 : 1;

	m->page_seq[p] = le32_to_cpu(h[s]->seq);
	if (s)
		__set_bit(p, m->page_slot);
	words = (const __le32 *)(h[s] + 1);
	n = min_t(u64, HPS_WORDS_PER_PAGE, g->nr_blocks - p * HPS_WORDS_PER_PAGE);
	for (i = 0; i < n; i++) {
		u32 w = le32_to_cpu(words[i]) & HPS_WORD_DISK_MASK;

		if (!(w & HPS_WORD_VALID))
			continue;
		m->words[p * HPS_WORDS_PER_PAGE + i] = w;
		m->used++;
		if (w & HPS_WORD_DIRTY)
			m->dirty++;
	}
}

/*
 * Allocate the index of a pool and fill it from the metadata pages of
 * @bdev (all free after a format: no page carries the new uuid's tag).
 */
int hps_meta_load(struct hps_meta *m, struct block_device *bdev,
		  const struct hps_geometry *g, const u8 uuid[16])
{
	const u32 pool_tag = hps_meta_pool_tag(uuid);
	struct dm_io_client *client;
	u8 *buf;
	u64 p, n, i;
	int r;

	memset(m, 0, sizeof(*m));
	r = hps_meta_alloc(m, g);
	if (r)
		return r;
	buf = vmalloc(HPS_META_LOAD_PAGES * 2 * PAGE_SIZE);
	client = dm_io_client_create();
	if (!buf || IS_ERR(client)) {
		r = buf ? PTR_ERR(client) : -ENOMEM;
		goto out;
	}

	for (p = 0; p < g->meta_pages; p += n) {
		struct dm_io_region region = {
			.bdev = bdev,
			.sector = g->meta_sector + p * 2 * HPS_META_PAGE_SECTORS,
		};
		struct dm_io_request req = {
			.bi_opf = REQ_OP_READ | REQ_SYNC,
			.mem.type = DM_IO_VMA,
			.mem.ptr.vma = buf,
			.client = client,
		};

		n = min_t(u64, HPS_META_LOAD_PAGES, g->meta_pages - p);
		region.count = n * 2 * HPS_META_PAGE_SECTORS;
		/* Debian 6.1 has the ioprio argument (upstream since 6.9). */
		r = dm_io(&req, 1, &region, NULL, IOPRIO_DEFAULT);
		if (r)
			goto out;
		for (i = 0; i < n; i++)
			hps_meta_take_page(m, g, p + i, buf + i * 2 * PAGE_SIZE,
					   pool_tag);
		cond_resched();
	}
	r = 0;
out:
	if (!IS_ERR_OR_NULL(client))
		dm_io_client_destroy(client);
	vfree(buf);
	if (r)
		hps_meta_free(m);
	return r;
}
