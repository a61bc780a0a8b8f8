// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the write throttle of a pool (FORMAT.md, "Writeback").
 *
 * Above the high dirty watermark hpsd sets a delay with WB_TAKE; every
 * write that reaches a volume of the pool then waits that long before it
 * is mapped, which slows writers down to what writeback can drain instead
 * of letting the cache fill with dirty data (a full set still writes
 * through to RBD: nothing ever fails for lack of room).  The setting is a
 * lease: unless hpsd renews it within HPS_WB_THROTTLE_LEASE_MS it lapses,
 * and an hpsd that detaches clears it, so a dead daemon cannot leave the
 * volumes slowed down.
 *
 * Delayed bios wait in arrival order, like dm-delay's; one delayed work
 * per pool maps them again when their time is up.
 */
#include <linux/bio.h>
#include <linux/workqueue.h>

#include "dm-hps.h"

static struct hps_bio *hps_throttle_hb(struct bio *bio)
{
	return dm_per_bio_data(bio, sizeof(struct hps_bio));
}

static bool hps_throttle_on(struct hps_throttle *t)
{
	return READ_ONCE(t->delay_us) && time_before(jiffies, READ_ONCE(t->until));
}

/* The delay new writes get now (0: none), for the status line. */
unsigned int hps_throttle_delay_us(struct hps_pool *pool)
{
	return hps_throttle_on(&pool->throttle) ? READ_ONCE(pool->throttle.delay_us) : 0;
}

static void hps_throttle_work(struct work_struct *work)
{
	struct hps_pool *pool = container_of(to_delayed_work(work),
					     struct hps_pool, throttle.work);
	struct hps_throttle *t = &pool->throttle;
	bool all = !hps_throttle_on(t);
	struct bio_list ready;
	unsigned long flags, now = jiffies;
	struct bio *bio;

	bio_list_init(&ready);
	spin_lock_irqsave(&t->lock, flags);
	while ((bio = bio_list_peek(&t->bios))) {
		if (!all && time_before(now, hps_throttle_hb(bio)->expires))
			break;
		bio_list_add(&ready, bio_list_pop(&t->bios));
	}
	bio = bio_list_peek(&t->bios);
	if (bio)
		queue_delayed_work(pool->wq, &t->work,
				   hps_throttle_hb(bio)->expires - now);
	spin_unlock_irqrestore(&t->lock, flags);

	while ((bio = bio_list_pop(&ready)))
		hps_volume_remap_deferred(bio);
}

void hps_throttle_init(struct hps_pool *pool)
{
	struct hps_throttle *t = &pool->throttle;

	spin_lock_init(&t->lock);
	bio_list_init(&t->bios);
	INIT_DELAYED_WORK(&t->work, hps_throttle_work);
	t->delay_us = 0;
	t->until = jiffies;
	atomic64_set(&t->delayed, 0);
}

/* Before pool->wq goes: no volume is left, so no bio waits or comes. */
void hps_throttle_exit(struct hps_pool *pool)
{
	cancel_delayed_work_sync(&pool->throttle.work);
}

/*
 * Delay new writes by @delay_us (0: stop delaying) for the next lease.
 * Stopping lets the waiting bios go at once.
 */
void hps_throttle_set(struct hps_pool *pool, unsigned int delay_us)
{
	struct hps_throttle *t = &pool->throttle;
	unsigned int old = READ_ONCE(t->delay_us);

	WRITE_ONCE(t->until, jiffies + msecs_to_jiffies(HPS_WB_THROTTLE_LEASE_MS));
	WRITE_ONCE(t->delay_us, delay_us);
	if (!delay_us && old)
		mod_delayed_work(pool->wq, &t->work, 0);
}

/* True if @bio now waits: the throttle maps it again later. */
bool hps_throttle_bio(struct hps_pool *pool, struct bio *bio)
{
	struct hps_throttle *t = &pool->throttle;
	struct hps_bio *hb = hps_throttle_hb(bio);
	unsigned int us = READ_ONCE(t->delay_us);
	unsigned long flags, delay;
	bool first;

	if ((hb->flags & HPS_BIO_WAITED) || !hps_throttle_on(t))
		return false;
	delay = max_t(unsigned long, usecs_to_jiffies(us), 1);
	hb->expires = jiffies + delay;
	spin_lock_irqsave(&t->lock, flags);
	first = bio_list_empty(&t->bios);
	bio_list_add(&t->bios, bio);
	if (first)
		queue_delayed_work(pool->wq, &t->work, delay);
	spin_unlock_irqrestore(&t->lock, flags);
	atomic64_inc(&t->delayed);
	return true;
}
