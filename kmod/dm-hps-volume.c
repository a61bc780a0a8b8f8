// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the hps target, one cached volume bound to an hps-pool.
 *
 * Table: <pool_dev> <volume_id> <role> [<#opt_args> <opt_arg>...]
 * See FORMAT.md.  The I/O path is in dm-hps-map.c.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dm-hps.h"

static const char * const hps_role_names[HPS_ROLE_COUNT] = {
	[HPS_ROLE_PRIMARY]	= "primary",
	[HPS_ROLE_SECONDARY]	= "secondary",
	[HPS_ROLE_STANDALONE]	= "standalone",
	[HPS_ROLE_PASSTHROUGH]	= "passthrough",
};

static const char * const hps_mode_names[HPS_MODE_COUNT] = {
	[HPS_MODE_WRITEBACK]	= "writeback",
	[HPS_MODE_WRITETHROUGH]	= "writethrough",
};

static int hps_volume_parse_opts(struct dm_target *ti, struct dm_arg_set *as,
				 struct hps_volume *v)
{
	bool seen_mode = false, seen_cutoff = false;
	const char *key, *val;
	unsigned int n;
	int i;

	val = dm_shift_arg(as);
	if (hps_parse_uint(val, 0, 4, &n))
		return hps_ctr_fail(ti, -EINVAL, "#opt_args must be an integer in 0..4",
				    "got '%s'", val);
	if (n != as->argc)
		return hps_ctr_fail(ti, -EINVAL,
				    "#opt_args does not match the optional arguments given",
				    "#opt_args %u, %u argument(s) follow", n, as->argc);

	while (as->argc) {
		key = dm_shift_arg(as);
		val = dm_shift_arg(as);
		if (!strcmp(key, "mode")) {
			if (seen_mode)
				goto twice;
			seen_mode = true;
			i = val ? match_string(hps_mode_names, HPS_MODE_COUNT, val) : -EINVAL;
			if (i < 0)
				return hps_ctr_fail(ti, -EINVAL,
						    "mode must be writeback or writethrough",
						    "got '%s'", val ? val : "");
			v->mode = i;
		} else if (!strcmp(key, "seq_cutoff")) {
			if (seen_cutoff)
				goto twice;
			seen_cutoff = true;
			if (hps_parse_u64(val, 0, HPS_SEQ_CUTOFF_MAX, &v->seq_cutoff))
				return hps_ctr_fail(ti, -EINVAL,
						    "seq_cutoff must be a byte count in 0..1073741824",
						    "got '%s'", val ? val : "");
		} else {
			return hps_ctr_fail(ti, -EINVAL,
					    "unknown optional argument (known: mode seq_cutoff)",
					    "got '%s'", key);
		}
	}
	return 0;
twice:
	return hps_ctr_fail(ti, -EINVAL, "an optional argument is given twice",
			    "'%s'", key);
}

/* Bind @v to the pool behind its (already open) pool_dev. */
static int hps_volume_bind(struct dm_target *ti, struct hps_volume *v)
{
	struct hps_pool *pool;
	struct hps_volume *w;
	int r = 0;

	mutex_lock(&hps_lock);
	pool = hps_pool_find(v->pool_dev->bdev->bd_dev);
	if (!pool || !pool->nr_targets) {
		r = hps_ctr_fail(ti, -EINVAL, "pool_dev is not an hps-pool device",
				 "%s", v->pool_dev->name);
		goto out;
	}
	/* A reload of this same device may bind the same id again. */
	list_for_each_entry(w, &pool->volumes, pool_node) {
		if (w->volume_id == v->volume_id && w->devt != v->devt) {
			r = hps_ctr_fail(ti, -EBUSY,
					 "volume_id is already bound to this pool",
					 "volume_id %u is %u:%u in pool %u",
					 v->volume_id, MAJOR(w->devt),
					 MINOR(w->devt), pool->pool_id);
			goto out;
		}
	}
	r = hps_vtable_bind(pool, v->volume_id,
			    DIV_ROUND_UP_SECTOR_T(ti->len, pool->block_sectors), &v->slot);
	if (r) {
		hps_ctr_fail(ti, r, r == -ENOSPC ?
			     "the pool's key space or volume table is full" :
			     "cannot write the pool's volume table",
			     "volume_id %u, pool %u, error %d", v->volume_id,
			     pool->pool_id, r);
		goto out;
	}
	v->base = pool->slots[v->slot].base;
	v->nr_blocks = pool->slots[v->slot].nr_blocks;
	v->pool = pool;
	list_add_tail(&v->pool_node, &pool->volumes);
out:
	mutex_unlock(&hps_lock);
	return r;
}

static void hps_volume_unbind(struct hps_volume *v)
{
	mutex_lock(&hps_lock);
	list_del(&v->pool_node);
	hps_pool_put_unused(v->pool);
	mutex_unlock(&hps_lock);
}

/*
 * Only a primary (or standalone) node writes a volume back: WB_TAKE skips
 * the blocks of a secondary, whose clean marks come from its peer.  Kept
 * by the slot, so it outlives a table reload; a loaded pool starts with
 * none (hpsd sets the roles again when it brings the volumes up).
 */
static void hps_volume_note_role(struct hps_volume *v)
{
	WRITE_ONCE(v->pool->slots[v->slot].secondary,
		   READ_ONCE(v->role) == HPS_ROLE_SECONDARY);
}

static int hps_volume_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	const char *pool_path, *arg;
	struct hps_volume *v;
	u64 id;
	int r;

	if (argc < 3)
		return hps_ctr_fail(ti, -EINVAL,
				    "expected <pool_dev> <volume_id> <role> [<#opt_args> <opt_arg>...]",
				    "got %u argument(s)", argc);
	if (ti->begin)
		return hps_ctr_fail(ti, -EINVAL, "start must be 0",
				    "got %llu", (unsigned long long)ti->begin);
	if (!ti->len || ti->len > HPS_VOLUME_MAX_SECTORS)
		return hps_ctr_fail(ti, -EINVAL,
				    "length must be 1 sector to 65535 GiB",
				    "got %llu sectors", (unsigned long long)ti->len);

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v) {
		ti->error = "out of memory";
		return -ENOMEM;
	}
	v->devt = hps_md_devt(ti);
	v->mode = HPS_MODE_WRITEBACK;
	hps_lease_init(v);

	pool_path = dm_shift_arg(&as);

	arg = dm_shift_arg(&as);
	if (hps_parse_u64(arg, 1, HPS_VOLUME_ID_MAX, &id)) {
		r = hps_ctr_fail(ti, -EINVAL,
				 "volume_id must be an integer in 1..4294967295",
				 "got '%s'", arg);
		goto bad_free;
	}
	v->volume_id = id;

	arg = dm_shift_arg(&as);
	r = match_string(hps_role_names, HPS_ROLE_COUNT, arg);
	if (r < 0) {
		r = hps_ctr_fail(ti, -EINVAL,
				 "role must be primary, secondary, standalone or passthrough",
				 "got '%s'", arg);
		goto bad_free;
	}
	v->role = r;

	if (as.argc) {
		r = hps_volume_parse_opts(ti, &as, v);
		if (r)
			goto bad_free;
	}

	/* Holding the pool device open makes removing the pool fail (EBUSY). */
	r = dm_get_device(ti, pool_path, dm_table_get_mode(ti->table), &v->pool_dev);
	if (r) {
		hps_ctr_fail(ti, r, "cannot open pool_dev", "'%s': error %d",
			     pool_path, r);
		goto bad_free;
	}

	r = hps_volume_bind(ti, v);
	if (r)
		goto bad_put;
	hps_volume_note_role(v);

	/* Advertise a volatile write cache: flushes reach map(). */
	ti->num_flush_bios = 1;
	ti->flush_supported = true;
	ti->num_discard_bios = 1;
	ti->discards_supported = true;
	ti->per_io_data_size = sizeof(struct hps_bio);
	/*
	 * No bio exceeds a channel buffer; map() takes less when the blocks
	 * of a bio go different ways.  Blocks are at most 1 MiB and powers
	 * of two, so a bio never crosses the end of a block bigger than this.
	 */
	r = dm_set_target_max_io_len(ti, HPS_CHAN_IO_BYTES >> SECTOR_SHIFT);
	if (r) {
		hps_volume_unbind(v);
		goto bad_put;
	}
	ti->private = v;
	return 0;

