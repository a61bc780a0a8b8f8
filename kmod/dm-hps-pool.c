// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the hps-pool target, which owns one cache device (an NVMe
 * partition) shared by many hps volumes.
 *
 * Table: <cache_dev> <pool_id> <block_sectors> [<#features> <feature>...]
 * See FORMAT.md.  The pool object (superblock, volume table, index,
 * commits) outlives table reloads; volumes bind to it.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dm-hps.h"

DEFINE_MUTEX(hps_lock);
static LIST_HEAD(hps_pools);

/* One instance of the hps-pool target (one per loaded table). */
struct hps_pool_c {
	struct hps_pool *pool;
	struct dm_dev *cache_dev;
	struct hps_geometry geo;	/* layout of the cache device */
};

/* Undo hps_pool_setup(); also for a partly set up pool. */
static void hps_pool_teardown(struct hps_pool *pool)
{
	if (pool->wq) {
		/* Nothing is queued: no volume is left to queue anything. */
		hps_throttle_exit(pool);
		hps_commit_now(pool);
		hps_commit_exit(pool);
	}
	if (pool->bdev)
		blkdev_put(pool->bdev, FMODE_READ | FMODE_WRITE);
	pool->bdev = NULL;
	hps_meta_free(&pool->meta);
}

/*
 * Everything a freshly loaded or formatted pool needs besides its
 * superblock: the index, the volume table, and the commit machinery.
 */
static int hps_pool_setup(struct dm_target *ti, struct hps_pool *pool,
			  struct hps_pool_c *pc, bool format)
{
	int r;

	pool->geo = pc->geo;
	pool->pool_tag = hps_meta_pool_tag(pool->super.uuid);
	pool->bdev = blkdev_get_by_dev(pc->cache_dev->bdev->bd_dev,
				       FMODE_READ | FMODE_WRITE, NULL);
	if (IS_ERR(pool->bdev)) {
		r = PTR_ERR(pool->bdev);
		pool->bdev = NULL;
		return hps_ctr_fail(ti, r, "cannot open cache_dev", "error %d", r);
	}
	r = hps_meta_load(&pool->meta, pool->bdev, &pc->geo, pool->super.uuid);
	if (r)
		return hps_ctr_fail(ti, r, "cannot load the pool's metadata",
				    "error %d", r);
	if (pool->meta.bad_slots)
		DMWARN("%s: pool %u: %llu corrupt metadata slot(s); their other copies were used",
		       hps_md_name(ti), pool->pool_id, pool->meta.bad_slots);
	r = hps_vtable_load(pool, format);
	if (r)
		return hps_ctr_fail(ti, r, "cannot load the pool's volume table",
				    "error %d", r);
	hps_throttle_init(pool);
	r = hps_commit_init(pool);
	if (r)
		return hps_ctr_fail(ti, r, "cannot set up metadata commits",
				    "error %d", r);
	hps_epoch_init(pool);
	return hps_cache_init(pool);
}

struct hps_pool *hps_pool_find(dev_t devt)
{
	struct hps_pool *pool;

	lockdep_assert_held(&hps_lock);
	list_for_each_entry(pool, &hps_pools, node)
		if (pool->devt == devt)
			return pool;
	return NULL;
}

struct hps_pool *hps_pool_find_id(unsigned int pool_id)
{
	struct hps_pool *pool;

	lockdep_assert_held(&hps_lock);
	list_for_each_entry(pool, &hps_pools, node)
		if (pool->pool_id == pool_id && pool->nr_targets)
			return pool;
	return NULL;
}

struct hps_pool *hps_pool_next(struct hps_pool *pool)
{
	lockdep_assert_held(&hps_lock);
	pool = list_prepare_entry(pool, &hps_pools, node);
	list_for_each_entry_continue(pool, &hps_pools, node)
		return pool;
	return NULL;
}

/* Free @pool once no pool target and no volume refers to it. */
void hps_pool_put_unused(struct hps_pool *pool)
{
	lockdep_assert_held(&hps_lock);
	if (pool->nr_targets || !list_empty(&pool->volumes) || pool->wb_pins)
		return;
	list_del(&pool->node);
	hps_pool_teardown(pool);
	kvfree(pool);
}

/* Volume devices bound to @pool; a device mid-reload counts once. */
static unsigned int hps_pool_nr_volumes(struct hps_pool *pool)
{
	struct hps_volume *v, *w;
	unsigned int n = 0;

	lockdep_assert_held(&hps_lock);
	list_for_each_entry(v, &pool->volumes, pool_node) {
		list_for_each_entry(w, &pool->volumes, pool_node) {
			if (w == v) {
				n++;
				break;
			}
			if (w->devt == v->devt)
				break;
		}
	}
	return n;
}

void hps_pool_counts(unsigned int *nr_pools, unsigned int *nr_volumes)
{
	struct hps_pool *pool;

	lockdep_assert_held(&hps_lock);
	*nr_pools = 0;
	*nr_volumes = 0;
	list_for_each_entry(pool, &hps_pools, node) {
		if (pool->nr_targets)
			(*nr_pools)++;
		*nr_volumes += hps_pool_nr_volumes(pool);
	}
}

/*
 * Bind the target to the pool object of its dm device, creating it unless
 * this is a reload, which must keep the identity of the pool.  @fresh is
 * preallocated by the caller and is consumed (used or freed).
 */
static int hps_pool_bind(struct dm_target *ti, struct hps_pool_c *pc,
			 struct hps_pool *fresh, unsigned int pool_id,
			 unsigned int block_sectors, bool format,
			 bool force_format)
{
	dev_t devt = hps_md_devt(ti);
	dev_t cache_devt = pc->cache_dev->bdev->bd_dev;
	struct hps_pool *pool, *same = NULL;
	int r = -EINVAL;

	mutex_lock(&hps_lock);
	list_for_each_entry(pool, &hps_pools, node) {
		if (pool->devt == devt) {
			same = pool;
			continue;
		}
		if (pool->pool_id == pool_id) {
			r = hps_ctr_fail(ti, -EBUSY, "pool_id is already used by another pool",
					 "pool_id %u belongs to %u:%u", pool_id,
					 MAJOR(pool->devt), MINOR(pool->devt));
			goto out;
		}
		if (pool->cache_devt == cache_devt) {
			r = hps_ctr_fail(ti, -EBUSY, "cache_dev is already used by another pool",
					 "%s is the cache of pool %u", pc->cache_dev->name,
					 pool->pool_id);
			goto out;
		}
		if (pool->devt == cache_devt) {
			r = hps_ctr_fail(ti, -EINVAL, "cache_dev cannot be an hps-pool device",
					 "%s is pool %u", pc->cache_dev->name,
					 pool->pool_id);
			goto out;
		}
	}
	if (cache_devt == devt) {
		r = hps_ctr_fail(ti, -EINVAL, "cache_dev cannot be the pool device itself",
				 "got %s", pc->cache_dev->name);
		goto out;
	}

	if (same) {
		if (same->pool_id != pool_id ||
		    same->block_sectors != block_sectors ||
		    same->cache_devt != cache_devt) {
			r = hps_ctr_fail(ti, -EINVAL,
					 "a reload must keep cache_dev, pool_id and block_sectors",
					 "loaded %u:%u %u %u, new %s %u %u",
					 MAJOR(same->cache_devt), MINOR(same->cache_devt),
					 same->pool_id, same->block_sectors,
					 pc->cache_dev->name, pool_id, block_sectors);
			goto out;
		}
		pool = same;
	} else {
		/*
		 * Superblock I/O under hps_lock: constructors are rare, and it
		 * keeps two tables from formatting or loading one device at once.
		 */
		r = hps_super_attach(ti, pc->cache_dev->bdev, &pc->geo, pool_id,
				     format, force_format, &fresh->super);
		if (r)
			goto out;
		fresh->pool_id = pool_id;
		fresh->block_sectors = block_sectors;
		r = hps_pool_setup(ti, fresh, pc, format);
		if (r) {
			hps_pool_teardown(fresh);
			goto out;
		}
		pool = fresh;
		fresh = NULL;
		pool->devt = devt;
		pool->cache_devt = cache_devt;
		pool->pool_id = pool_id;
		pool->block_sectors = block_sectors;
		INIT_LIST_HEAD(&pool->volumes);
		list_add_tail(&pool->node, &hps_pools);
	}
	pool->nr_targets++;
	pc->pool = pool;
	r = 0;
out:
	mutex_unlock(&hps_lock);
	kvfree(fresh);
	return r;
}

static int hps_pool_parse_features(struct dm_target *ti, struct dm_arg_set *as,
				   bool *format, bool *force_format)
{
	const char *arg = dm_shift_arg(as);
	unsigned int n;

	if (hps_parse_uint(arg, 0, 2, &n))
		return hps_ctr_fail(ti, -EINVAL, "#feature_args must be an integer in 0..2",
				    "got '%s'", arg);
	if (n != as->argc)
		return hps_ctr_fail(ti, -EINVAL,
				    "#feature_args does not match the feature arguments given",
				    "#feature_args %u, %u argument(s) follow", n, as->argc);

	while (as->argc) {
		arg = dm_shift_arg(as);
		if (!strcmp(arg, "format")) {
			if (*format)
				goto twice;
			*format = true;
		} else if (!strcmp(arg, "force_format")) {
			if (*force_format)
				goto twice;
			*force_format = true;
		} else {
			return hps_ctr_fail(ti, -EINVAL,
					    "unknown feature (known: format force_format)",
					    "got '%s'", arg);
		}
	}
	if (*force_format && !*format)
		return hps_ctr_fail(ti, -EINVAL, "force_format needs format too",
				    "features: force_format");
	return 0;
twice:
	return hps_ctr_fail(ti, -EINVAL, "a feature is given twice", "'%s'", arg);
}

static int hps_pool_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	unsigned int pool_id, block_sectors;
	bool format = false, force_format = false;
	const char *cache_path, *arg;
	struct hps_pool_c *pc;
	struct hps_pool *fresh;
	sector_t cache_sectors;
	int r;

	if (argc < 3)
		return hps_ctr_fail(ti, -EINVAL,
				    "expected <cache_dev> <pool_id> <block_sectors> [<#feature_args> <feature>...]",
				    "got %u argument(s)", argc);

	cache_path = dm_shift_arg(&as);

	arg = dm_shift_arg(&as);
	if (hps_parse_uint(arg, 0, HPS_POOL_ID_MAX, &pool_id))
		return hps_ctr_fail(ti, -EINVAL,
				    "pool_id must be an integer in 0.." __stringify(HPS_POOL_ID_MAX),
				    "got '%s'", arg);

	arg = dm_shift_arg(&as);
	if (hps_parse_uint(arg, HPS_BLOCK_SECTORS_MIN, HPS_BLOCK_SECTORS_MAX,
			   &block_sectors) || !is_power_of_2(block_sectors))
		return hps_ctr_fail(ti, -EINVAL,
				    "block_sectors must be a power of two in "
				    __stringify(HPS_BLOCK_SECTORS_MIN) ".."
				    __stringify(HPS_BLOCK_SECTORS_MAX),
				    "got '%s'", arg);

	if (as.argc) {
		r = hps_pool_parse_features(ti, &as, &format, &force_format);
		if (r)
			return r;
	}

	pc = kzalloc(sizeof(*pc), GFP_KERNEL);
	fresh = kvzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!pc || !fresh) {
		ti->error = "out of memory";
		r = -ENOMEM;
		goto bad_free;
	}

	r = dm_get_device(ti, cache_path, FMODE_READ | FMODE_WRITE, &pc->cache_dev);
	if (r) {
		hps_ctr_fail(ti, r, "cannot open cache_dev read-write",
			     "'%s': error %d", cache_path, r);
		goto bad_free;
	}

	cache_sectors = bdev_nr_sectors(pc->cache_dev->bdev);
	if (ti->len > cache_sectors) {
		r = hps_ctr_fail(ti, -EINVAL, "length exceeds the size of cache_dev",
				 "length %llu, %s has %llu sectors",
				 (unsigned long long)ti->len, pc->cache_dev->name,
				 (unsigned long long)cache_sectors);
		goto bad_put;
	}
	r = hps_geometry_init(&pc->geo, cache_sectors, block_sectors);
	if (r) {
		hps_ctr_fail(ti, r,
			     "cache_dev is smaller than the smallest pool for this block_sectors",
			     "%s has %llu sectors, needs %llu", pc->cache_dev->name,
			     (unsigned long long)cache_sectors,
			     (unsigned long long)hps_geometry_min_sectors(block_sectors));
		goto bad_put;
	}

	r = hps_pool_bind(ti, pc, fresh, pool_id, block_sectors, format,
			  force_format);
	fresh = NULL;
	if (r)
		goto bad_put;

	ti->private = pc;
	return 0;

