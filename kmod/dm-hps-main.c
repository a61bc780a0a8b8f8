// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: a replicated NVMe write-back cache in front of Ceph RBD.
 *
 * This file registers the two device-mapper targets, hps-pool and hps, and
 * publishes the ABI version user space checks before driving the module.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "dm-hps.h"

/*
 * /sys/module/dm_hps/parameters/abi_version: read-only, and refused as a
 * load-time option, so it always tells the truth about this build.
 */
static unsigned int hps_abi_version = HPS_ABI_VERSION;

static int hps_abi_version_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops hps_abi_version_ops = {
	.set = hps_abi_version_set,
	.get = param_get_uint,
};

module_param_cb(abi_version, &hps_abi_version_ops, &hps_abi_version, 0444);
MODULE_PARM_DESC(abi_version, "ABI version of the kernel/daemon interface (read-only)");

static int __init dm_hps_init(void)
{
	int r;

	r = dm_register_target(&hps_pool_target);
	if (r)
		return r;

	r = dm_register_target(&hps_volume_target);
	if (r)
		goto bad_volume;

	r = hps_channel_init();
	if (r)
		goto bad_channel;

	DMINFO("version " HPS_MODULE_VERSION ", abi %u", HPS_ABI_VERSION);
	return 0;

bad_channel:
	dm_unregister_target(&hps_volume_target);
bad_volume:
	dm_unregister_target(&hps_pool_target);
	return r;
}

static void __exit dm_hps_exit(void)
{
	hps_channel_exit();
	dm_unregister_target(&hps_volume_target);
	dm_unregister_target(&hps_pool_target);
}

module_init(dm_hps_init);
module_exit(dm_hps_exit);

MODULE_DESCRIPTION(DM_NAME " hps: replicated NVMe write-back cache for Ceph RBD");
MODULE_LICENSE("GPL");
MODULE_VERSION(HPS_MODULE_VERSION);
MODULE_ALIAS("dm-" HPS_POOL_TARGET_NAME);
