// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the volume table of a pool.
 *
 * Each volume bound to a pool owns a range of the pool's key space
 * (2^key_bits blocks): block b of the volume has key base + b.  Ranges are
 * multiples of the number of sets, so a volume's consecutive blocks fall
 * in distinct sets.  The table is written (A/B, like the superblocks) when
 * a volume is first bound and when one is released; the I/O path only
 * reads the copy in the volume itself.
 */
#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/gfp.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "dm-hps.h"

#define HPS_VTABLE_PAGES	(HPS_VTABLE_SECTORS / 8)

static_assert(sizeof(struct hps_disk_vtable) <= HPS_VTABLE_PAGES * PAGE_SIZE);
static_assert(HPS_VTABLE_SLOTS == HPS_MAX_SLOTS);

static u32 hps_vtable_crc(const struct hps_disk_vtable *t)
{
	return crc32c(~0U, (const u8 *)t + sizeof(t->crc),
		      sizeof(*t) - sizeof(t->crc));
}

static sector_t hps_vtable_sector(unsigned int copy, unsigned int page)
{
	return (copy ? HPS_VTABLE_B_SECTOR : HPS_VTABLE_A_SECTOR) + page * 8;
}

struct hps_vtable_buf {
	struct page *pages[HPS_VTABLE_PAGES];
	struct hps_disk_vtable *t;	/* vmap of the pages */
};

static void hps_vtable_buf_free(struct hps_vtable_buf *b)
{
	unsigned int i;

	if (b->t)
		vunmap(b->t);
	for (i = 0; i < HPS_VTABLE_PAGES; i++)
		if (b->pages[i])
			__free_page(b->pages[i]);
}

static int hps_vtable_buf_alloc(struct hps_vtable_buf *b)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < HPS_VTABLE_PAGES; i++) {
		b->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!b->pages[i])
			goto fail;
	}
	b->t = vmap(b->pages, HPS_VTABLE_PAGES, VM_MAP, PAGE_KERNEL);
	if (b->t)
		return 0;
fail:
	hps_vtable_buf_free(b);
	return -ENOMEM;
}

static int hps_vtable_io(struct hps_pool *pool, struct hps_vtable_buf *b,
			 unsigned int copy, blk_opf_t opf)
{
	sector_t sectors[HPS_VTABLE_PAGES];
	unsigned int i;

	for (i = 0; i < HPS_VTABLE_PAGES; i++)
		sectors[i] = hps_vtable_sector(copy, i);
	return hps_io_pages(pool->bdev, opf, b->pages, sectors, HPS_VTABLE_PAGES);
}

static bool hps_vtable_valid(struct hps_pool *pool, const struct hps_disk_vtable *t)
{
	return le32_to_cpu(t->crc) == hps_vtable_crc(t) &&
	       le32_to_cpu(t->pool_tag) == pool->pool_tag &&
	       le32_to_cpu(t->nr_slots) == HPS_VTABLE_SLOTS;
}

/* Take a table into pool->slots, checking every range. */
static int hps_vtable_take(struct hps_pool *pool, const struct hps_disk_vtable *t)
{
	u64 space = 1ULL << pool->geo.key_bits;
	unsigned int i;

	for (i = 0; i < HPS_MAX_SLOTS; i++) {
		const struct hps_disk_vtable_entry *e = &t->slots[i];
		struct hps_vslot *s = &pool->slots[i];

		s->volume_id = le32_to_cpu(e->volume_id);
		s->base = le64_to_cpu(e->base);
		s->nr_blocks = le64_to_cpu(e->nr_blocks);
		if (!s->volume_id)
			continue;
		if (s->base % pool->geo.nr_sets || s->nr_blocks % pool->geo.nr_sets ||
		    !s->nr_blocks || s->base >= space || s->nr_blocks > space - s->base)
			return -EINVAL;
	}
	pool->vtable_seq = le32_to_cpu(t->seq);
	return 0;
}

