/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dm-hps: declarations shared by the files of the module.
 *
 * Locking: hps_lock (a mutex) guards the list of pools, every field of a
 * struct hps_pool that can change, and each pool's list of volumes.  It is
 * only taken in process context (ctr, dtr, status); the I/O path never
 * takes it.
 */
#ifndef DM_HPS_H
#define DM_HPS_H

#include <linux/device-mapper.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/workqueue.h>

#include <linux/dm-hps.h>

#include "hps-geometry.h"

#define DM_MSG_PREFIX "hps"

#define HPS_MODULE_VERSION "0.1.0"

/*
 * Bits of a block's word kept only in memory; HPS_WORD_* (uapi) are the
 * ones on disk.  A word is one of:
 *   0                       free, in memory and on disk
 *   tag|VALID[|DIRTY]...    a cached block of key (set, tag)
 *   tag|DIRTY|PFREE         reserved: an allocating write to it is in
 *                           flight; free on disk until the write completed
 *   PFREE                   dropped: free once a commit wrote it as free
 */
#define HPS_W_REF		(1U << 28)	/* read or written since the clock passed */
#define HPS_W_WB		(1U << 29)	/* handed to writeback (WB_TAKE) */
#define HPS_W_WB_OK		(1U << 30)	/* not written since WB_TAKE */
#define HPS_W_PFREE		(1U << 31)	/* not free on disk yet */
#define HPS_W_RESERVED(w)	(((w) & (HPS_W_PFREE | HPS_WORD_DIRTY)) == \
				 (HPS_W_PFREE | HPS_WORD_DIRTY))

/* Set locks: a set uses lock (set % HPS_SET_LOCKS). */
#define HPS_SET_LOCKS		1024
/* Metadata pages written per batch by a commit. */
#define HPS_COMMIT_BATCH	64
/* Cache-device errors before a pool stops caching new data. */
#define HPS_ERROR_BUDGET	16

/*
 * The in-memory index of a pool: one word a block, and for each metadata
 * page its seq, which of its two slots holds it, and whether it changed
 * since the last commit.
 */
struct hps_meta {
	u32 *words;
	u32 *page_seq;
	unsigned long *page_slot;	/* bit set: slot 1 is the current copy */
	unsigned long *page_dirty;	/* changed since the last commit */
	u64 used;			/* valid blocks at load */
	u64 dirty;			/* valid and dirty blocks at load */
	u64 bad_slots;			/* this pool's slots found corrupt at load */
	u64 index_bytes;		/* kernel memory the above takes */
};

/* A volume's range of the pool's key space (the volume table, on disk). */
struct hps_vslot {
	u32 volume_id;			/* 0: free slot */
	u64 base;			/* first key, a multiple of nr_sets */
	u64 nr_blocks;
	bool secondary;			/* memory only: never written back here */
};

/* Live counters of a pool, per volume slot and in total. */
struct hps_counts {
	atomic64_t used;		/* valid blocks */
	atomic64_t dirty;		/* valid and dirty blocks */
};

/*
 * Write throttle of one pool (dm-hps-throttle.c): above the high dirty
 * watermark hpsd asks for new writes to be delayed rather than let the
 * cache fill with dirty data.  Delayed bios wait on @bios in arrival order
 * and are mapped again by @work once their time is up.
 */
struct hps_throttle {
	spinlock_t lock;
	struct bio_list bios;
	struct delayed_work work;
	unsigned int delay_us;		/* 0: no throttle */
	unsigned long until;		/* jiffies: the setting lapses then */
	atomic64_t delayed;		/* writes delayed so far */
};

/*
 * Ownership lease of one volume (dm-hps-lease.c): a replicated primary
 * serves only while hpsd renews it.  Bios that come after it lapsed wait
 * on @bios until the next renewal, and @work maps them again.
 */
enum hps_lease_state {
	HPS_LEASE_OFF,			/* not leased: serve */
	HPS_LEASE_ON,			/* serve until @until */
	HPS_LEASE_FENCED,		/* another node owns the volume: fail */
};

/* The longest lease one renewal gives (10 minutes). */
#define HPS_LEASE_MAX_MS	600000U

struct hps_lease {
	spinlock_t lock;
	struct bio_list bios;		/* waiting for a renewal */
	struct work_struct work;
	enum hps_lease_state state;	/* READ_ONCE outside @lock */
	unsigned long until;		/* jiffies: ON lapses then */
	bool suspending;		/* between presuspend and resume */
	atomic64_t waited;		/* bios that waited for a renewal */
};