bad_put:
	dm_put_device(ti, v->pool_dev);
bad_free:
	kfree(v);
	return r;
}

static void hps_volume_dtr(struct dm_target *ti)
{
	struct hps_volume *v = ti->private;

	hps_lease_exit(v);
	hps_volume_unbind(v);

	dm_put_device(ti, v->pool_dev);
	kfree(v);
}

static void hps_volume_status(struct dm_target *ti, status_type_t type,
			      unsigned int status_flags, char *result,
			      unsigned int maxlen)
{
	struct hps_volume *v = ti->private;
	const char *role = hps_role_names[READ_ONCE(v->role)];
	const char *mode = hps_mode_names[READ_ONCE(v->mode)];
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%s %s %u %lld %lld %lld %lld %lld %lld %lld %lld %lld %s %s %lld",
		       role, mode, v->volume_id,
		       atomic64_read(&v->pool->slot_counts[v->slot].used),
		       atomic64_read(&v->pool->slot_counts[v->slot].dirty),
		       atomic64_read(&v->read_hits),
		       atomic64_read(&v->read_misses),
		       atomic64_read(&v->writes),
		       atomic64_read(&v->write_through),
		       atomic64_read(&v->flushes),
		       atomic64_read(&v->discards),
		       atomic64_read(&v->errors),
		       READ_ONCE(v->pool->failing) ? "failing" : "ok",
		       hps_lease_state_name(v),
		       atomic64_read(&v->lease.waited));
		break;
	case STATUSTYPE_TABLE:
		/* The current role and mode, so the line reloads as is. */
		DMEMIT("%s %u %s 4 mode %s seq_cutoff %llu", v->pool_dev->name,
		       v->volume_id, role, mode, (unsigned long long)v->seq_cutoff);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",pool_dev=%s,volume_id=%u,role=%s,mode=%s;",
		       v->pool_dev->name, v->volume_id, role, mode);
		break;
	}
}

