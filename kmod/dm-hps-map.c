// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the I/O path of the hps (volume) target.
 *
 * dm splits bios at a channel buffer (128 KiB, max_io_len) and sends a
 * flush with data as an empty flush followed by the data.  map() takes
 * the part of a bio that one decision covers (dm_accept_partial_bio; dm
 * sends the rest again): one block for a hit or a cached write, a run of
 * missing blocks for a read from RBD, the whole bio in passthrough.
 *
 *   read      hit: remapped to the cache device; miss: hpsd reads RBD.
 *   write     a dirty copy is overwritten in place; a whole block is
 *             written to a newly reserved block (valid once written); a
 *             partial block or one past the sequential cutoff goes to RBD
 *             through hpsd after dropping a clean copy.
 *   flush     completes after a metadata commit.
 *   FUA       the write, then a commit, then completion.
 *   discard   drops the range's blocks, then RBD discards it.
 *
 * In the passthrough role every bio goes to RBD through hpsd.  A primary
 * also hands every cached write and every flush to hpsd for the peer
 * (dm-hps-repl.c) and completes it when both ended.  A secondary holds
 * what hpsd writes for its peer: it caches whole blocks whatever the mode,
 * and never goes to RBD (a write it cannot cache fails; a discard only
 * drops blocks).
 */
#include <linux/bio.h>
#include <linux/blkdev.h>

#include "dm-hps.h"
#include "dm-hps-cache.h"

static struct bio *hps_bio_of(struct hps_bio *hb)
{
	return dm_bio_from_per_bio_data(hb, sizeof(*hb));
}

static void hps_backend_done(struct hps_chan_req *req, int error)
{
	struct hps_bio *hb = container_of(req, struct hps_bio, req);
	struct bio *bio = hps_bio_of(hb);

	if (error)
		bio->bi_status = errno_to_blk_status(error);
	bio_endio(bio);
}

/* Send @bio to the backend (RBD, through hpsd); it completes from there. */
static int hps_to_backend(struct hps_volume *v, struct bio *bio,
			  struct hps_bio *hb, u8 op, u8 flags)
{
	struct hps_chan_req *req = &hb->req;

	req->bio = (op == HPS_OP_READ || op == HPS_OP_WRITE) ? bio : NULL;
	req->iter = bio->bi_iter;
	req->volume_id = v->volume_id;
	req->op = op;
	req->flags = flags;
	req->offset = (u64)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	req->len = bio->bi_iter.bi_size;
	req->done = hps_backend_done;
	hps_chan_submit(req);
	return DM_MAPIO_SUBMITTED;
}

static u64 hps_key_of(struct hps_volume *v, sector_t sector)
{
	return hps_make_key(&v->pool->geo, v->base, sector >> v->pool->block_shift);
}

/* Sectors of @bio inside the block it starts in. */
static unsigned int hps_first_piece(struct hps_pool *pool, struct bio *bio)
{
	sector_t sector = bio->bi_iter.bi_sector;
	unsigned int to_end = pool->block_sectors - (sector & (pool->block_sectors - 1));

	return min_t(unsigned int, bio_sectors(bio), to_end);
}

/* Take only the first @n sectors of @bio in this map() call. */
static void hps_accept(struct bio *bio, unsigned int n)
{
	if (n < bio_sectors(bio))
		dm_accept_partial_bio(bio, n);
}

static void hps_remap(struct hps_pool *pool, struct bio *bio, u64 block)
{
	sector_t in_block = bio->bi_iter.bi_sector & (pool->block_sectors - 1);

	bio_set_dev(bio, pool->bdev);
	bio->bi_iter.bi_sector = hps_block_sector(pool, block) + in_block;
}

/*
 * A write remapped to the cache device ends here first (dm's end_io is
 * restored): an allocating write makes its block valid, and a FUA write
 * waits for a commit.  The block's I/O is over, so srcu is let go before
 * waiting for a commit, which itself waits for srcu readers.
 */