bad_put:
	dm_put_device(ti, pc->cache_dev);
bad_free:
	kvfree(fresh);
	kfree(pc);
	return r;
}

static void hps_pool_dtr(struct dm_target *ti)
{
	struct hps_pool_c *pc = ti->private;

	mutex_lock(&hps_lock);
	pc->pool->nr_targets--;
	hps_pool_put_unused(pc->pool);
	mutex_unlock(&hps_lock);

	dm_put_device(ti, pc->cache_dev);
	kfree(pc);
}

/*
 * The pool device is not a data device: reads return zeroes so probing
 * tools (blkid, udev) are harmless, writes fail.  Flushes and discards are
 * not advertised, so none reach this target.
 */
static int hps_pool_map(struct dm_target *ti, struct bio *bio)
{
	if (bio_op(bio) != REQ_OP_READ)
		return DM_MAPIO_KILL;

	zero_fill_bio(bio);
	bio_endio(bio);
	return DM_MAPIO_SUBMITTED;
}

static void hps_pool_status(struct dm_target *ti, status_type_t type,
			    unsigned int status_flags, char *result,
			    unsigned int maxlen)
{
	struct hps_pool_c *pc = ti->private;
	struct hps_pool *pool = pc->pool;
	unsigned int sz = 0, nr_volumes;

	switch (type) {
	case STATUSTYPE_INFO:
		mutex_lock(&hps_lock);
		nr_volumes = hps_pool_nr_volumes(pool);
		mutex_unlock(&hps_lock);
		DMEMIT("%u %u %llu %u %s %pU %lld %lld %llu %lld %lld %lld %d %lld %lld %u %lld",
		       HPS_ABI_VERSION, pool->block_sectors,
		       (unsigned long long)pc->geo.nr_blocks, nr_volumes,
		       READ_ONCE(pool->failing) ? "failing" : "ok",
		       pool->super.uuid, atomic64_read(&pool->total.used),
		       atomic64_read(&pool->total.dirty), pool->meta.index_bytes,
		       atomic64_read(&pool->pfree), atomic64_read(&pool->commits),
		       atomic64_read(&pool->commit_errors),
		       atomic_read(&pool->errors),
		       atomic64_read(&pool->wb_inflight),
		       atomic64_read(&pool->wb_cleaned),
		       hps_throttle_delay_us(pool),
		       atomic64_read(&pool->throttle.delayed));
		break;
	case STATUSTYPE_TABLE:
		/* format / force_format are one-shot and never echoed. */
		DMEMIT("%s %u %u 0", pc->cache_dev->name, pool->pool_id,
		       pool->block_sectors);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",cache_dev=%s,pool_id=%u,block_sectors=%u;",
		       pc->cache_dev->name, pool->pool_id, pool->block_sectors);
		break;
	}
}

