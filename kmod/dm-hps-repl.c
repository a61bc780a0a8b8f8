// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: a primary volume's writes and flushes also go to its peer
 * (FORMAT.md, "Replication").
 *
 * A cached write is written to the cache device and, at the same time,
 * handed to hpsd as HPS_OP_REPLICATE with its data; hpsd answers once the
 * peer holds it.  The bio completes when both ended (two parts, counted in
 * hb->parts), with the first error of either.  A flush waits for a local
 * metadata commit and for HPS_OP_REPL_FLUSH, which hpsd answers once the
 * peer committed everything replicated before it: a flush's data then
 * survives the loss of either node.
 */
#include <linux/bio.h>

#include "dm-hps.h"

/* One part of a replicated bio ended; true for the last, which goes on. */
bool hps_repl_part_done(struct hps_bio *hb, int error)
{
	if (error)
		cmpxchg(&hb->repl_error, 0, error);
	return atomic_dec_and_test(&hb->parts);
}

static void hps_repl_req(struct hps_volume *v, struct bio *bio, struct hps_bio *hb,
			 u8 op, void (*done)(struct hps_chan_req *req, int error))
{
	struct hps_chan_req *req = &hb->req;

	hb->flags |= HPS_BIO_REPL;
	hb->repl_error = 0;
	atomic_set(&hb->parts, 2);
	req->bio = op == HPS_OP_REPLICATE ? bio : NULL;
	req->iter = bio->bi_iter;
	req->volume_id = v->volume_id;
	req->op = op;
	req->flags = op == HPS_OP_REPLICATE && (bio->bi_opf & REQ_FUA) ? HPS_IOF_FUA : 0;
	req->offset = (u64)bio->bi_iter.bi_sector << SECTOR_SHIFT;
	req->len = op == HPS_OP_REPLICATE ? bio->bi_iter.bi_size : 0;
	req->done = done;
}

static void hps_repl_write_done(struct hps_chan_req *req, int error)
{
	struct hps_bio *hb = container_of(req, struct hps_bio, req);
	struct bio *bio = dm_bio_from_per_bio_data(hb, sizeof(*hb));

	if (hps_repl_part_done(hb, error))
		hps_write_finish(bio, READ_ONCE(hb->repl_error));
}

/*
 * @bio, a cached write about to be remapped to the cache device (its end
 * hooked by the caller), goes to the peer too.
 */
void hps_repl_write(struct hps_volume *v, struct bio *bio, struct hps_bio *hb)
{
	hps_repl_req(v, bio, hb, HPS_OP_REPLICATE, hps_repl_write_done);
	hps_chan_submit(&hb->req);
}

/* The flush bio's end, hooked: the local commit or the peer's answer. */
static void hps_repl_flush_part(struct bio *bio, struct hps_bio *hb, int error)
{
	if (!hps_repl_part_done(hb, error))
		return;
	bio->bi_end_io = hb->orig_end_io;
	bio->bi_private = hb->orig_private;
	error = READ_ONCE(hb->repl_error);
	if (error)
		bio->bi_status = errno_to_blk_status(error);
	bio_endio(bio);
}

static void hps_repl_flush_endio(struct bio *bio)
{
	struct hps_bio *hb = bio->bi_private;

	hps_repl_flush_part(bio, hb, blk_status_to_errno(bio->bi_status));
}

static void hps_repl_flush_done(struct hps_chan_req *req, int error)
{
	struct hps_bio *hb = container_of(req, struct hps_bio, req);

	hps_repl_flush_part(dm_bio_from_per_bio_data(hb, sizeof(*hb)), hb, error);
}

/* @bio, a flush the caller sends to a local commit next, goes to the peer too. */
void hps_repl_flush(struct hps_volume *v, struct bio *bio, struct hps_bio *hb)
{
	hps_repl_req(v, bio, hb, HPS_OP_REPL_FLUSH, hps_repl_flush_done);
	hb->orig_end_io = bio->bi_end_io;
	hb->orig_private = bio->bi_private;
	bio->bi_end_io = hps_repl_flush_endio;
	bio->bi_private = hb;
	hps_chan_submit(&hb->req);
}