/* Messages: "role <role>", "mode <mode>" and "lease <ms|off|fence>". */
static int hps_volume_message(struct dm_target *ti, unsigned int argc,
			      char **argv, char *result, unsigned int maxlen)
{
	struct hps_volume *v = ti->private;
	int i, r;

	if (!argc) {
		DMWARN("%s: empty message", hps_md_name(ti));
		return -EINVAL;
	}

	if (!strcmp(argv[0], "role")) {
		if (argc != 2)
			goto bad_argc;
		i = match_string(hps_role_names, HPS_ROLE_COUNT, argv[1]);
		if (i < 0)
			goto bad_value;
		if (i != READ_ONCE(v->role))
			DMINFO("%s: volume %u: role %s -> %s", hps_md_name(ti),
			       v->volume_id, hps_role_names[READ_ONCE(v->role)],
			       hps_role_names[i]);
		WRITE_ONCE(v->role, i);
		hps_volume_note_role(v);
		return 0;
	}

	if (!strcmp(argv[0], "mode")) {
		if (argc != 2)
			goto bad_argc;
		i = match_string(hps_mode_names, HPS_MODE_COUNT, argv[1]);
		if (i < 0)
			goto bad_value;
		WRITE_ONCE(v->mode, i);
		return 0;
	}

	if (!strcmp(argv[0], "lease")) {
		if (argc != 2)
			goto bad_argc;
		r = hps_lease_message(v, argv[1]);
		if (r == -EINVAL || r == -ERANGE)
			goto bad_value;
		return r;
	}

	DMWARN("%s: unknown message '%.32s'", hps_md_name(ti), argv[0]);
	return -EINVAL;

bad_argc:
	DMWARN("%s: message '%s' takes exactly one argument, got %u",
	       hps_md_name(ti), argv[0], argc - 1);
	return -EINVAL;
bad_value:
	DMWARN("%s: message '%s': bad value '%.32s'", hps_md_name(ti),
	       argv[0], argv[1]);
	return -EINVAL;
}

/*
 * The pool device: hits and cached writes are remapped to its cache
 * device, so the volume takes its limits (a 4Kn cache device makes a 4Kn
 * volume).  The volume may use any of it.
 */
static int hps_volume_iterate_devices(struct dm_target *ti,
				      iterate_devices_callout_fn fn, void *data)
{
	struct hps_volume *v = ti->private;

	return fn(ti, v->pool_dev, 0, bdev_nr_sectors(v->pool_dev->bdev), data);
}

/* Discards go to hpsd whole (no data): the pool's device does not matter. */
static void hps_volume_io_hints(struct dm_target *ti, struct queue_limits *limits)
{
	struct hps_volume *v = ti->private;

	limits->discard_granularity = v->pool->block_sectors << SECTOR_SHIFT;
	limits->max_discard_sectors = HPS_MAX_DISCARD_SECTORS;
	limits->max_hw_discard_sectors = HPS_MAX_DISCARD_SECTORS;
}

struct target_type hps_volume_target = {
	.name = HPS_VOLUME_TARGET_NAME,
	.version = {0, 2, 0},
	.features = DM_TARGET_SINGLETON,
	.module = THIS_MODULE,
	.ctr = hps_volume_ctr,
	.dtr = hps_volume_dtr,
	.map = hps_volume_map,
	.end_io = hps_volume_end_io,
	.status = hps_volume_status,
	.message = hps_volume_message,
	.presuspend = hps_lease_presuspend,
	.presuspend_undo = hps_lease_resume,
	.resume = hps_lease_resume,
	.iterate_devices = hps_volume_iterate_devices,
	.io_hints = hps_volume_io_hints,
};