/* Load the table of a pool just loaded, or start an empty one at format. */
int hps_vtable_load(struct hps_pool *pool, bool format)
{
	struct hps_vtable_buf b[2];
	bool ok[2] = { false, false };
	unsigned int c;
	int r;

	lockdep_assert_held(&hps_lock);
	memset(pool->slots, 0, sizeof(pool->slots));
	pool->vtable_seq = 0;
	if (format)
		return 0;

	r = hps_vtable_buf_alloc(&b[0]);
	if (r)
		return r;
	r = hps_vtable_buf_alloc(&b[1]);
	if (r) {
		hps_vtable_buf_free(&b[0]);
		return r;
	}
	for (c = 0; c < 2; c++)
		ok[c] = !hps_vtable_io(pool, &b[c], c, REQ_OP_READ) &&
			hps_vtable_valid(pool, b[c].t);
	r = 0;
	if (ok[0] || ok[1]) {
		c = ok[0] && (!ok[1] || (s32)(le32_to_cpu(b[1].t->seq) -
					       le32_to_cpu(b[0].t->seq)) < 0) ? 0 : 1;
		r = hps_vtable_take(pool, b[c].t);
		if (!r && !(ok[0] && ok[1]))
			DMWARN("pool %u: volume table copy %c is not valid; copy %c used",
			       pool->pool_id, c ? 'A' : 'B', c ? 'B' : 'A');
	}
	hps_vtable_buf_free(&b[0]);
	hps_vtable_buf_free(&b[1]);
	return r;
}

/* Write pool->slots as the next copy (preflush + FUA: it must be durable). */
static int hps_vtable_write(struct hps_pool *pool)
{
	struct hps_vtable_buf b;
	struct hps_disk_vtable *t;
	u32 seq = pool->vtable_seq + 1;
	unsigned int i;
	int r;

	r = hps_vtable_buf_alloc(&b);
	if (r)
		return r;
	t = b.t;
	t->seq = cpu_to_le32(seq);
	t->pool_tag = cpu_to_le32(pool->pool_tag);
	t->nr_slots = cpu_to_le32(HPS_VTABLE_SLOTS);
	for (i = 0; i < HPS_MAX_SLOTS; i++) {
		t->slots[i].volume_id = cpu_to_le32(pool->slots[i].volume_id);
		t->slots[i].base = cpu_to_le64(pool->slots[i].base);
		t->slots[i].nr_blocks = cpu_to_le64(pool->slots[i].nr_blocks);
	}
	t->crc = cpu_to_le32(hps_vtable_crc(t));
	r = hps_vtable_io(pool, &b, seq & 1,
			  REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH | REQ_FUA);
	if (!r)
		pool->vtable_seq = seq;
	hps_vtable_buf_free(&b);
	return r;
}

