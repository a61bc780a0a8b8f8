// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the set-associative index of a pool (DATAPATH.md).
 *
 * Every function here works on one set under its lock (irq-safe: write
 * completions update words from bio end_io).  Words change under the set
 * lock; the metadata page holding a changed word is marked dirty after the
 * change, and a commit clears the mark before it reads the words, so no
 * change is missed.
 */
#include <linux/log2.h>
#include <linux/slab.h>

#include "dm-hps.h"
#include "dm-hps-cache.h"

static unsigned int hps_word_epoch(u32 w)
{
	return (w & HPS_WORD_EPOCH_MASK) >> HPS_WORD_EPOCH_SHIFT;
}

/* Add (sign 1) or remove (sign -1) @w from the counters of @slot. */
void hps_count_word(struct hps_pool *pool, int slot, u32 w, int sign)
{
	if (!(w & HPS_WORD_VALID))
		return;
	atomic64_add(sign, &pool->total.used);
	if (slot >= 0)
		atomic64_add(sign, &pool->slot_counts[slot].used);
	if (!(w & HPS_WORD_DIRTY))
		return;
	atomic64_add(sign, &pool->total.dirty);
	atomic64_add(sign, &pool->epoch_dirty[hps_word_epoch(w)]);
	if (slot >= 0)
		atomic64_add(sign, &pool->slot_counts[slot].dirty);
}

/* Drop a block: free on disk after the next commit.  Set lock held. */
void hps_drop(struct hps_pool *pool, int slot, u64 b)
{
	hps_count_word(pool, slot, *hps_word(pool, b), -1);
	*hps_word(pool, b) = HPS_W_PFREE;
	atomic64_inc(&pool->pfree);
	hps_page_dirty(pool, b);
}

/*
 * A cache-device error: count it against the budget; once spent, the pool
 * caches nothing new (writes go to the backend, clean hits are re-read
 * from it) while what is dirty drains.
 */
void hps_cache_error(struct hps_pool *pool, const char *what, int error)
{
	int n = atomic_inc_return(&pool->errors);

	if (n <= HPS_ERROR_BUDGET)
		DMERR_LIMIT("pool %u: cache device %s error %d (%d of %d allowed)",
			    pool->pool_id, what, error, n, HPS_ERROR_BUDGET);
	if (n == HPS_ERROR_BUDGET + 1) {
		WRITE_ONCE(pool->failing, true);
		DMERR("pool %u: cache device error budget spent: caching stopped, dirty data drains to the backend",
		      pool->pool_id);
	}
}

struct hps_set_scan {
	u64 first, ways;
	s64 found;		/* valid or reserved block of the tag, or -1 */
	s64 free;		/* a free block, or -1 */
	bool pending;		/* a block of the set awaits a commit to be free */
};

static void hps_scan_set(struct hps_pool *pool, u64 set, u32 tag,
			 struct hps_set_scan *sc)
{
	const struct hps_geometry *g = &pool->geo;
	u64 b;

	sc->first = hps_set_first_block(g, set);
	sc->ways = hps_set_ways(g, set);
	sc->found = -1;
	sc->free = -1;
	sc->pending = false;
	for (b = sc->first; b < sc->first + sc->ways; b++) {
		u32 w = *hps_word(pool, b);

		if (w & HPS_WORD_VALID) {
			if ((w & HPS_WORD_TAG_MASK) == tag)
				sc->found = b;
		} else if (!w) {
			if (sc->free < 0)
				sc->free = b;
		} else if (HPS_W_RESERVED(w)) {
			/* Another write is filling it; a commit does not free it. */
			if ((w & HPS_WORD_TAG_MASK) == tag)
				sc->found = b;
		} else {
			sc->pending = true;	/* dropped: free after a commit */
		}
	}
}

/*
 * CLOCK over one set: drop up to a quarter of its clean blocks that were
 * not used since the last pass (at least one), so that one commit frees
 * room for several writes.  Returns how many were dropped.
 */
static unsigned int hps_evict(struct hps_pool *pool, u64 set,
			      const struct hps_set_scan *sc)
{
	const struct hps_geometry *g = &pool->geo;
	unsigned int quota = max_t(unsigned int, 1, sc->ways / 4), n = 0, pass;
	u64 b;

	for (pass = 0; pass < 2 && n < quota; pass++) {
		for (b = sc->first; b < sc->first + sc->ways && n < quota; b++) {
			u32 w = *hps_word(pool, b);

			if ((w & (HPS_WORD_VALID | HPS_WORD_DIRTY | HPS_W_WB)) !=
			    HPS_WORD_VALID)
				continue;
			if (w & HPS_W_REF) {
				*hps_word(pool, b) = w & ~HPS_W_REF;
				continue;
			}
			hps_drop(pool, hps_slot_of_key(pool,
				 hps_key_join(g, set, w & HPS_WORD_TAG_MASK)), b);
			n++;
		}
	}
	return n;
}