/*
 * One cache pool.  It is keyed by the dev_t of its own dm device, so a
 * table reload of that device finds and keeps the same object.  It lives
 * while an hps-pool target (live or only loaded) or a volume refers to it.
 */
struct hps_pool {
	struct list_head node;		/* on the module's pool list */
	dev_t devt;			/* the pool's own dm device */
	dev_t cache_devt;		/* the cache device it owns */
	struct block_device *bdev;	/* the cache device, held by the pool */
	unsigned int pool_id;
	unsigned int block_sectors;
	unsigned int block_shift;	/* ilog2(block_sectors) */
	unsigned int nr_targets;	/* hps-pool targets using this object */
	struct list_head volumes;	/* struct hps_volume, by pool_node */
	struct hps_disk_super super;	/* as on disk since load or format */
	struct hps_geometry geo;
	struct hps_meta meta;
	u32 pool_tag;			/* crc32c of the uuid, in page headers */

	/* Volume table (dm-hps-vtable.c); changed under hps_lock. */
	struct hps_vslot slots[HPS_MAX_SLOTS];
	u32 vtable_seq;

	/* The index (dm-hps-cache.c). */
	spinlock_t set_locks[HPS_SET_LOCKS];
	struct hps_counts total;
	struct hps_counts slot_counts[HPS_MAX_SLOTS];
	atomic64_t pfree;		/* dropped or reserved, not free yet */
	atomic64_t epoch_dirty[4];	/* dirty blocks of each epoch */
	atomic_t cur_epoch;		/* epoch given to newly dirty blocks */
	unsigned long epoch_opened[4];	/* jiffies: became the current epoch */
	unsigned long epoch_closed[4];	/* jiffies: stopped being current */
	atomic_t errors;		/* cache-device errors */
	bool failing;			/* error budget spent: cache nothing new */

	/* Commits (dm-hps-commit.c). */
	struct srcu_struct srcu;	/* bios remapped to the cache device */
	struct workqueue_struct *wq;
	struct work_struct commit_work;
	struct mutex commit_mutex;
	spinlock_t defer_lock;
	struct bio_list commit_waiters;	/* complete after the next commit */
	struct bio_list deferred;	/* map again after the next commit */
	struct page *commit_pages[HPS_COMMIT_BATCH];
	unsigned long *commit_pfree;	/* per batch page, its PFREE words */
	atomic64_t commits;
	atomic64_t commit_errors;

	/* Write throttle (dm-hps-throttle.c), set by WB_TAKE. */
	struct hps_throttle throttle;

	/* Writeback (dm-hps-wb.c); under hps_lock. */
	u64 wb_cursor;			/* next set WB_TAKE looks at */
	/*
	 * Held by every cached write from before its plan until it has
	 * ended (a primary's: its REPLICATE answered too); WB_TAKE waits for
	 * the writes that began before it, with the pool pinned (wb_pins)
	 * rather than hps_lock held, since hpsd answers REPLICATEs meanwhile.
	 */
	struct srcu_struct wb_srcu;
	unsigned int wb_pins;		/* WB_TAKEs waiting: the pool stays */
	atomic64_t wb_inflight;		/* blocks handed out, not done */
	atomic64_t wb_cleaned;		/* blocks WB_DONE marked clean */
};

/*
 * dm-hps-channel.c: a request to hpsd.  The submitter fills every field
 * but node and queued and keeps the request alive until done() is called,
 * exactly once, in process context (hpsd's commit, or the channel's
 * timeout work), with 0 or a negative errno.  For READ and WRITE, bio and
 * iter name the data (at most HPS_CHAN_IO_BYTES): the channel copies it
 * from (WRITE) or into (READ) the shared buffer; done() completes nothing
 * by itself.  Requests wait while no hpsd is attached, up to the
 * daemon_timeout module parameter, then fail with -EIO.
 */
struct hps_chan_req {
	struct list_head node;		/* owned by the channel */
	unsigned long queued;		/* jiffies; owned by the channel */
	struct bio *bio;
	struct bvec_iter iter;
	u32 volume_id;
	u8 op;				/* enum hps_io_op */
	u8 flags;			/* HPS_IOF_* */
	u64 offset;			/* bytes into the volume */
	u64 len;			/* bytes */
	void (*done)(struct hps_chan_req *req, int error);
};

