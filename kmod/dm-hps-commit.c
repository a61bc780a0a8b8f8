// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: committing a pool's metadata, and what waits for it.
 *
 * A commit makes every write that completed before it durable and
 * findable after a crash:
 *   1. snapshot the changed metadata pages (clearing their dirty marks
 *      first, so a word changed meanwhile marks its page again);
 *   2. flush the cache device: the data of every block the snapshot calls
 *      valid is on media before any page says so;
 *   3. write each page to the slot not holding its current copy, flush;
 *   4. wait for every bio remapped to the cache device before step 1 to
 *      end (pool->srcu), then make the blocks the pages wrote as free
 *      (dropped ones, HPS_W_PFREE) free in memory too: only now may they
 *      take new data.
 * Flushes, FUA writes and writes waiting for a free block queue up while a
 * commit runs; the next commit serves all of them.
 */
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/crc32c.h>
#include <linux/slab.h>

#include "dm-hps.h"

static void hps_commit_work(struct work_struct *work);

int hps_commit_init(struct hps_pool *pool)
{
	unsigned int i;
	int r;

	r = init_srcu_struct(&pool->srcu);
	if (r)
		return r;
	r = init_srcu_struct(&pool->wb_srcu);
	if (r) {
		cleanup_srcu_struct(&pool->srcu);
		return r;
	}
	mutex_init(&pool->commit_mutex);
	INIT_WORK(&pool->commit_work, hps_commit_work);
	spin_lock_init(&pool->defer_lock);
	bio_list_init(&pool->commit_waiters);
	bio_list_init(&pool->deferred);
	pool->commit_pfree = bitmap_zalloc(HPS_COMMIT_BATCH * HPS_WORDS_PER_PAGE,
					   GFP_KERNEL);
	pool->wq = alloc_workqueue("hps-pool-%u", WQ_MEM_RECLAIM, 0, pool->pool_id);
	if (!pool->commit_pfree || !pool->wq)
		goto fail;
	for (i = 0; i < HPS_COMMIT_BATCH; i++) {
		pool->commit_pages[i] = alloc_page(GFP_KERNEL);
		if (!pool->commit_pages[i])
			goto fail;
	}
	return 0;
fail:
	hps_commit_exit(pool);
	return -ENOMEM;
}

void hps_commit_exit(struct hps_pool *pool)
{
	unsigned int i;

	if (pool->wq) {
		destroy_workqueue(pool->wq);
		pool->wq = NULL;
	}
	for (i = 0; i < HPS_COMMIT_BATCH; i++) {
		if (pool->commit_pages[i])
			__free_page(pool->commit_pages[i]);
		pool->commit_pages[i] = NULL;
	}
	bitmap_free(pool->commit_pfree);
	pool->commit_pfree = NULL;
	cleanup_srcu_struct(&pool->srcu);
	cleanup_srcu_struct(&pool->wb_srcu);
}

/* Fill commit page @n with the words of metadata page @p. */
static void hps_commit_snapshot(struct hps_pool *pool, unsigned int n, u64 p)
{
	const struct hps_geometry *g = &pool->geo;
	struct hps_disk_meta_header *h = page_address(pool->commit_pages[n]);
	__le32 *disk = (__le32 *)(h + 1);
	unsigned long *pfree = pool->commit_pfree + n * BITS_TO_LONGS(HPS_WORDS_PER_PAGE);
	u64 first = p * HPS_WORDS_PER_PAGE;
	unsigned int i, nr = min_t(u64, HPS_WORDS_PER_PAGE, g->nr_blocks - first);

	memset(h, 0, PAGE_SIZE);
	bitmap_zero(pfree, HPS_WORDS_PER_PAGE);
	for (i = 0; i < nr; i++) {
		u32 w = READ_ONCE(pool->meta.words[first + i]);

		if (w == HPS_W_PFREE)
			__set_bit(i, pfree);
		disk[i] = cpu_to_le32(w & HPS_WORD_VALID ? w & HPS_WORD_DISK_MASK : 0);
	}
	h->seq = cpu_to_le32(pool->meta.page_seq[p] + 1);
	h->page_nr = cpu_to_le32(p);
	h->pool_tag = cpu_to_le32(pool->pool_tag);
	h->crc = cpu_to_le32(crc32c(~0U, (u8 *)h + sizeof(h->crc),
				    PAGE_SIZE - sizeof(h->crc)));
}