/*
 * Messages:
 *   commit                          write changed metadata now
 *   release_volume <id> [force]     forget an unbound volume's blocks and
 *                                   slot (force: even dirty ones)
 */
static int hps_pool_message(struct dm_target *ti, unsigned int argc,
			    char **argv, char *result, unsigned int maxlen)
{
	struct hps_pool_c *pc = ti->private;
	bool force = false;
	u64 id;
	int r;

	if (!argc) {
		DMWARN("%s: empty message", hps_md_name(ti));
		return -EINVAL;
	}
	if (!strcmp(argv[0], "commit") && argc == 1)
		return hps_commit_now(pc->pool);
	if (!strcmp(argv[0], "release_volume") && (argc == 2 || argc == 3)) {
		if (hps_parse_u64(argv[1], 1, HPS_VOLUME_ID_MAX, &id)) {
			DMWARN("%s: release_volume: volume_id must be 1..4294967295, got '%.32s'",
			       hps_md_name(ti), argv[1]);
			return -EINVAL;
		}
		if (argc == 3) {
			if (strcmp(argv[2], "force")) {
				DMWARN("%s: release_volume: unknown option '%.32s' (known: force)",
				       hps_md_name(ti), argv[2]);
				return -EINVAL;
			}
			force = true;
		}
		mutex_lock(&hps_lock);
		r = hps_vtable_release(pc->pool, id, force);
		mutex_unlock(&hps_lock);
		if (r == -EBUSY)
			DMWARN("%s: release_volume %llu: bound, under writeback, or dirty without force",
			       hps_md_name(ti), id);
		else if (r == -ENOENT)
			DMWARN("%s: release_volume %llu: no such volume in the pool",
			       hps_md_name(ti), id);
		else if (!r)
			DMINFO("%s: volume %llu released from pool %u", hps_md_name(ti),
			       id, pc->pool->pool_id);
		return r;
	}
	DMWARN("%s: unknown message or wrong argument count: '%.32s' (known: commit, release_volume <id> [force])",
	       hps_md_name(ti), argv[0]);
	return -EINVAL;
}

static int hps_pool_iterate_devices(struct dm_target *ti,
				    iterate_devices_callout_fn fn, void *data)
{
	struct hps_pool_c *pc = ti->private;

	return fn(ti, pc->cache_dev, 0, ti->len, data);
}

struct target_type hps_pool_target = {
	.name = HPS_POOL_TARGET_NAME,
	.version = {0, 1, 0},
	.features = DM_TARGET_SINGLETON | DM_TARGET_ALWAYS_WRITEABLE |
		    DM_TARGET_IMMUTABLE,
	.module = THIS_MODULE,
	.ctr = hps_pool_ctr,
	.dtr = hps_pool_dtr,
	.map = hps_pool_map,
	.status = hps_pool_status,
	.message = hps_pool_message,
	.iterate_devices = hps_pool_iterate_devices,
};