static void hps_write_endio(struct bio *bio)
{
	struct hps_bio *hb = bio->bi_private;
	struct hps_volume *v = hb->v;
	struct hps_pool *pool = v->pool;
	int error = blk_status_to_errno(bio->bi_status);

	bio->bi_end_io = hb->orig_end_io;
	bio->bi_private = hb->orig_private;
	hb->flags &= ~HPS_BIO_HOOKED;

	if (error)
		hps_cache_error(pool, "write", error);
	if ((hb->flags & HPS_BIO_ALLOC) &&
	    !hps_cache_write_done(pool, v->slot, hb->block, hb->word, error) &&
	    !error) {
		/* The block was dropped under it: the data is not cached. */
		error = -EIO;
		bio->bi_status = BLK_STS_IOERR;
	}
	if (hb->flags & HPS_BIO_SRCU) {
		__srcu_read_unlock(&pool->srcu, hb->srcu_idx);
		hb->flags &= ~HPS_BIO_SRCU;
	}
	if (hb->flags & HPS_BIO_REPL) {
		/* Whichever of this and the peer's answer ends last goes on. */
		if (!hps_repl_part_done(hb, error))
			return;
		error = READ_ONCE(hb->repl_error);
	}
	hps_write_finish(bio, error);
}

/* A cached write has ended: WB_TAKE no longer waits for it. */
void hps_wb_srcu_unlock(struct hps_pool *pool, struct hps_bio *hb)
{
	if (hb->flags & HPS_BIO_WB_SRCU) {
		__srcu_read_unlock(&pool->wb_srcu, hb->wb_srcu_idx);
		hb->flags &= ~HPS_BIO_WB_SRCU;
	}
}

/* A write's data is where it belongs: a FUA write waits for a commit. */
void hps_write_finish(struct bio *bio, int error)
{
	struct hps_bio *hb = dm_per_bio_data(bio, sizeof(*hb));

	hps_wb_srcu_unlock(hb->v->pool, hb);

	if (error && !bio->bi_status)
		bio->bi_status = errno_to_blk_status(error);
	if (!error && (bio->bi_opf & REQ_FUA)) {
		hps_commit_wait_bio(hb->v->pool, bio);
		return;
	}
	bio_endio(bio);
}

static void hps_hook_write(struct bio *bio, struct hps_bio *hb)
{
	hb->orig_end_io = bio->bi_end_io;
	hb->orig_private = bio->bi_private;
	bio->bi_end_io = hps_write_endio;
	bio->bi_private = hb;
	hb->flags |= HPS_BIO_HOOKED;
}

/*
 * Past the sequential cutoff: this write continues the previous one and
 * the stream so far is at least seq_cutoff bytes.  Racy by design (a
 * heuristic, like bcache's): concurrent streams only blur it.
 */
static bool hps_seq_cutoff(struct hps_volume *v, struct bio *bio)
{
	u64 cutoff = READ_ONCE(v->seq_cutoff);
	sector_t sector = bio->bi_iter.bi_sector;
	u64 run;

	if (!cutoff)
		return false;
	run = READ_ONCE(v->seq_next) == sector ? READ_ONCE(v->seq_bytes) : 0;
	run += bio->bi_iter.bi_size;
	WRITE_ONCE(v->seq_bytes, run);
	WRITE_ONCE(v->seq_next, bio_end_sector(bio));
	return run > cutoff;
}

/*
 * A write goes to the cache device.  A primary's also goes to hpsd for
 * the peer (before the remap: the request keeps the volume's sector and
 * the data's iterator); both must end before the bio does.
 */
static int hps_write_remap(struct hps_volume *v, struct bio *bio,
			   struct hps_bio *hb, u64 block, bool hook)
{
	bool primary = READ_ONCE(v->role) == HPS_ROLE_PRIMARY;

	if (hook || primary)
		hps_hook_write(bio, hb);
	if (primary)
		hps_repl_write(v, bio, hb);
	hps_remap(v->pool, bio, block);
	return DM_MAPIO_REMAPPED;
}