static int hps_vslot_cmp(const void *a, const void *b)
{
	const struct hps_vslot *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* First free range of @n keys (n a multiple of nr_sets); false if none. */
static bool hps_vtable_find_range(struct hps_pool *pool, u64 n, u64 *base)
{
	struct hps_vslot *used;
	unsigned int i, nr = 0;
	u64 next = 0, space = 1ULL << pool->geo.key_bits;
	bool found = false;

	used = kmalloc_array(HPS_MAX_SLOTS, sizeof(*used), GFP_KERNEL);
	if (!used)
		return false;
	for (i = 0; i < HPS_MAX_SLOTS; i++)
		if (pool->slots[i].volume_id)
			used[nr++] = pool->slots[i];
	sort(used, nr, sizeof(*used), hps_vslot_cmp, NULL);
	for (i = 0; i <= nr; i++) {
		u64 end = i < nr ? used[i].base : space;

		if (end >= next && end - next >= n) {
			*base = next;
			found = true;
			break;
		}
		if (i < nr)
			next = used[i].base + used[i].nr_blocks;
	}
	kfree(used);
	return found;
}

/*
 * The slot of @volume_id, made (and written) on first use.  A volume that
 * grew keeps its slot when the keys after its range are free.
 */
int hps_vtable_bind(struct hps_pool *pool, u32 volume_id, u64 nr_blocks,
		    unsigned int *slot)
{
	u64 n = round_up(nr_blocks, pool->geo.nr_sets), base;
	unsigned int i, free = HPS_MAX_SLOTS;
	int r;

	lockdep_assert_held(&hps_lock);
	for (i = 0; i < HPS_MAX_SLOTS; i++) {
		if (pool->slots[i].volume_id == volume_id)
			break;
		if (!pool->slots[i].volume_id && free == HPS_MAX_SLOTS)
			free = i;
	}
	if (i < HPS_MAX_SLOTS) {
		struct hps_vslot *s = &pool->slots[i];
		u64 old = s->nr_blocks;
		unsigned int j;

		if (old >= n) {
			*slot = i;
			return 0;
		}
		/* Grow in place: the keys after its range must be free. */
		if (n > (1ULL << pool->geo.key_bits) - s->base)
			return -ENOSPC;
		for (j = 0; j < HPS_MAX_SLOTS; j++)
			if (j != i && pool->slots[j].volume_id &&
			    pool->slots[j].base >= s->base &&
			    pool->slots[j].base < s->base + n)
				return -ENOSPC;
		s->nr_blocks = n;
		r = hps_vtable_write(pool);
		if (r)
			s->nr_blocks = old;
		else
			*slot = i;
		return r;
	}

	if (free == HPS_MAX_SLOTS)
		return -ENOSPC;
	if (!hps_vtable_find_range(pool, n, &base))
		return -ENOSPC;
	pool->slots[free].volume_id = volume_id;
	pool->slots[free].base = base;
	pool->slots[free].nr_blocks = n;
	r = hps_vtable_write(pool);
	if (r) {
		memset(&pool->slots[free], 0, sizeof(pool->slots[free]));
		return r;
	}
	*slot = free;
	return 0;
}

/* The slot whose range holds @key, or -1. */
int hps_slot_of_key(struct hps_pool *pool, u64 key)
{
	unsigned int i;

	for (i = 0; i < HPS_MAX_SLOTS; i++) {
		const struct hps_vslot *s = &pool->slots[i];

		if (s->volume_id && key >= s->base && key - s->base < s->nr_blocks)
			return i;
	}
	return -1;
}

/*
 * Forget a volume: drop every block of its range, commit, then free its
 * slot.  Refused (EBUSY) while the volume is bound, while blocks of it are
 * under writeback, or while it has dirty blocks unless @force.
 */
int hps_vtable_release(struct hps_pool *pool, u32 volume_id, bool force)
{
	const struct hps_geometry *g = &pool->geo;
	struct hps_volume *v;
	unsigned int i;
	u64 set, b;
	int r;

	lockdep_assert_held(&hps_lock);
	for (i = 0; i < HPS_MAX_SLOTS; i++)
		if (pool->slots[i].volume_id == volume_id)
			break;
	if (i == HPS_MAX_SLOTS)
		return -ENOENT;
	list_for_each_entry(v, &pool->volumes, pool_node)
		if (v->volume_id == volume_id)
			return -EBUSY;
	if (atomic64_read(&pool->slot_counts[i].dirty) && !force)
		return -EBUSY;

	for (set = 0; set < g->nr_sets; set++) {
		u64 first = hps_set_first_block(g, set), ways = hps_set_ways(g, set);
		spinlock_t *lock = hps_set_lock(pool, set);
		unsigned long flags;

		spin_lock_irqsave(lock, flags);
		for (b = first; b < first + ways; b++) {
			u32 w = *hps_word(pool, b);

			if (!(w & HPS_WORD_VALID) ||
			    hps_slot_of_key(pool, hps_key_join(g, set, w & HPS_WORD_TAG_MASK)) != i)
				continue;
			if (w & HPS_W_WB) {
				spin_unlock_irqrestore(lock, flags);
				return -EBUSY;
			}
			hps_drop(pool, i, b);
		}
		spin_unlock_irqrestore(lock, flags);
		cond_resched();
	}
	r = hps_commit_now(pool);
	if (r)
		return r;
	memset(&pool->slots[i], 0, sizeof(pool->slots[i]));
	return hps_vtable_write(pool);
}