int hps_cache_read(struct hps_pool *pool, u64 key, u64 *block)
{
	struct hps_set_scan sc;
	unsigned long flags;
	spinlock_t *lock;
	u64 set;
	u32 tag;
	int r = -ENOENT;

	hps_key_split(&pool->geo, key, &set, &tag);
	lock = hps_set_lock(pool, set);
	spin_lock_irqsave(lock, flags);
	hps_scan_set(pool, set, tag, &sc);
	if (sc.found >= 0 && (*hps_word(pool, sc.found) & HPS_WORD_VALID) &&
	    !(READ_ONCE(pool->failing) &&
	      !(*hps_word(pool, sc.found) & HPS_WORD_DIRTY))) {
		*hps_word(pool, sc.found) |= HPS_W_REF;
		*block = sc.found;
		r = 0;
	}
	spin_unlock_irqrestore(lock, flags);
	return r;
}

enum hps_plan hps_cache_write(struct hps_pool *pool, int slot, u64 key,
			      bool cacheable, u64 *block, u32 *word)
{
	struct hps_set_scan sc;
	enum hps_plan plan;
	unsigned long flags;
	spinlock_t *lock;
	u64 set;
	u32 tag, w;

	hps_key_split(&pool->geo, key, &set, &tag);
	lock = hps_set_lock(pool, set);
	spin_lock_irqsave(lock, flags);
	hps_scan_set(pool, set, tag, &sc);

	if (sc.found >= 0 && (*hps_word(pool, sc.found) & HPS_WORD_DIRTY)) {
		/* Dirty or being written: a disk's own overwrite semantics. */
		w = *hps_word(pool, sc.found);
		*block = sc.found;
		if (!(w & HPS_WORD_VALID)) {
			/*
			 * Reserved by a write still in flight: join it, and like
			 * it make the block valid when done (whichever ends first).
			 */
			*word = tag;
			plan = HPS_PLAN_ALLOC;
			goto out;
		}
		if (w & HPS_W_WB)
			w &= ~HPS_W_WB_OK;
		*hps_word(pool, sc.found) = w | HPS_W_REF;
		plan = HPS_PLAN_IN_PLACE;
		goto out;
	}

	if (!cacheable || READ_ONCE(pool->failing)) {
		if (sc.found >= 0)
			hps_drop(pool, slot, sc.found);
		plan = HPS_PLAN_THROUGH;
		goto out;
	}

	if (sc.free < 0) {
		if (hps_evict(pool, set, &sc) || sc.pending) {
			plan = HPS_PLAN_DEFER;
			goto out;
		}
		/* Every block dirty or under writeback: never wait on it. */
		if (sc.found >= 0)
			hps_drop(pool, slot, sc.found);
		plan = HPS_PLAN_THROUGH;
		goto out;
	}

	/*
	 * Reserve a block that is free on disk too; it becomes valid when
	 * the data is on the device (hps_cache_write_done), so a commit in
	 * between writes it as free.  The old clean copy goes now.
	 */
	if (sc.found >= 0)
		hps_drop(pool, slot, sc.found);
	*hps_word(pool, sc.free) = tag | HPS_WORD_DIRTY | HPS_W_PFREE;
	*block = sc.free;
	*word = tag;
	plan = HPS_PLAN_ALLOC;
out:
	spin_unlock_irqrestore(lock, flags);
	return plan;
}

/*
 * An allocating write ended: its block becomes a dirty block of the key.
 * Returns false when the block no longer holds the key (a write that had
 * reserved it with this one failed and dropped it): the caller must fail.
 */
bool hps_cache_write_done(struct hps_pool *pool, int slot, u64 block,
			  u32 tag, int error)
{
	u64 set = hps_block_set(&pool->geo, block);
	spinlock_t *lock = hps_set_lock(pool, set);
	unsigned int e = atomic_read(&pool->cur_epoch) & 3;
	unsigned long flags;
	bool holds;
	u32 w;

	spin_lock_irqsave(lock, flags);
	w = *hps_word(pool, block);
	holds = (w & HPS_WORD_TAG_MASK) == tag &&
		((w & HPS_WORD_VALID) || HPS_W_RESERVED(w));
	if (HPS_W_RESERVED(w) && (w & HPS_WORD_TAG_MASK) == tag) {
		if (error) {
			*hps_word(pool, block) = HPS_W_PFREE;
			atomic64_inc(&pool->pfree);
		} else {
			w = tag | HPS_WORD_VALID | HPS_WORD_DIRTY | HPS_W_REF |
			    (e << HPS_WORD_EPOCH_SHIFT);
			*hps_word(pool, block) = w;
			hps_count_word(pool, slot, w, 1);
		}
		hps_page_dirty(pool, block);
	}
	spin_unlock_irqrestore(lock, flags);

	/* Start a new epoch once this one holds a sixteenth of the pool. */
	if (atomic64_read(&pool->epoch_dirty[e]) > pool->geo.nr_blocks / 16)
		hps_epoch_roll(pool, e);
	return holds;
}

