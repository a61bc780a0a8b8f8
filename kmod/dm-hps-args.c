// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: helpers for parsing table lines and reporting what is wrong.
 */
#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/printk.h>

#include "dm-hps.h"

/*
 * Parse a decimal number in [min, max].  Only digits are accepted: no sign,
 * no base prefix, no trailing junk; a value that overflows u64 is rejected.
 */
int hps_parse_u64(const char *s, u64 min, u64 max, u64 *out)
{
	u64 v;

	if (!s || !isdigit(*s))
		return -EINVAL;
	if (kstrtou64(s, 10, &v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int hps_parse_uint(const char *s, unsigned int min, unsigned int max,
		   unsigned int *out)
{
	u64 v;
	int r;

	r = hps_parse_u64(s, min, max, &v);
	if (!r)
		*out = v;
	return r;
}

/*
 * Fail a constructor with @r.  dm core prints ti->error after ctr returns,
 * when argv is already freed, and nothing frees ti->error, so it has to be
 * a static string: it names the field and its bounds.  The offending value
 * (@fmt) goes to the kernel log on the line just before dm core's.
 */
int hps_ctr_fail(struct dm_target *ti, int r, char *error, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	DMERR("%s: %s: %s: %pV", hps_md_name(ti), ti->type->name, error, &vaf);
	va_end(args);

	ti->error = error;
	return r;
}

/* Name of the dm device whose table holds @ti. */
const char *hps_md_name(struct dm_target *ti)
{
	return dm_device_name(dm_table_get_md(ti->table));
}

/* dev_t of the dm device whose table holds @ti. */
dev_t hps_md_devt(struct dm_target *ti)
{
	return disk_devt(dm_disk(dm_table_get_md(ti->table)));
}
