// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the ownership lease of a volume (FORMAT.md, "Ownership lease").
 *
 * A replicated primary may serve I/O only while its node still holds the
 * volume's RBD image in Ceph: once another node was promoted, a read from
 * this cache is stale and a write to it can never be written back.  hpsd
 * confirms the image every few seconds and renews the lease with
 * "lease <ms>".  When the lease runs out (hpsd cut off from Ceph, or
 * dead), new bios wait, in arrival order, until the next renewal;
 * "lease fence" (hpsd found the image taken) fails them and every later
 * bio; "lease off" ends the lease.
 *
 * The check is a jiffies comparison in map(): no timer runs.  Waiting
 * bios are in flight as far as dm is concerned, so a suspend would wait
 * for them until a renewal: presuspend gives them back to dm instead
 * (after a noflush suspend dm maps them again; otherwise they fail, as
 * dm-mpath's do without queue_if_no_path).
 */
#include <linux/bio.h>
#include <linux/workqueue.h>

#include "dm-hps.h"

static const char *const hps_lease_names[] = {
	[HPS_LEASE_OFF] = "off",
	[HPS_LEASE_ON] = "on",
	[HPS_LEASE_FENCED] = "fenced",
};

static bool hps_lease_lapsed(struct hps_lease *l)
{
	return time_after_eq(jiffies, READ_ONCE(l->until));
}

/* The status word: off, held, lapsed or fenced. */
const char *hps_lease_state_name(struct hps_volume *v)
{
	struct hps_lease *l = &v->lease;
	enum hps_lease_state state = READ_ONCE(l->state);

	if (state == HPS_LEASE_ON)
		return hps_lease_lapsed(l) ? "lapsed" : "held";
	return hps_lease_names[state];
}

static void hps_lease_work(struct work_struct *work)
{
	struct hps_lease *l = container_of(work, struct hps_lease, work);
	struct bio_list bios;
	unsigned long flags;
	struct bio *bio;

	spin_lock_irqsave(&l->lock, flags);
	bios = l->bios;
	bio_list_init(&l->bios);
	spin_unlock_irqrestore(&l->lock, flags);

	/* map() decides again: go on, wait again, or fail when fenced. */
	while ((bio = bio_list_pop(&bios)))
		hps_volume_remap_deferred(bio);
}

void hps_lease_init(struct hps_volume *v)
{
	struct hps_lease *l = &v->lease;

	spin_lock_init(&l->lock);
	bio_list_init(&l->bios);
	INIT_WORK(&l->work, hps_lease_work);
	l->state = HPS_LEASE_OFF;
	l->until = jiffies;
	l->suspending = false;
	atomic64_set(&l->waited, 0);
}

/* Before the volume goes: it is suspended, so no bio waits or comes. */
void hps_lease_exit(struct hps_volume *v)
{
	cancel_work_sync(&v->lease.work);
}

/*
 * The lease may take a bio now: fenced, or on and lapsed.  Lockless, so
 * the hot path pays one jiffies comparison; hps_lease_take() decides.
 */
bool hps_lease_may_take(struct hps_volume *v)
{
	struct hps_lease *l = &v->lease;
	enum hps_lease_state state = READ_ONCE(l->state);

	return state == HPS_LEASE_FENCED ||
	       (state == HPS_LEASE_ON && hps_lease_lapsed(l));
}

/*
 * Called once hps_lease_may_take() said so.  True when the lease took
 * @bio; *@r is then what map() returns: the bio waits (SUBMITTED), is
 * refused (KILL: fenced) or is given back to dm during a suspend
 * (REQUEUE).  A bio that waits is mapped again from the lease's work,
 * where dm no longer lets it be split: the caller cuts it first
 * (hps_map_bio()).
 */
bool hps_lease_take(struct hps_volume *v, struct bio *bio, int *r)
{
	struct hps_lease *l = &v->lease;
	unsigned long flags;
	bool taken = true;

	spin_lock_irqsave(&l->lock, flags);
	/* A renewal may have come meanwhile. */
	if (l->state == HPS_LEASE_FENCED) {
		*r = DM_MAPIO_KILL;
	} else if (l->state == HPS_LEASE_OFF || !hps_lease_lapsed(l)) {
		taken = false;
	} else if (l->suspending) {
		*r = DM_MAPIO_REQUEUE;
	} else {
		bio_list_add(&l->bios, bio);
		atomic64_inc(&l->waited);
		*r = DM_MAPIO_SUBMITTED;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return taken;
}

/*
 * "lease <ms>" (0: lapsed now), "lease off", "lease fence".  -EINVAL or
 * -ERANGE: a bad value; -EPERM: a renewal of a fenced volume.
 */
int hps_lease_message(struct hps_volume *v, const char *arg)
{
	struct hps_lease *l = &v->lease;
	enum hps_lease_state state;
	unsigned int ms = 0;
	unsigned long flags;
	bool release;
	int r;

	if (!strcmp(arg, "off")) {
		state = HPS_LEASE_OFF;
	} else if (!strcmp(arg, "fence")) {
		state = HPS_LEASE_FENCED;
	} else {
		r = hps_parse_uint(arg, 0, HPS_LEASE_MAX_MS, &ms);
		if (r)
			return r;
		state = HPS_LEASE_ON;
	}

	spin_lock_irqsave(&l->lock, flags);
	/* Only an explicit "lease off" undoes a fence, never a late renewal. */
	if (l->state == HPS_LEASE_FENCED && state == HPS_LEASE_ON) {
		spin_unlock_irqrestore(&l->lock, flags);
		DMWARN("volume %u: fenced: only 'lease off' ends it", v->volume_id);
		return -EPERM;
	}
	if (state != l->state)
		DMINFO("volume %u: lease %s -> %s", v->volume_id,
		       hps_lease_names[l->state], hps_lease_names[state]);
	WRITE_ONCE(l->state, state);
	WRITE_ONCE(l->until, jiffies + msecs_to_jiffies(ms));
	release = !bio_list_empty(&l->bios) && (state != HPS_LEASE_ON || ms);
	spin_unlock_irqrestore(&l->lock, flags);

	if (release)
		queue_work(v->pool->wq, &l->work);
	return 0;
}

/*
 * dm suspends the volume: the waiting bios go back to dm, and so do new
 * ones until it resumes (see the top of the file).
 */
void hps_lease_presuspend(struct dm_target *ti)
{
	struct hps_volume *v = ti->private;
	struct hps_lease *l = &v->lease;
	blk_status_t status = dm_noflush_suspending(ti) ? BLK_STS_DM_REQUEUE :
				BLK_STS_IOERR;
	struct bio_list bios;
	unsigned long flags;
	struct bio *bio;

	flush_work(&l->work);
	spin_lock_irqsave(&l->lock, flags);
	l->suspending = true;
	bios = l->bios;
	bio_list_init(&l->bios);
	spin_unlock_irqrestore(&l->lock, flags);

	while ((bio = bio_list_pop(&bios))) {
		bio->bi_status = status;
		bio_endio(bio);
	}
}

/* The suspend was undone, or the volume resumed. */
void hps_lease_resume(struct dm_target *ti)
{
	struct hps_volume *v = ti->private;
	unsigned long flags;

	spin_lock_irqsave(&v->lease.lock, flags);
	v->lease.suspending = false;
	spin_unlock_irqrestore(&v->lease.lock, flags);
}