static int hps_map_write(struct hps_volume *v, struct bio *bio, struct hps_bio *hb)
{
	struct hps_pool *pool = v->pool;
	unsigned int block_bytes = pool->block_sectors << SECTOR_SHIFT;
	bool secondary = READ_ONCE(v->role) == HPS_ROLE_SECONDARY;
	bool whole, cacheable;
	u64 block = 0;
	u32 word = 0;

	/* One block at a time: each may go somewhere else. */
	hps_accept(bio, hps_first_piece(pool, bio));
	if (!secondary && hps_throttle_bio(pool, bio))
		return DM_MAPIO_SUBMITTED;
	whole = !(bio->bi_iter.bi_sector & (pool->block_sectors - 1)) &&
		bio->bi_iter.bi_size == block_bytes;
	/* A secondary keeps whatever the primary cached, mode or not. */
	cacheable = whole && (secondary || (READ_ONCE(v->mode) == HPS_MODE_WRITEBACK &&
					    !hps_seq_cutoff(v, bio)));

	/*
	 * From before the plan: a WB_TAKE that marks this block after the
	 * plan was made waits for this write to end (dm-hps-wb.c).
	 */
	hb->wb_srcu_idx = __srcu_read_lock(&pool->wb_srcu);
	hb->flags |= HPS_BIO_WB_SRCU;
	hb->srcu_idx = __srcu_read_lock(&pool->srcu);
	switch (hps_cache_write(pool, v->slot, hps_key_of(v, bio->bi_iter.bi_sector),
				cacheable, &block, &word)) {
	case HPS_PLAN_ALLOC:
		hb->flags |= HPS_BIO_SRCU | HPS_BIO_ALLOC;
		hb->block = block;
		hb->word = word;
		return hps_write_remap(v, bio, hb, block, true);
	case HPS_PLAN_IN_PLACE:
		hb->flags |= HPS_BIO_SRCU;
		hb->block = block;
		return hps_write_remap(v, bio, hb, block, bio->bi_opf & REQ_FUA);
	case HPS_PLAN_DEFER:
		__srcu_read_unlock(&pool->srcu, hb->srcu_idx);
		hps_wb_srcu_unlock(pool, hb);
		hps_defer_bio(pool, bio);
		return DM_MAPIO_SUBMITTED;
	case HPS_PLAN_THROUGH:
	default:
		__srcu_read_unlock(&pool->srcu, hb->srcu_idx);
		hps_wb_srcu_unlock(pool, hb);
		/* Only the primary writes to RBD: the peer resyncs this block. */
		if (secondary)
			return DM_MAPIO_KILL;
		atomic64_inc(&v->write_through);
		/* Nothing of it is cached: it must be durable on RBD. */
		return hps_to_backend(v, bio, hb, HPS_OP_WRITE, HPS_IOF_FUA);
	}
}

static int hps_map_read(struct hps_volume *v, struct bio *bio, struct hps_bio *hb)
{
	struct hps_pool *pool = v->pool;
	unsigned int n = hps_first_piece(pool, bio), step;
	sector_t sector = bio->bi_iter.bi_sector;
	u64 block;

	hb->srcu_idx = __srcu_read_lock(&pool->srcu);
	if (!hps_cache_read(pool, hps_key_of(v, sector), &block)) {
		hps_accept(bio, n);
		hb->flags |= HPS_BIO_SRCU;
		hb->block = block;
		atomic64_inc(&v->read_hits);
		hps_remap(pool, bio, block);
		return DM_MAPIO_REMAPPED;
	}
	__srcu_read_unlock(&pool->srcu, hb->srcu_idx);

	/* One request to RBD for the run of blocks that all miss. */
	while (n < bio_sectors(bio) &&
	       hps_cache_read(pool, hps_key_of(v, sector + n), &block)) {
		step = min_t(unsigned int, pool->block_sectors, bio_sectors(bio) - n);
		n += step;
	}
	hps_accept(bio, n);
	atomic64_inc(&v->read_misses);
	return hps_to_backend(v, bio, hb, HPS_OP_READ, 0);
}

static int hps_map_discard(struct hps_volume *v, struct bio *bio, struct hps_bio *hb)
{
	struct hps_pool *pool = v->pool;
	sector_t start = bio->bi_iter.bi_sector, end = bio_end_sector(bio);
	u64 first = DIV_ROUND_UP_SECTOR_T(start, pool->block_sectors);
	u64 last = end >> pool->block_shift;	/* exclusive */

	atomic64_inc(&v->discards);
	/* Only whole blocks are dropped; RBD gets the exact range. */
	if (READ_ONCE(v->role) != HPS_ROLE_PASSTHROUGH && last > first)
		hps_cache_discard(pool, v->slot, hps_key_of(v, first << pool->block_shift),
				  last - first);
	/* A secondary never writes to RBD: its primary discards there. */
	if (READ_ONCE(v->role) == HPS_ROLE_SECONDARY) {
		bio_endio(bio);
		return DM_MAPIO_SUBMITTED;
	}
	return hps_to_backend(v, bio, hb, HPS_OP_DISCARD, 0);
}

