// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: synchronous I/O of whole pages on the cache device, the way the
 * superblocks, the volume table and metadata commits need it: a batch of
 * one-page bios in flight at once, waited for together.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>

#include "dm-hps.h"

struct hps_io_batch {
	atomic_t pending;
	blk_status_t status;		/* first error seen */
	struct completion done;
};

static void hps_io_endio(struct bio *bio)
{
	struct hps_io_batch *b = bio->bi_private;

	if (bio->bi_status)
		cmpxchg(&b->status, BLK_STS_OK, bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&b->pending))
		complete(&b->done);
}

/*
 * Read or write pages[i] at sectors[i] for i < n; 0 or the first error.
 * bio_alloc() with GFP_NOIO waits rather than fails, so every page is
 * submitted.
 */
int hps_io_pages(struct block_device *bdev, blk_opf_t opf,
		 struct page **pages, const sector_t *sectors, unsigned int n)
{
	struct hps_io_batch b = { .status = BLK_STS_OK };
	unsigned int i;

	if (!n)
		return 0;
	atomic_set(&b.pending, n);
	init_completion(&b.done);
	for (i = 0; i < n; i++) {
		struct bio *bio = bio_alloc(bdev, 1, opf, GFP_NOIO);

		bio->bi_iter.bi_sector = sectors[i];
		__bio_add_page(bio, pages[i], PAGE_SIZE, 0);
		bio->bi_private = &b;
		bio->bi_end_io = hps_io_endio;
		submit_bio(bio);
	}
	wait_for_completion_io(&b.done);
	return blk_status_to_errno(b.status);
}
