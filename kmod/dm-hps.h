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

#include <linux/dm-hps.h>

#include "hps-geometry.h"

#define DM_MSG_PREFIX "hps"

#define HPS_MODULE_VERSION "0.1.0"

/*
 * The in-memory index of a pool: one word a block (HPS_WORD_*), and for
 * each metadata page its seq and which of its two slots holds it.
 */
struct hps_meta {
	u32 *words;
	u32 *page_seq;
	unsigned long *page_slot;	/* bit set: slot 1 is the current copy */
	u64 used;			/* valid blocks */
	u64 dirty;			/* valid and dirty blocks */
	u64 bad_slots;			/* this pool's slots found corrupt at load */
	u64 index_bytes;		/* kernel memory the above takes */
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
	unsigned int pool_id;
	unsigned int block_sectors;
	unsigned int nr_targets;	/* hps-pool targets using this object */
	struct list_head volumes;	/* struct hps_volume, by pool_node */
	struct hps_disk_super super;	/* as on disk since load or format */
	struct hps_meta meta;
};

/* One instance of the hps (volume) target. */
struct hps_volume {
	struct list_head pool_node;	/* on pool->volumes */
	struct hps_pool *pool;
	struct dm_dev *pool_dev;	/* held open: the pool cannot be removed */
	dev_t devt;			/* the volume's own dm device */
	u32 volume_id;
	enum hps_role role;		/* READ_ONCE/WRITE_ONCE: messages change it */
	enum hps_cache_mode mode;	/* ditto */
	u64 seq_cutoff;			/* bytes */
	atomic64_t reads;		/* read bios seen */
	atomic64_t writes;		/* every other bio seen */
};

extern struct mutex hps_lock;
extern struct target_type hps_pool_target;
extern struct target_type hps_volume_target;

/* dm-hps-pool.c; the caller holds hps_lock. */
struct hps_pool *hps_pool_find(dev_t devt);
void hps_pool_put_unused(struct hps_pool *pool);

/* dm-hps-pool.c: pools with a table, and their volumes; hps_lock held. */
void hps_pool_counts(unsigned int *nr_pools, unsigned int *nr_volumes);

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

void hps_chan_submit(struct hps_chan_req *req);
int hps_channel_init(void);
void hps_channel_exit(void);

/* dm-hps-meta.c */
u32 hps_meta_pool_tag(const u8 uuid[16]);
int hps_meta_load(struct hps_meta *m, struct block_device *bdev,
		  const struct hps_geometry *g, const u8 uuid[16]);
void hps_meta_free(struct hps_meta *m);

/* dm-hps-super.c */
int hps_super_attach(struct dm_target *ti, struct block_device *bdev,
		     const struct hps_geometry *g, unsigned int pool_id,
		     bool format, bool force_format, struct hps_disk_super *out);

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
