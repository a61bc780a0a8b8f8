// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the writeback ioctls hpsd's engine drives (FORMAT.md, "Writeback").
 *
 * WB_TAKE hands out dirty blocks of one pool, those of the oldest dirty
 * epoch first, and marks them under writeback (HPS_W_WB) and not written
 * since (HPS_W_WB_OK); any write to such a block clears WB_OK.  WB_DONE
 * marks a block clean only if its writeback succeeded and WB_OK is still
 * set: a block rewritten meanwhile stays dirty for the next pass.
 *
 * A write whose plan was made before WB_TAKE marked its block may still be
 * in flight when WB_TAKE has marked it: WB_TAKE returns only after every
 * such write has ended (pool->wb_srcu, held by each cached write from
 * before its plan until it ended, a primary's REPLICATE included).  So the
 * data hpsd reads next is that of every write the block took before, and
 * hpsd has handed out the replication seqs of them all: the seq it reads
 * after WB_TAKE covers the data it writes back (daemon/PROTOCOL.md,
 * "Clean-mark propagation").
 *
 * WB_CLEAN marks whole blocks of a secondary volume clean: its primary
 * wrote their data back.  hpsd must have no write to those blocks in
 * flight when it calls it (a write in place that ends after the mark
 * would leave new data in a clean block).
 */
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dm-hps.h"
#include "dm-hps-cache.h"

/* WB_TAKE waits this long at most for the writes before it. */
#define HPS_WB_TAKE_WAIT_MS	10000

static bool hps_wb_finish(struct hps_pool *pool, u64 block, int error);

/* Sets scanned by one WB_TAKE at most, so one call stays short. */
#define HPS_WB_SCAN_SETS	(1U << 20)

/* The oldest epoch that has dirty blocks; cur itself when none does. */
static unsigned int hps_wb_oldest_epoch(struct hps_pool *pool)
{
	unsigned int cur = atomic_read(&pool->cur_epoch) & 3, i;

	for (i = 1; i <= 4; i++)
		if (atomic64_read(&pool->epoch_dirty[(cur + i) & 3]))
			return (cur + i) & 3;
	return cur;
}

#define HPS_WB_ANY_EPOCH	0xfU

/* Take dirty blocks of set @set whose epoch is in @epochs (a bit each). */
static unsigned int hps_wb_take_set(struct hps_pool *pool, u64 set, unsigned int epochs,
				    struct hps_wb_block *out, unsigned int room)
{
	const struct hps_geometry *g = &pool->geo;
	u64 first = hps_set_first_block(g, set), b;
	spinlock_t *lock = hps_set_lock(pool, set);
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	for (b = first; b < first + hps_set_ways(g, set) && n < room; b++) {
		u32 w = *hps_word(pool, b);
		u64 key;
		int slot;

		if ((w & (HPS_WORD_VALID | HPS_WORD_DIRTY | HPS_W_WB)) !=
		    (HPS_WORD_VALID | HPS_WORD_DIRTY))
			continue;
		if (!(epochs & (1U << ((w & HPS_WORD_EPOCH_MASK) >> HPS_WORD_EPOCH_SHIFT))))
			continue;
		key = hps_key_join(g, set, w & HPS_WORD_TAG_MASK);
		slot = hps_slot_of_key(pool, key);
		if (slot < 0 || READ_ONCE(pool->slots[slot].secondary))
			continue;
		*hps_word(pool, b) = w | HPS_W_WB | HPS_W_WB_OK;
		out[n].block = b;
		out[n].cache_offset = (u64)hps_block_sector(pool, b) << SECTOR_SHIFT;
		out[n].offset = (key - pool->slots[slot].base) <<
				(pool->block_shift + SECTOR_SHIFT);
		out[n].volume_id = pool->slots[slot].volume_id;
		out[n].len = pool->block_sectors << SECTOR_SHIFT;
		n++;
	}
	spin_unlock_irqrestore(lock, flags);
	return n;
}

static unsigned int hps_wb_scan(struct hps_pool *pool, unsigned int epochs,
				struct hps_wb_block *out, unsigned int max)
{
	u64 nr_sets = pool->geo.nr_sets, scanned;
	unsigned int n = 0;

	for (scanned = 0; scanned < min_t(u64, nr_sets, HPS_WB_SCAN_SETS) && n < max;
	     scanned++) {
		n += hps_wb_take_set(pool, pool->wb_cursor, epochs, out + n, max - n);
		if (n < max)
			pool->wb_cursor = (pool->wb_cursor + 1) & (nr_sets - 1);
		if (!(scanned & 4095))
			cond_resched();
	}
	return n;
}

/*
 * A new epoch once the current one has dirty blocks and is @roll_ms old:
 * under a light load an epoch would otherwise stay current for hours, and
 * its blocks could never be told old.
 */
static void hps_wb_roll(struct hps_pool *pool, unsigned int roll_ms)
{
	unsigned int cur = atomic_read(&pool->cur_epoch) & 3;

	if (roll_ms && atomic64_read(&pool->epoch_dirty[cur]) &&
	    time_after_eq(jiffies, READ_ONCE(pool->epoch_opened[cur]) +
			  msecs_to_jiffies(roll_ms)))
		hps_epoch_roll(pool, cur);
}

/* How long the blocks of ended epoch @e have been dirty at least. */
static u32 hps_wb_epoch_age_ms(struct hps_pool *pool, unsigned int e)
{
	return jiffies_to_msecs(jiffies - READ_ONCE(pool->epoch_closed[e]));
}

/*
 * Take up to @max blocks, from the oldest epoch first; *@age_ms: how long
 * they have been dirty at least.
 */
static unsigned int hps_wb_take_oldest(struct hps_pool *pool, struct hps_wb_block *out,
				       unsigned int max, u32 *age_ms)
{
	unsigned int epoch = hps_wb_oldest_epoch(pool);
	unsigned int n;

	n = hps_wb_scan(pool, 1U << epoch, out, max);
	if (!n)	/* epoch counts are a hint: fall back to any dirty block */
		return hps_wb_scan(pool, HPS_WB_ANY_EPOCH, out, max);
	if (epoch != (atomic_read(&pool->cur_epoch) & 3))
		*age_ms = hps_wb_epoch_age_ms(pool, epoch);
	return n;
}

/*
 * Take up to @max blocks that have been dirty @min_age_ms at least: those
 * of the ended epochs that ended that long ago, in one pass (all of them
 * are old enough, so their order does not matter).
 */
static unsigned int hps_wb_take_aged(struct hps_pool *pool, struct hps_wb_block *out,
				     unsigned int max, u32 min_age_ms, u32 *age_ms)
{
	unsigned int cur = atomic_read(&pool->cur_epoch) & 3, epochs = 0, e;
	u32 age, youngest = U32_MAX;

	for (e = 0; e < 4; e++) {
		if (e == cur || !atomic64_read(&pool->epoch_dirty[e]))
			continue;
		age = hps_wb_epoch_age_ms(pool, e);
		if (age < min_age_ms)
			continue;
		epochs |= 1U << e;
		youngest = min(youngest, age);
	}
	if (!epochs)
		return 0;
	*age_ms = youngest;
	return hps_wb_scan(pool, epochs, out, max);
}

/*
 * Wait for the cached writes that began before now (pool->wb_srcu), at
 * most HPS_WB_TAKE_WAIT_MS: a primary's write may wait for hpsd, and hpsd
 * for a backend that is away, so WB_TAKE fails (EAGAIN) rather than hang
 * hpsd's writeback (and its shutdown) with it.
 */
static int hps_wb_wait_writes(struct hps_pool *pool)
{
	unsigned long cookie = start_poll_synchronize_srcu(&pool->wb_srcu);
	unsigned long until = jiffies + msecs_to_jiffies(HPS_WB_TAKE_WAIT_MS);
	unsigned int us = 50;

	while (!poll_state_synchronize_srcu(&pool->wb_srcu, cookie)) {
		if (time_after(jiffies, until))
			return -EAGAIN;
		usleep_range(us, 2 * us);
		us = min(2 * us, 20000U);
	}
	return 0;
}

static long hps_wb_take(struct hps_wb_take __user *uarg)
{
	struct hps_wb_block *out = NULL;
	struct hps_wb_take t;
	struct hps_pool *pool;
	unsigned int i;
	long r;

	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	if (t.max > HPS_WB_MAX || t.throttle_us > HPS_WB_THROTTLE_MAX_US || t.reserved)
		return -EINVAL;
	if (t.max) {
		out = kvcalloc(t.max, sizeof(*out), GFP_KERNEL);
		if (!out)
			return -ENOMEM;
	}

	mutex_lock(&hps_lock);
	pool = hps_pool_find_id(t.pool_id);
	if (!pool) {
		r = -ENOENT;
		goto out_unlock;
	}
	hps_throttle_set(pool, t.throttle_us);
	hps_wb_roll(pool, t.roll_ms);
	t.age_ms = 0;
	if (!t.max)
		t.count = 0;
	else if (t.min_age_ms)
		t.count = hps_wb_take_aged(pool, out, t.max, t.min_age_ms, &t.age_ms);
	else
		t.count = hps_wb_take_oldest(pool, out, t.max, &t.age_ms);
	atomic64_add(t.count, &pool->wb_inflight);
	t.cache_major = MAJOR(pool->cache_devt);
	t.cache_minor = MINOR(pool->cache_devt);
	t.dirty = atomic64_read(&pool->total.dirty);
	t.total = pool->geo.nr_blocks;
	r = 0;
	if (t.count) {
		/*
		 * Writes planned before the marks end first (see the top).
		 * Not under hps_lock: a primary's writes wait for hpsd, which
		 * may need it meanwhile (dmsetup status).
		 */
		pool->wb_pins++;
		mutex_unlock(&hps_lock);
		r = hps_wb_wait_writes(pool);
		mutex_lock(&hps_lock);
		if (r) {
			/* Given back, still dirty: taken again later. */
			for (i = 0; i < t.count; i++)
				hps_wb_finish(pool, out[i].block, r);
			t.count = 0;
		}
		pool->wb_pins--;
		hps_pool_put_unused(pool);
	}
out_unlock:
	mutex_unlock(&hps_lock);
	if (!r && t.count &&
	    copy_to_user(u64_to_user_ptr(t.blocks), out, t.count * sizeof(*out)))
		r = -EFAULT;	/* the blocks stay taken until hpsd detaches */
	if (!r && copy_to_user(uarg, &t, sizeof(t)))
		r = -EFAULT;
	kvfree(out);
	return r;
}

/* Finish one block's writeback; true if it is now clean. */
static bool hps_wb_finish(struct hps_pool *pool, u64 block, int error)
{
	const struct hps_geometry *g = &pool->geo;
	u64 set = hps_block_set(g, block);
	spinlock_t *lock = hps_set_lock(pool, set);
	bool cleaned = false;
	unsigned long flags;
	u32 w, clean;
	int slot;

	spin_lock_irqsave(lock, flags);
	w = *hps_word(pool, block);
	if (w & HPS_W_WB) {
		atomic64_dec(&pool->wb_inflight);
		if (!error && (w & HPS_W_WB_OK) && (w & HPS_WORD_VALID)) {
			slot = hps_slot_of_key(pool, hps_key_join(g, set, w & HPS_WORD_TAG_MASK));
			clean = w & ~(HPS_WORD_DIRTY | HPS_WORD_EPOCH_MASK |
				      HPS_W_WB | HPS_W_WB_OK);
			hps_count_word(pool, slot, w, -1);
			hps_count_word(pool, slot, clean, 1);
			*hps_word(pool, block) = clean;
			hps_page_dirty(pool, block);
			cleaned = true;
		} else {
			*hps_word(pool, block) = w & ~(HPS_W_WB | HPS_W_WB_OK);
		}
	}
	spin_unlock_irqrestore(lock, flags);
	return cleaned;
}

static long hps_wb_done(struct hps_wb_done __user *uarg)
{
	struct hps_wb_result *res;
	struct hps_wb_done d;
	struct hps_pool *pool;
	unsigned int i;
	long r = 0;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (!d.count || d.count > HPS_WB_MAX)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(d.reserved); i++)
		if (d.reserved[i])
			return -EINVAL;
	res = kvcalloc(d.count, sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	if (copy_from_user(res, u64_to_user_ptr(d.results), d.count * sizeof(*res))) {
		r = -EFAULT;
		goto out;
	}

	mutex_lock(&hps_lock);
	pool = hps_pool_find_id(d.pool_id);
	if (!pool) {
		r = -ENOENT;
		goto out_unlock;
	}
	for (i = 0; i < d.count; i++) {
		if (res[i].block >= pool->geo.nr_blocks || res[i].flags ||
		    res[i].error > 0 || res[i].error < -MAX_ERRNO) {
			r = -EINVAL;
			goto out_unlock;
		}
	}
	d.cleaned = 0;
	d.kept = 0;
	for (i = 0; i < d.count; i++) {
		if (hps_wb_finish(pool, res[i].block, res[i].error)) {
			res[i].flags = HPS_WB_CLEANED;
			d.cleaned++;
		} else {
			d.kept++;
		}
	}
	atomic64_add(d.cleaned, &pool->wb_cleaned);
	if (d.cleaned)
		hps_commit_kick(pool);
out_unlock:
	mutex_unlock(&hps_lock);
	/* The blocks are done either way: a fault here only hides which. */
	if (!r && copy_to_user(u64_to_user_ptr(d.results), res, d.count * sizeof(*res)))
		r = -EFAULT;
	if (!r && copy_to_user(uarg, &d, sizeof(d)))
		r = -EFAULT;
out:
	kvfree(res);
	return r;
}

/*
 * The secondary volume @volume_id of @pool, for WB_CLEAN; hps_lock held.
 * ERR_PTR(-ENOENT): no volume device of that id is bound to the pool;
 * ERR_PTR(-EPERM): it is not a secondary.
 */
static struct hps_volume *hps_wb_clean_target(struct hps_pool *pool, u32 volume_id)
{
	struct hps_volume *v, *found = NULL;

	lockdep_assert_held(&hps_lock);
	list_for_each_entry(v, &pool->volumes, pool_node) {
		if (v->volume_id != volume_id)
			continue;
		/* Mid-reload both tables are bound: both must be secondaries. */
		if (READ_ONCE(v->role) != HPS_ROLE_SECONDARY ||
		    !READ_ONCE(pool->slots[v->slot].secondary))
			return ERR_PTR(-EPERM);
		found = v;
	}
	return found ? found : ERR_PTR(-ENOENT);
}

static bool hps_wb_range_ok(struct hps_volume *v, const struct hps_wb_range *r)
{
	u64 end = r->offset + r->len;

	return r->len && !((r->offset | r->len) & (SECTOR_SIZE - 1)) && end > r->offset &&
	       end <= v->nr_blocks << (v->pool->block_shift + SECTOR_SHIFT);
}

static long hps_wb_clean(struct hps_wb_clean __user *uarg)
{
	struct hps_wb_range *ranges;
	struct hps_wb_clean c;
	struct hps_volume *v;
	struct hps_pool *pool;
	u64 cleaned = 0, first, last;
	unsigned int i, shift;
	long r = 0;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (!c.count || c.count > HPS_WB_MAX || c.reserved[0] || c.reserved[1])
		return -EINVAL;
	ranges = kvcalloc(c.count, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	if (copy_from_user(ranges, u64_to_user_ptr(c.ranges), c.count * sizeof(*ranges))) {
		r = -EFAULT;
		goto out;
	}

	mutex_lock(&hps_lock);
	pool = hps_pool_find_id(c.pool_id);
	if (!pool) {
		r = -ENOENT;
		goto out_unlock;
	}
	v = hps_wb_clean_target(pool, c.volume_id);
	if (IS_ERR(v)) {
		r = PTR_ERR(v);
		goto out_unlock;
	}
	/* Every range is checked first: a refused call changes nothing. */
	for (i = 0; i < c.count; i++) {
		if (!hps_wb_range_ok(v, &ranges[i])) {
			r = -EINVAL;
			goto out_unlock;
		}
	}
	/* Only the blocks wholly inside a range. */
	shift = pool->block_shift + SECTOR_SHIFT;
	for (i = 0; i < c.count; i++) {
		first = (ranges[i].offset + (1ULL << shift) - 1) >> shift;
		last = (ranges[i].offset + ranges[i].len) >> shift;
		if (last > first)
			cleaned += hps_cache_clean(pool, v->slot,
						   hps_make_key(&pool->geo, v->base, first),
						   last - first);
	}
	if (cleaned)
		hps_commit_kick(pool);
	c.cleaned = min_t(u64, cleaned, U32_MAX);
out_unlock:
	mutex_unlock(&hps_lock);
	if (!r && copy_to_user(uarg, &c, sizeof(c)))
		r = -EFAULT;
out:
	kvfree(ranges);
	return r;
}

long hps_wb_ioctl(unsigned int cmd, void __user *arg)
{
	switch (cmd) {
	case HPS_IOC_WB_TAKE:
		return hps_wb_take(arg);
	case HPS_IOC_WB_DONE:
		return hps_wb_done(arg);
	case HPS_IOC_WB_CLEAN:
		return hps_wb_clean(arg);
	default:
		return -ENOTTY;
	}
}

/*
 * hpsd detached: what it had taken is no longer under writeback, and
 * nothing throttles the writes any more.
 */
void hps_wb_forget_all(void)
{
	struct hps_pool *pool;
	u64 b;

	mutex_lock(&hps_lock);
	hps_for_each_pool(pool) {
		for (b = 0; b < pool->geo.nr_blocks; b++) {
			u64 set = hps_block_set(&pool->geo, b);
			spinlock_t *lock = hps_set_lock(pool, set);
			unsigned long flags;

			if (!(READ_ONCE(*hps_word(pool, b)) & HPS_W_WB))
				continue;
			spin_lock_irqsave(lock, flags);
			*hps_word(pool, b) &= ~(HPS_W_WB | HPS_W_WB_OK);
			spin_unlock_irqrestore(lock, flags);
			if (!(b & 65535))
				cond_resched();
		}
		atomic64_set(&pool->wb_inflight, 0);
		hps_throttle_set(pool, 0);
	}
	mutex_unlock(&hps_lock);
}
