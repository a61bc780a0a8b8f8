// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the channel to hpsd, /dev/hps-channel.
 *
 * One process at a time holds it open: that is how the module knows which
 * hpsd it talks to, and a second daemon finds out at open() (EBUSY) rather
 * than by two daemons answering the same requests.  HPS_IOC_ATTACH checks
 * that both sides speak the same ABI.  When hpsd exits, killed or not, the
 * file is released and a new hpsd can attach to the live pools and volumes.
 * The request rings come with the data path (DATAPATH.md).
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "dm-hps.h"

static atomic_t hps_channel_busy = ATOMIC_INIT(0);

/* Per open file: whether HPS_IOC_ATTACH succeeded on it. */
struct hps_channel_file {
	bool attached;
	pid_t pid;
};

static int hps_channel_open(struct inode *inode, struct file *file)
{
	struct hps_channel_file *cf;

	if (atomic_cmpxchg(&hps_channel_busy, 0, 1))
		return -EBUSY;
	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf) {
		atomic_set(&hps_channel_busy, 0);
		return -ENOMEM;
	}
	file->private_data = cf;
	return 0;
}

static int hps_channel_release(struct inode *inode, struct file *file)
{
	struct hps_channel_file *cf = file->private_data;

	if (cf->attached)
		DMINFO("channel: hpsd (pid %d) detached", cf->pid);
	kfree(cf);
	atomic_set(&hps_channel_busy, 0);
	return 0;
}

static long hps_channel_attach(struct hps_channel_file *cf,
			       struct hps_attach __user *uarg)
{
	struct hps_attach a;
	unsigned int i;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(a.reserved); i++)
		if (a.reserved[i])
			return -EINVAL;
	if (cf->attached)
		return -EALREADY;

	a.kernel_abi = HPS_ABI_VERSION;
	if (a.abi_version != HPS_ABI_VERSION) {
		DMWARN("channel: pid %d speaks abi %u, the module %u: refused",
		       task_pid_nr(current), a.abi_version, HPS_ABI_VERSION);
		return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : -EPROTO;
	}

	mutex_lock(&hps_lock);
	hps_pool_counts(&a.nr_pools, &a.nr_volumes);
	mutex_unlock(&hps_lock);
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;

	cf->attached = true;
	cf->pid = task_pid_nr(current);
	DMINFO("channel: hpsd (pid %d) attached: %u pool(s), %u volume(s)",
	       cf->pid, a.nr_pools, a.nr_volumes);
	return 0;
}

static long hps_channel_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct hps_channel_file *cf = file->private_data;

	switch (cmd) {
	case HPS_IOC_ATTACH:
		return hps_channel_attach(cf, (struct hps_attach __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hps_channel_fops = {
	.owner		= THIS_MODULE,
	.open		= hps_channel_open,
	.release	= hps_channel_release,
	.unlocked_ioctl	= hps_channel_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hps_channel_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= HPS_CHANNEL_NAME,
	.fops	= &hps_channel_fops,
	.mode	= 0600,
};

int hps_channel_init(void)
{
	return misc_register(&hps_channel_dev);
}

void hps_channel_exit(void)
{
	misc_deregister(&hps_channel_dev);
}