/* One instance of the hps (volume) target. */
struct hps_volume {
	struct list_head pool_node;	/* on pool->volumes */
	struct hps_pool *pool;
	struct dm_dev *pool_dev;	/* held open: the pool cannot be removed */
	dev_t devt;			/* the volume's own dm device */
	u32 volume_id;
	unsigned int slot;		/* in the pool's volume table */
	u64 base;			/* its first key */
	u64 nr_blocks;
	enum hps_role role;		/* READ_ONCE/WRITE_ONCE: messages change it */
	enum hps_cache_mode mode;	/* ditto */
	u64 seq_cutoff;			/* bytes; 0: no cutoff */
	sector_t seq_next;		/* where a sequential stream would go on */
	u64 seq_bytes;			/* bytes of the current stream */
	atomic64_t read_hits;
	atomic64_t read_misses;
	atomic64_t writes;		/* write bios with data */
	atomic64_t write_through;	/* of those, sent to the backend */
	atomic64_t flushes;
	atomic64_t discards;
	atomic64_t errors;		/* bios failed */
	struct hps_lease lease;
};

/* Per-bio data of the hps target. */
struct hps_bio {
	struct hps_chan_req req;
	struct hps_volume *v;
	bio_end_io_t *orig_end_io;	/* hooked writes: dm's end_io */
	void *orig_private;
	u64 block;			/* remapped: the pool block */
	u32 word;			/* allocating write: the word it sets */
	int srcu_idx;
	int wb_srcu_idx;		/* HPS_BIO_WB_SRCU: of pool->wb_srcu */
	unsigned int flags;		/* HPS_BIO_* */
	unsigned long expires;		/* throttled: jiffies it may go on */
	atomic_t parts;			/* replicated: local I/O and peer, not done */
	int repl_error;			/* replicated: the first error of either */
};

/* A discard bio reaches a volume's map() in pieces of at most 1 GiB. */
#define HPS_MAX_DISCARD_SECTORS	(1U << 21)

#define HPS_BIO_SRCU		(1U << 0)	/* holds pool->srcu */
#define HPS_BIO_ALLOC		(1U << 1)	/* reserved hb->block for its data */
#define HPS_BIO_HOOKED		(1U << 2)	/* bi_end_io is hps_write_endio */
#define HPS_BIO_COMMIT		(1U << 3)	/* complete after a commit */
#define HPS_BIO_WAITED		(1U << 4)	/* mapped again: not throttled again */
#define HPS_BIO_REPL		(1U << 5)	/* completes when the peer has it too */
#define HPS_BIO_WB_SRCU		(1U << 6)	/* holds pool->wb_srcu */

extern struct mutex hps_lock;
extern struct target_type hps_pool_target;
extern struct target_type hps_volume_target;

/* dm-hps-pool.c; the caller holds hps_lock. */
struct hps_pool *hps_pool_find(dev_t devt);
struct hps_pool *hps_pool_find_id(unsigned int pool_id);
struct hps_pool *hps_pool_next(struct hps_pool *pool);	/* NULL: the first */
#define hps_for_each_pool(pool) \
	for (pool = hps_pool_next(NULL); pool; pool = hps_pool_next(pool))
void hps_pool_put_unused(struct hps_pool *pool);

/* dm-hps-pool.c: pools with a table, and their volumes; hps_lock held. */
void hps_pool_counts(unsigned int *nr_pools, unsigned int *nr_volumes);

void hps_chan_submit(struct hps_chan_req *req);
int hps_channel_init(void);
void hps_channel_exit(void);

/* dm-hps-io.c: synchronous I/O of whole pages, in parallel. */
int hps_io_pages(struct block_device *bdev, blk_opf_t opf,
		 struct page **pages, const sector_t *sectors, unsigned int n);

/* dm-hps-meta.c */
u32 hps_meta_pool_tag(const u8 uuid[16]);
int hps_meta_load(struct hps_meta *m, struct block_device *bdev,
		  const struct hps_geometry *g, const u8 uuid[16]);
void hps_meta_free(struct hps_meta *m);

/* dm-hps-super.c */
int hps_super_attach(struct dm_target *ti, struct block_device *bdev,
		     const struct hps_geometry *g, unsigned int pool_id,
		     bool format, bool force_format, struct hps_disk_super *out);