static int hps_map_bio(struct hps_volume *v, struct bio *bio, unsigned int flags)
{
	struct hps_bio *hb = dm_per_bio_data(bio, sizeof(*hb));
	enum hps_role role = READ_ONCE(v->role);
	int r;

	hb->v = v;
	hb->flags = flags;

	/*
	 * An owner's lease that lapsed: nothing is served until renewed.  A
	 * waiting bio is mapped again from the lease's work, outside dm's
	 * map(), where dm_accept_partial_bio() must not be called: a read or
	 * write waits cut to the block it starts in, as map_read() and
	 * map_write() would take it (dm sends the rest again, which waits
	 * too).  A bio mapped again was cut already.
	 */
	if (hps_lease_may_take(v)) {
		if (!(flags & HPS_BIO_WAITED) &&
		    (bio_op(bio) == REQ_OP_READ || bio_op(bio) == REQ_OP_WRITE))
			hps_accept(bio, hps_first_piece(v->pool, bio));
		if (hps_lease_take(v, bio, &r))
			return r;
	}

	if (bio->bi_opf & REQ_PREFLUSH) {
		/* dm sends flushes empty: the data, if any, follows alone. */
		atomic64_inc(&v->flushes);
		if (role == HPS_ROLE_PASSTHROUGH)
			return hps_to_backend(v, bio, hb, HPS_OP_FLUSH, 0);
		if (role == HPS_ROLE_PRIMARY)
			hps_repl_flush(v, bio, hb);
		hps_commit_wait_bio(v->pool, bio);
		return DM_MAPIO_SUBMITTED;
	}

	switch (bio_op(bio)) {
	case REQ_OP_READ:
		if (role == HPS_ROLE_PASSTHROUGH)
			return hps_to_backend(v, bio, hb, HPS_OP_READ, 0);
		return hps_map_read(v, bio, hb);
	case REQ_OP_WRITE:
		atomic64_inc(&v->writes);
		if (role == HPS_ROLE_PASSTHROUGH)
			return hps_to_backend(v, bio, hb, HPS_OP_WRITE,
					      bio->bi_opf & REQ_FUA ? HPS_IOF_FUA : 0);
		return hps_map_write(v, bio, hb);
	case REQ_OP_DISCARD:
		return hps_map_discard(v, bio, hb);
	default:
		return DM_MAPIO_KILL;
	}
}

int hps_volume_map(struct dm_target *ti, struct bio *bio)
{
	return hps_map_bio(ti->private, bio, 0);
}

/*
 * A bio that waited (for a free block, from the commit work, or on the
 * throttle), mapped again; it has waited enough not to be throttled.
 */
void hps_volume_remap_deferred(struct bio *bio)
{
	struct hps_bio *hb = dm_per_bio_data(bio, sizeof(*hb));

	switch (hps_map_bio(hb->v, bio, HPS_BIO_WAITED)) {
	case DM_MAPIO_REMAPPED:
		dm_submit_bio_remap(bio, NULL);
		break;
	case DM_MAPIO_KILL:
		bio_io_error(bio);
		break;
	case DM_MAPIO_REQUEUE:
		/* The lease gives it back to a suspending dm. */
		bio->bi_status = BLK_STS_DM_REQUEUE;
		bio_endio(bio);
		break;
	default:
		break;
	}
}

int hps_volume_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error)
{
	struct hps_volume *v = ti->private;
	struct hps_bio *hb = dm_per_bio_data(bio, sizeof(*hb));

	if (hb->flags & HPS_BIO_SRCU) {
		/* A read hit or a write in place: the cache device's I/O ended. */
		__srcu_read_unlock(&v->pool->srcu, hb->srcu_idx);
		hb->flags &= ~HPS_BIO_SRCU;
		if (*error && bio_op(bio) == REQ_OP_READ)
			hps_cache_error(v->pool, "read", blk_status_to_errno(*error));
		else if (*error)
			hps_cache_error(v->pool, "write", blk_status_to_errno(*error));
	}
	/* A write in place that was not hooked ends here. */
	hps_wb_srcu_unlock(v->pool, hb);
	/* Given back to dm by the lease (suspend): not an error yet. */
	if (*error && *error != BLK_STS_DM_REQUEUE)
		atomic64_inc(&v->errors);
	return DM_ENDIO_DONE;
}