/* Free in memory the dropped words commit page @n wrote as free. */
static void hps_commit_release(struct hps_pool *pool, unsigned int n, u64 p)
{
	unsigned long *pfree = pool->commit_pfree + n * BITS_TO_LONGS(HPS_WORDS_PER_PAGE);
	unsigned int i;

	for_each_set_bit(i, pfree, HPS_WORDS_PER_PAGE) {
		u64 b = p * HPS_WORDS_PER_PAGE + i;
		spinlock_t *lock = hps_set_lock(pool, hps_block_set(&pool->geo, b));
		unsigned long flags;

		spin_lock_irqsave(lock, flags);
		if (*hps_word(pool, b) == HPS_W_PFREE) {
			*hps_word(pool, b) = 0;
			atomic64_dec(&pool->pfree);
		}
		spin_unlock_irqrestore(lock, flags);
	}
}

/* Commit now, in the caller's context; 0 or the error (pages stay dirty). */
int hps_commit_now(struct hps_pool *pool)
{
	const struct hps_geometry *g = &pool->geo;
	sector_t sectors[HPS_COMMIT_BATCH];
	u64 pages[HPS_COMMIT_BATCH], p = 0;
	unsigned int n, i;
	bool wrote = false;
	int r = 0;

	mutex_lock(&pool->commit_mutex);
	for (;;) {
		for (n = 0; n < HPS_COMMIT_BATCH; p++) {
			p = find_next_bit(pool->meta.page_dirty, g->meta_pages, p);
			if (p >= g->meta_pages)
				break;
			if (!test_and_clear_bit(p, pool->meta.page_dirty))
				continue;
			hps_commit_snapshot(pool, n, p);
			pages[n] = p;
			sectors[n] = g->meta_sector + (2 * p + !test_bit(p, pool->meta.page_slot)) *
				     HPS_META_PAGE_SECTORS;
			n++;
		}
		if (!n && wrote)
			break;

		r = blkdev_issue_flush(pool->bdev);
		if (!r && n)
			r = hps_io_pages(pool->bdev, REQ_OP_WRITE | REQ_SYNC,
					 pool->commit_pages, sectors, n);
		if (!r && n)
			r = blkdev_issue_flush(pool->bdev);
		if (r) {
			for (i = 0; i < n; i++)
				set_bit(pages[i], pool->meta.page_dirty);
			break;
		}
		if (!n)
			break;
		wrote = true;
		for (i = 0; i < n; i++) {
			pool->meta.page_seq[pages[i]]++;
			change_bit(pages[i], pool->meta.page_slot);
		}
		synchronize_srcu_expedited(&pool->srcu);
		for (i = 0; i < n; i++)
			hps_commit_release(pool, i, pages[i]);
	}
	if (r) {
		atomic64_inc(&pool->commit_errors);
		hps_cache_error(pool, "metadata commit", r);
	} else {
		atomic64_inc(&pool->commits);
	}
	mutex_unlock(&pool->commit_mutex);
	return r;
}

static void hps_commit_work(struct work_struct *work)
{
	struct hps_pool *pool = container_of(work, struct hps_pool, commit_work);
	struct bio_list waiters, deferred;
	unsigned long flags;
	struct bio *bio;
	int r;

	spin_lock_irqsave(&pool->defer_lock, flags);
	waiters = pool->commit_waiters;
	deferred = pool->deferred;
	bio_list_init(&pool->commit_waiters);
	bio_list_init(&pool->deferred);
	spin_unlock_irqrestore(&pool->defer_lock, flags);

	r = hps_commit_now(pool);
	while ((bio = bio_list_pop(&waiters))) {
		if (r)
			bio->bi_status = errno_to_blk_status(r);
		bio_endio(bio);
	}
	while ((bio = bio_list_pop(&deferred)))
		hps_volume_remap_deferred(bio);
}

void hps_commit_kick(struct hps_pool *pool)
{
	queue_work(pool->wq, &pool->commit_work);
}

/* Complete @bio (a flush, or a FUA write that ended) after a commit. */
void hps_commit_wait_bio(struct hps_pool *pool, struct bio *bio)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->defer_lock, flags);
	bio_list_add(&pool->commit_waiters, bio);
	spin_unlock_irqrestore(&pool->defer_lock, flags);
	hps_commit_kick(pool);
}

/* Map @bio again after a commit (its set had no free block yet). */
void hps_defer_bio(struct hps_pool *pool, struct bio *bio)
{
	unsigned long flags;

	spin_lock_irqsave(&pool->defer_lock, flags);
	bio_list_add(&pool->deferred, bio);
	spin_unlock_irqrestore(&pool->defer_lock, flags);
	hps_commit_kick(pool);
}