/* dm-hps-vtable.c; hps_lock held. */
int hps_vtable_load(struct hps_pool *pool, bool format);
int hps_vtable_bind(struct hps_pool *pool, u32 volume_id, u64 nr_blocks,
		    unsigned int *slot);
int hps_vtable_release(struct hps_pool *pool, u32 volume_id, bool force);
int hps_slot_of_key(struct hps_pool *pool, u64 key);

/* dm-hps-cache.c: the index. */
int hps_cache_init(struct hps_pool *pool);
void hps_cache_exit(struct hps_pool *pool);
static inline u32 *hps_word(struct hps_pool *pool, u64 block)
{
	return &pool->meta.words[block];
}
static inline spinlock_t *hps_set_lock(struct hps_pool *pool, u64 set)
{
	return &pool->set_locks[set % HPS_SET_LOCKS];
}
static inline void hps_page_dirty(struct hps_pool *pool, u64 block)
{
	set_bit(block / HPS_WORDS_PER_PAGE, pool->meta.page_dirty);
}
static inline sector_t hps_block_sector(struct hps_pool *pool, u64 block)
{
	return pool->geo.data_sector + (block << pool->block_shift);
}
void hps_count_word(struct hps_pool *pool, int slot, u32 word, int sign);
void hps_drop(struct hps_pool *pool, int slot, u64 block);
void hps_cache_error(struct hps_pool *pool, const char *what, int error);
void hps_epoch_init(struct hps_pool *pool);
void hps_epoch_roll(struct hps_pool *pool, unsigned int epoch);

/* dm-hps-throttle.c */
void hps_throttle_init(struct hps_pool *pool);
void hps_throttle_exit(struct hps_pool *pool);
void hps_throttle_set(struct hps_pool *pool, unsigned int delay_us);
bool hps_throttle_bio(struct hps_pool *pool, struct bio *bio);
unsigned int hps_throttle_delay_us(struct hps_pool *pool);

/* dm-hps-lease.c */
void hps_lease_init(struct hps_volume *v);
void hps_lease_exit(struct hps_volume *v);
bool hps_lease_may_take(struct hps_volume *v);
bool hps_lease_take(struct hps_volume *v, struct bio *bio, int *r);
int hps_lease_message(struct hps_volume *v, const char *arg);
const char *hps_lease_state_name(struct hps_volume *v);
void hps_lease_presuspend(struct dm_target *ti);
void hps_lease_resume(struct dm_target *ti);

/* dm-hps-commit.c */
int hps_commit_init(struct hps_pool *pool);
void hps_commit_exit(struct hps_pool *pool);
void hps_commit_kick(struct hps_pool *pool);
void hps_commit_wait_bio(struct hps_pool *pool, struct bio *bio);
void hps_defer_bio(struct hps_pool *pool, struct bio *bio);
int hps_commit_now(struct hps_pool *pool);

/* dm-hps-map.c: the volume target's I/O path. */
int hps_volume_map(struct dm_target *ti, struct bio *bio);
int hps_volume_end_io(struct dm_target *ti, struct bio *bio, blk_status_t *error);
void hps_volume_remap_deferred(struct bio *bio);
void hps_write_finish(struct bio *bio, int error);
void hps_wb_srcu_unlock(struct hps_pool *pool, struct hps_bio *hb);

/* dm-hps-repl.c: a primary's writes and flushes wait for the peer too. */
void hps_repl_write(struct hps_volume *v, struct bio *bio, struct hps_bio *hb);
bool hps_repl_part_done(struct hps_bio *hb, int error);
void hps_repl_flush(struct hps_volume *v, struct bio *bio, struct hps_bio *hb);

/* dm-hps-wb.c: the writeback ioctls of the channel. */
long hps_wb_ioctl(unsigned int cmd, void __user *arg);
void hps_wb_forget_all(void);

/* dm-hps-args.c */
int hps_parse_uint(const char *s, unsigned int min, unsigned int max,
		   unsigned int *out);
int hps_parse_u64(const char *s, u64 min, u64 max, u64 *out);
__printf(4, 5)
int hps_ctr_fail(struct dm_target *ti, int r, char *error,
		 const char *fmt, ...);
const char *hps_md_name(struct dm_target *ti);
dev_t hps_md_devt(struct dm_target *ti);

#endif /* DM_HPS_H */