/*
 * Dirty epochs order writeback (oldest first) and tell how long a block
 * has been dirty at least: every block of an epoch that is no longer
 * current became dirty before epoch_closed.  A loaded pool's blocks count
 * from the load.
 */
void hps_epoch_init(struct hps_pool *pool)
{
	unsigned long now = jiffies;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pool->epoch_opened); i++) {
		pool->epoch_opened[i] = now;
		pool->epoch_closed[i] = now;
	}
}

/*
 * End epoch @e if it is still the current one and the next holds nothing
 * (two bits of epoch in a word: an epoch is reused only once empty).  The
 * times are written first: a racing roll writes about the same ones, and
 * nobody reads the times of the current or an empty epoch.
 */
void hps_epoch_roll(struct hps_pool *pool, unsigned int e)
{
	unsigned int next = (e + 1) & 3;
	unsigned long now = jiffies;

	if (atomic64_read(&pool->epoch_dirty[next]))
		return;
	WRITE_ONCE(pool->epoch_closed[e], now);
	WRITE_ONCE(pool->epoch_opened[next], now);
	atomic_cmpxchg(&pool->cur_epoch, e, next);
}

/*
 * Discard keys [key, key + n) of @slot: drop their blocks; a block under
 * writeback stays (its writeback cannot mark it clean any more), and so
 * does one an allocating write is filling.
 */
void hps_cache_discard(struct hps_pool *pool, int slot, u64 key, u64 n)
{
	u64 end = key + n;

	for (; key < end; key++) {
		struct hps_set_scan sc;
		unsigned long flags;
		spinlock_t *lock;
		u64 set;
		u32 tag, w;

		hps_key_split(&pool->geo, key, &set, &tag);
		lock = hps_set_lock(pool, set);
		spin_lock_irqsave(lock, flags);
		hps_scan_set(pool, set, tag, &sc);
		if (sc.found >= 0) {
			w = *hps_word(pool, sc.found);
			if (w & HPS_W_WB)
				*hps_word(pool, sc.found) = w & ~HPS_W_WB_OK;
			else if (w & HPS_WORD_VALID)
				hps_drop(pool, slot, sc.found);
		}
		spin_unlock_irqrestore(lock, flags);
		if (!(key & 1023))
			cond_resched();
	}
}

/*
 * Mark keys [key, key + n) of @slot clean where they are cached dirty:
 * their data is on the backend (a secondary's, written back by its
 * primary).  A block under writeback, or one an allocating write is still
 * filling, stays as it is.  Returns how many blocks were cleaned.
 */
u64 hps_cache_clean(struct hps_pool *pool, int slot, u64 key, u64 n)
{
	u64 end = key + n, cleaned = 0;

	for (; key < end; key++) {
		struct hps_set_scan sc;
		unsigned long flags;
		spinlock_t *lock;
		u64 set;
		u32 tag, w, clean;

		hps_key_split(&pool->geo, key, &set, &tag);
		lock = hps_set_lock(pool, set);
		spin_lock_irqsave(lock, flags);
		hps_scan_set(pool, set, tag, &sc);
		if (sc.found >= 0) {
			w = *hps_word(pool, sc.found);
			if ((w & (HPS_WORD_VALID | HPS_WORD_DIRTY | HPS_W_WB)) ==
			    (HPS_WORD_VALID | HPS_WORD_DIRTY)) {
				clean = w & ~(HPS_WORD_DIRTY | HPS_WORD_EPOCH_MASK | HPS_W_WB_OK);
				hps_count_word(pool, slot, w, -1);
				hps_count_word(pool, slot, clean, 1);
				*hps_word(pool, sc.found) = clean;
				hps_page_dirty(pool, sc.found);
				cleaned++;
			}
		}
		spin_unlock_irqrestore(lock, flags);
		if (!(key & 1023))
			cond_resched();
	}
	return cleaned;
}

/* Set up the index of a loaded pool: locks, and counters from the words. */
int hps_cache_init(struct hps_pool *pool)
{
	const struct hps_geometry *g = &pool->geo;
	u64 set, b, orphans = 0;
	unsigned int i;

	pool->block_shift = ilog2(pool->block_sectors);
	for (i = 0; i < HPS_SET_LOCKS; i++)
		spin_lock_init(&pool->set_locks[i]);
	for (set = 0; set < g->nr_sets; set++) {
		u64 first = hps_set_first_block(g, set);

		for (b = first; b < first + hps_set_ways(g, set); b++) {
			u32 w = *hps_word(pool, b);
			int slot;

			if (!(w & HPS_WORD_VALID))
				continue;
			slot = hps_slot_of_key(pool, hps_key_join(g, set, w & HPS_WORD_TAG_MASK));
			if (slot < 0)
				orphans++;
			hps_count_word(pool, slot, w, 1);
		}
		if (!(set & 4095))
			cond_resched();
	}
	if (orphans)
		DMWARN("pool %u: %llu cached block(s) belong to no volume of the volume table",
		       pool->pool_id, orphans);
	return 0;
}
