// SPDX-License-Identifier: GPL-2.0
/*
 * dm-hps: the channel to hpsd, /dev/hps-channel.
 *
 * One process at a time holds it open: that is how the module knows which
 * hpsd it talks to, and a second daemon finds out at open() (EBUSY) rather
 * than by two daemons answering the same requests.  HPS_IOC_ATTACH checks
 * that both sides speak the same ABI.  When hpsd exits, killed or not, the
 * file is released and a new hpsd can attach to the live pools and volumes.
 *
 * Requests (struct hps_chan_req) reach hpsd ublk-style: hpsd mmap()s a
 * shared area (one descriptor and one data buffer per tag) and posts an
 * io_uring URING_CMD FETCH per tag; a request is handed to a tag by
 * completing its FETCH, and hpsd answers with COMMIT_AND_FETCH, which also
 * re-arms the tag.  FORMAT.md ("Channel") is the contract.
 *
 * Each tag is in one state, changed only under hps_chan.lock:
 *
 *   IDLE        no fetch posted; nothing of the tag is in use
 *   FETCHING    a FETCH (cmd) is outstanding, no request
 *   DELIVERING  a request was picked for the FETCH; the task-work callback
 *               that fills the descriptor and completes the FETCH is
 *               queued.  Only that callback may touch the tag.
 *   BUSY        hpsd holds the request; it ends with COMMIT_AND_FETCH
 *   COMMITTING  a COMMIT_AND_FETCH is completing the request (in hpsd's
 *               own syscall, so nobody else may touch the tag)
 *
 * Every non-IDLE tag holds a reference on the task that posted its last
 * fetch.  hpsd dying is noticed by hps_chan_work (every second while any
 * tag is owned): a tag whose task is PF_EXITING goes back to IDLE, its
 * FETCH completes with -ECANCELED (otherwise io_uring would wait for it
 * forever and the process could not exit) and its request, if any, goes
 * back to the front of the queue.  io_uring cannot cancel a URING_CMD by
 * itself in 6.1, hence the polling.
 *
 * Lock order: hps_chan.lock is innermost and taken with interrupts off
 * (hps_chan_submit may run in a bio's end_io).  Nothing that can sleep or
 * call into io_uring runs under it.
 */
#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "dm-hps.h"

/* How often hps_chan_work looks for a dead hpsd and for expired requests. */
#define HPS_CHAN_MONITOR_PERIOD	HZ

/* The longest daemon_timeout honoured, so seconds * HZ cannot overflow. */
#define HPS_CHAN_TIMEOUT_MAX	(7U * 24 * 3600)

static unsigned int daemon_timeout = 30;
module_param(daemon_timeout, uint, 0644);
MODULE_PARM_DESC(daemon_timeout,
		 "Seconds a request waits for hpsd when none serves the channel, then fails with EIO (0: at once)");

enum hps_tag_state {
	HPS_TAG_IDLE,
	HPS_TAG_FETCHING,
	HPS_TAG_DELIVERING,
	HPS_TAG_BUSY,
	HPS_TAG_COMMITTING,
};

struct hps_chan_tag {
	enum hps_tag_state state;
	struct io_uring_cmd *cmd;	/* FETCHING, DELIVERING */
	struct hps_chan_req *req;	/* DELIVERING, BUSY, COMMITTING */
	struct task_struct *task;	/* referenced; any state but IDLE */
	u64 serial;			/* of req, once delivered */
};

static struct {
	spinlock_t lock;
	struct list_head queue;		/* waiting for a tag, FIFO */
	struct list_head invalid;	/* refused by submit: done(-EINVAL) */
	struct hps_chan_tag tags[HPS_CHAN_TAGS];
	DECLARE_BITMAP(fetching, HPS_CHAN_TAGS);	/* tags in FETCHING */
	unsigned int nr_owned;		/* tags not IDLE */
	unsigned long lost_at;		/* jiffies: nr_owned last became 0 */
	u64 serial;
	bool exiting;			/* module exit: the work stays off */
	struct delayed_work work;

	/* The shared area: allocated at the first attach, kept until exit. */
	struct mutex area_lock;
	void *area;
} hps_chan;

static atomic_t hps_channel_busy = ATOMIC_INIT(0);

/* Per open file: whether HPS_IOC_ATTACH succeeded on it. */
struct hps_channel_file {
	bool attached;
	pid_t pid;
};

/* The uring command's tag, kept in the cmd's private bytes for task work. */
struct hps_chan_pdu {
	u16 tag;
};

static inline struct hps_chan_pdu *hps_chan_pdu(struct io_uring_cmd *cmd)
{
	BUILD_BUG_ON(sizeof(struct hps_chan_pdu) > sizeof(cmd->pdu));
	return (struct hps_chan_pdu *)cmd->pdu;
}

static struct hps_io_desc *hps_chan_desc(unsigned int tag)
{
	return (struct hps_io_desc *)((char *)hps_chan.area +
				      HPS_CHAN_DESC_OFFSET) + tag;
}

static void *hps_chan_buf(unsigned int tag)
{
	return (char *)hps_chan.area + HPS_CHAN_BUF_OFFSET +
	       (size_t)tag * HPS_CHAN_IO_BYTES;
}

static bool hps_task_dying(struct task_struct *task)
{
	return READ_ONCE(task->flags) & PF_EXITING;
}

static void hps_chan_kick(unsigned long delay)
{
	/* Caller holds the lock, so exiting cannot change under it. */
	if (!hps_chan.exiting)
		mod_delayed_work(system_wq, &hps_chan.work, delay);
}

/* Arms the monitor unless it is already pending (lock held). */
static void hps_chan_watch(void)
{
	if (!hps_chan.exiting)
		schedule_delayed_work(&hps_chan.work, HPS_CHAN_MONITOR_PERIOD);
}

/*
 * A tag goes back to IDLE (lock held).  Returns the task reference for
 * the caller to drop once the lock is released.
 */
static struct task_struct *hps_tag_release(struct hps_chan_tag *t)
{
	struct task_struct *task = t->task;
	unsigned int tag = t - hps_chan.tags;

	clear_bit(tag, hps_chan.fetching);
	t->state = HPS_TAG_IDLE;
	t->cmd = NULL;
	t->req = NULL;
	t->task = NULL;
	if (!--hps_chan.nr_owned) {
		hps_chan.lost_at = jiffies;
		/* Queued requests now wait against daemon_timeout. */
		hps_chan_kick(0);
	}
	return task;
}

/* Copies a request's data between its bio and the tag's buffer. */
static void hps_chan_copy(struct hps_chan_req *req, void *buf, bool to_bio)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	size_t off = 0;

	__bio_for_each_segment(bv, req->bio, iter, req->iter) {
		if (to_bio)
			memcpy_to_bvec(&bv, (char *)buf + off);
		else
			memcpy_from_bvec((char *)buf + off, &bv);
		off += bv.bv_len;
	}
}

/* Fills the descriptor (and for WRITE the buffer) of a tag hpsd gets now. */
static void hps_chan_fill(unsigned int tag, struct hps_chan_req *req,
			  u64 serial)
{
	struct hps_io_desc *d = hps_chan_desc(tag);

	d->op = req->op;
	d->flags = req->flags;
	d->tag = tag;
	d->volume_id = req->volume_id;
	d->offset = req->offset;
	d->len = req->len;
	d->serial = serial;
	if (req->op == HPS_OP_WRITE || req->op == HPS_OP_REPLICATE)
		hps_chan_copy(req, hps_chan_buf(tag), false);
}

/* Inserts requests taken back from hpsd before everything queued (lock held). */
static int hps_cmp_serial(const void *a, const void *b)
{
	const struct hps_chan_tag *x = *(const struct hps_chan_tag * const *)a;
	const struct hps_chan_tag *y = *(const struct hps_chan_tag * const *)b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static void hps_chan_requeue(struct hps_chan_tag **taken, unsigned int n)
{
	unsigned int i;

	sort(taken, n, sizeof(*taken), hps_cmp_serial, NULL);
	/* In reverse, each to the head: the oldest ends up first. */
	for (i = n; i-- > 0;)
		list_add(&taken[i]->req->node, &hps_chan.queue);
}

static void hps_chan_deliver_cb(struct io_uring_cmd *cmd, unsigned int issue_flags);

/*
 * Hands queued requests to FETCHING tags (lock held).  The FETCHes to
 * complete are returned in @kick (tags), to be completed with
 * io_uring_cmd_complete_in_task() after the lock is dropped: until the
 * callback has run, the tag is DELIVERING and only the callback touches it.
 */
static unsigned int hps_chan_dispatch(unsigned int *kick)
{
	unsigned int n = 0, tag;
	struct hps_chan_tag *t;

	while (!list_empty(&hps_chan.queue)) {
		tag = find_first_bit(hps_chan.fetching, HPS_CHAN_TAGS);
		if (tag >= HPS_CHAN_TAGS)
			break;
		t = &hps_chan.tags[tag];
		clear_bit(tag, hps_chan.fetching);
		t->req = list_first_entry(&hps_chan.queue, struct hps_chan_req, node);
		list_del_init(&t->req->node);
		t->serial = ++hps_chan.serial;
		t->state = HPS_TAG_DELIVERING;
		kick[n++] = tag;
	}
	return n;
}

static void hps_chan_kick_tags(const unsigned int *kick, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		io_uring_cmd_complete_in_task(hps_chan.tags[kick[i]].cmd,
					      hps_chan_deliver_cb);
}

static bool hps_chan_req_valid(const struct hps_chan_req *req)
{
	switch (req->op) {
	case HPS_OP_READ:
	case HPS_OP_WRITE:
	case HPS_OP_REPLICATE:
		return req->bio && req->len && req->len <= HPS_CHAN_IO_BYTES &&
		       req->iter.bi_size == req->len &&
		       !(req->flags & ~HPS_IOF_FUA) &&
		       (req->op != HPS_OP_READ || !req->flags);
	case HPS_OP_DISCARD:
	case HPS_OP_FLUSH:
	case HPS_OP_REPL_FLUSH:
		return !req->flags;
	default:
		return false;
	}
}

void hps_chan_submit(struct hps_chan_req *req)
{
	unsigned int kick[HPS_CHAN_TAGS];
	unsigned long flags;
	unsigned int n = 0;

	INIT_LIST_HEAD(&req->node);
	req->queued = jiffies;

	spin_lock_irqsave(&hps_chan.lock, flags);
	if (unlikely(!hps_chan_req_valid(req))) {
		/* done() must run in process context: the work calls it. */
		list_add_tail(&req->node, &hps_chan.invalid);
		hps_chan_kick(0);
	} else {
		list_add_tail(&req->node, &hps_chan.queue);
		n = hps_chan_dispatch(kick);
		/* No hpsd: the work fails it when daemon_timeout runs out. */
		if (!hps_chan.nr_owned) {
			if (READ_ONCE(daemon_timeout))
				hps_chan_watch();
			else
				hps_chan_kick(0);
		}
	}
	spin_unlock_irqrestore(&hps_chan.lock, flags);

	hps_chan_kick_tags(kick, n);
}

/*
 * Task work of a FETCH that got a request: runs in the task that posted it,
 * or from io_uring's fallback work when that task is exiting, in which case
 * the request goes back to the queue and the FETCH is cancelled.
 */
static void hps_chan_deliver_cb(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	unsigned int tag = hps_chan_pdu(cmd)->tag;
	struct hps_chan_tag *t = &hps_chan.tags[tag];
	unsigned int kick[HPS_CHAN_TAGS];
	struct task_struct *put;
	struct hps_chan_req *req;
	unsigned long flags;
	unsigned int n;
	u64 serial;

	spin_lock_irqsave(&hps_chan.lock, flags);
	req = t->req;
	serial = t->serial;
	if (unlikely(current != t->task || hps_task_dying(current))) {
		list_add(&req->node, &hps_chan.queue);
		put = hps_tag_release(t);
		n = hps_chan_dispatch(kick);
		spin_unlock_irqrestore(&hps_chan.lock, flags);
		hps_chan_kick_tags(kick, n);
		put_task_struct(put);
		io_uring_cmd_done(cmd, -ECANCELED, 0, issue_flags);
		return;
	}
	t->state = HPS_TAG_BUSY;
	t->cmd = NULL;
	spin_unlock_irqrestore(&hps_chan.lock, flags);

	/* BUSY with a live task in its own task work: the tag is ours. */
	hps_chan_fill(tag, req, serial);
	io_uring_cmd_done(cmd, 0, 0, issue_flags);
}

/*
 * Arms tag @t for @cmd on behalf of current (lock held).  When a request
 * is waiting, the tag takes it at once (BUSY) and it is returned: the
 * caller fills the descriptor and completes the command with 0.  Otherwise
 * the tag is FETCHING and NULL is returned.  *put gets a task reference to
 * drop after unlocking.
 */
static struct hps_chan_req *hps_chan_arm(struct hps_chan_tag *t,
					 struct io_uring_cmd *cmd,
					 struct task_struct **put, u64 *serial)
{
	struct hps_chan_req *req = NULL;

	*put = t->task;		/* NULL when IDLE */
	if (t->state == HPS_TAG_IDLE)
		hps_chan.nr_owned++;
	get_task_struct(current);
	t->task = current;
	if (!list_empty(&hps_chan.queue)) {
		req = list_first_entry(&hps_chan.queue, struct hps_chan_req, node);
		list_del_init(&req->node);
		t->serial = ++hps_chan.serial;
		*serial = t->serial;
		t->req = req;
		t->state = HPS_TAG_BUSY;
	} else {
		hps_chan_pdu(cmd)->tag = t - hps_chan.tags;
		t->cmd = cmd;
		t->req = NULL;
		t->state = HPS_TAG_FETCHING;
		set_bit(t - hps_chan.tags, hps_chan.fetching);
	}
	hps_chan_watch();
	return req;
}

static int hps_chan_fetch(struct hps_chan_tag *t, struct io_uring_cmd *cmd)
{
	struct task_struct *put;
	struct hps_chan_req *req;
	unsigned long flags;
	u64 serial = 0;

	spin_lock_irqsave(&hps_chan.lock, flags);
	if (t->state != HPS_TAG_IDLE) {
		spin_unlock_irqrestore(&hps_chan.lock, flags);
		return -EBUSY;
	}
	req = hps_chan_arm(t, cmd, &put, &serial);
	spin_unlock_irqrestore(&hps_chan.lock, flags);
	if (put)
		put_task_struct(put);

	if (!req)
		return -EIOCBQUEUED;
	hps_chan_fill(t - hps_chan.tags, req, serial);
	return 0;
}

static int hps_chan_commit(struct hps_chan_tag *t, struct io_uring_cmd *cmd,
			   int result)
{
	unsigned int tag = t - hps_chan.tags;
	struct task_struct *put;
	struct hps_chan_req *req;
	unsigned long flags;
	u64 serial = 0;

	spin_lock_irqsave(&hps_chan.lock, flags);
	if (t->state != HPS_TAG_BUSY) {
		spin_unlock_irqrestore(&hps_chan.lock, flags);
		return -EINVAL;
	}
	req = t->req;
	t->state = HPS_TAG_COMMITTING;
	spin_unlock_irqrestore(&hps_chan.lock, flags);

	if (req->op == HPS_OP_READ && !result)
		hps_chan_copy(req, hps_chan_buf(tag), true);
	req->done(req, result);

	spin_lock_irqsave(&hps_chan.lock, flags);
	req = hps_chan_arm(t, cmd, &put, &serial);
	spin_unlock_irqrestore(&hps_chan.lock, flags);
	if (put)
		put_task_struct(put);

	if (!req)
		return -EIOCBQUEUED;
	hps_chan_fill(tag, req, serial);
	return 0;
}

static int hps_channel_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct hps_channel_file *cf = cmd->file->private_data;
	struct hps_uring_cmd c;
	unsigned int tag;

	if (!READ_ONCE(cf->attached) || !hps_chan.area)
		return -EPERM;
	/*
	 * The task that posts a fetch is the one watched for exiting; an
	 * io-wq worker (IOSQE_ASYNC) is not hpsd's, and a task already
	 * exiting would leave the fetch to the monitor at once.
	 */
	if (current->flags & (PF_IO_WORKER | PF_EXITING))
		return -EINVAL;
	if (cmd->cmd_op != HPS_UCMD_FETCH && cmd->cmd_op != HPS_UCMD_COMMIT_AND_FETCH)
		return -EINVAL;

	/* The SQE is in memory user space can write: read it once. */
	memcpy(&c, cmd->cmd, sizeof(c));
	if (c.reserved0 || c.reserved1 || c.tag >= HPS_CHAN_TAGS)
		return -EINVAL;
	tag = array_index_nospec(c.tag, HPS_CHAN_TAGS);

	if (cmd->cmd_op == HPS_UCMD_FETCH) {
		if (c.result)
			return -EINVAL;
		return hps_chan_fetch(&hps_chan.tags[tag], cmd);
	}
	if (c.result > 0 || c.result < -MAX_ERRNO)
		return -EINVAL;
	return hps_chan_commit(&hps_chan.tags[tag], cmd, c.result);
}

/*
 * Takes back what dead hpsd tasks hold (lock held): FETCHING tags go to
 * @cancel (their FETCHes are completed with -ECANCELED after unlocking),
 * BUSY ones go back to the queue.  @all: every tag not in use by a
 * callback or a syscall, whatever its task (the file was released).
 */
static unsigned int hps_chan_reap(bool all, struct io_uring_cmd **cancel,
				  unsigned int *nr_cancel,
				  struct task_struct **put)
{
	struct hps_chan_tag *taken[HPS_CHAN_TAGS];
	unsigned int i, n = 0, nr_put = 0;
	struct hps_chan_tag *t;

	*nr_cancel = 0;
	for (i = 0; i < HPS_CHAN_TAGS; i++) {
		t = &hps_chan.tags[i];
		if (t->state != HPS_TAG_FETCHING && t->state != HPS_TAG_BUSY)
			continue;
		if (!all && !hps_task_dying(t->task))
			continue;
		if (t->state == HPS_TAG_FETCHING) {
			cancel[(*nr_cancel)++] = t->cmd;
		} else {
			taken[n++] = t;
			continue;
		}
		put[nr_put++] = hps_tag_release(t);
	}
	hps_chan_requeue(taken, n);
	for (i = 0; i < n; i++)
		put[nr_put++] = hps_tag_release(taken[i]);
	return nr_put;
}

static void hps_chan_finish(struct io_uring_cmd **cancel, unsigned int nr_cancel,
			    struct task_struct **put, unsigned int nr_put,
			    unsigned int *kick, unsigned int nr_kick)
{
	unsigned int i;

	hps_chan_kick_tags(kick, nr_kick);
	for (i = 0; i < nr_cancel; i++)
		io_uring_cmd_done(cancel[i], -ECANCELED, 0, IO_URING_F_UNLOCKED);
	for (i = 0; i < nr_put; i++)
		put_task_struct(put[i]);
}

/*
 * The channel's housekeeping, in process context: hands back what an
 * exiting hpsd held, fails requests refused by submit and those that
 * waited longer than daemon_timeout for an hpsd, and runs again while
 * there is anything to watch.
 */
static void hps_chan_work_fn(struct work_struct *work)
{
	struct io_uring_cmd *cancel[HPS_CHAN_TAGS];
	struct task_struct *put[HPS_CHAN_TAGS];
	unsigned int kick[HPS_CHAN_TAGS];
	unsigned int nr_cancel, nr_put, nr_kick, timeout_s;
	struct hps_chan_req *req, *tmp;
	unsigned long flags, timeout, deadline, next = 0;
	LIST_HEAD(invalid);
	LIST_HEAD(expired);
	bool lost;

	spin_lock_irqsave(&hps_chan.lock, flags);
	lost = hps_chan.nr_owned;
	nr_put = hps_chan_reap(false, cancel, &nr_cancel, put);
	lost = lost && !hps_chan.nr_owned;
	nr_kick = hps_chan_dispatch(kick);
	list_splice_init(&hps_chan.invalid, &invalid);

	if (!hps_chan.nr_owned) {
		timeout_s = min(READ_ONCE(daemon_timeout), HPS_CHAN_TIMEOUT_MAX);
		timeout = (unsigned long)timeout_s * HZ;
		list_for_each_entry_safe(req, tmp, &hps_chan.queue, node) {
			deadline = (time_after(req->queued, hps_chan.lost_at) ?
				    req->queued : hps_chan.lost_at) + timeout;
			if (!time_before(jiffies, deadline))
				list_move_tail(&req->node, &expired);
			else if (!next || time_before(deadline, next))
				next = deadline;
		}
	}
	if (!hps_chan.exiting) {
		if (hps_chan.nr_owned)
			schedule_delayed_work(&hps_chan.work, HPS_CHAN_MONITOR_PERIOD);
		else if (next)
			schedule_delayed_work(&hps_chan.work,
					      min_t(unsigned long, next - jiffies,
						    HPS_CHAN_MONITOR_PERIOD));
	}
	spin_unlock_irqrestore(&hps_chan.lock, flags);

	if (lost)
		DMWARN("channel: hpsd exited; requests it held are queued again");
	hps_chan_finish(cancel, nr_cancel, put, nr_put, kick, nr_kick);

	list_for_each_entry_safe(req, tmp, &invalid, node) {
		list_del_init(&req->node);
		DMERR_LIMIT("channel: invalid request (op %u, flags %#x, len %llu): failed",
			    req->op, req->flags, (unsigned long long)req->len);
		req->done(req, -EINVAL);
	}
	if (!list_empty(&expired))
		DMERR_LIMIT("channel: no hpsd for %u s: failing queued requests with EIO",
			    READ_ONCE(daemon_timeout));
	list_for_each_entry_safe(req, tmp, &expired, node) {
		list_del_init(&req->node);
		req->done(req, -EIO);
	}
}

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

/*
 * The last reference to the file is gone: no uring command of it is in
 * flight (each holds the file) and it is not mapped.  What hpsd still
 * held goes back to the queue.
 */
static int hps_channel_release(struct inode *inode, struct file *file)
{
	struct hps_channel_file *cf = file->private_data;
	struct io_uring_cmd *cancel[HPS_CHAN_TAGS];
	struct task_struct *put[HPS_CHAN_TAGS];
	unsigned int kick[HPS_CHAN_TAGS];
	unsigned int nr_cancel, nr_put;
	unsigned long flags;

	spin_lock_irqsave(&hps_chan.lock, flags);
	nr_put = hps_chan_reap(true, cancel, &nr_cancel, put);
	spin_unlock_irqrestore(&hps_chan.lock, flags);
	hps_chan_finish(cancel, nr_cancel, put, nr_put, kick, 0);

	if (cf->attached) {
		/* What it had taken for writeback is taken again by the next. */
		hps_wb_forget_all();
		DMINFO("channel: hpsd (pid %d) detached", cf->pid);
	}
	kfree(cf);
	atomic_set(&hps_channel_busy, 0);
	return 0;
}

static int hps_chan_area_alloc(void)
{
	int r = 0;

	mutex_lock(&hps_chan.area_lock);
	if (!hps_chan.area) {
		hps_chan.area = vmalloc_user(HPS_CHAN_MAP_BYTES);
		if (!hps_chan.area)
			r = -ENOMEM;
	}
	mutex_unlock(&hps_chan.area_lock);
	return r;
}

static long hps_channel_attach(struct hps_channel_file *cf,
			       struct hps_attach __user *uarg)
{
	struct hps_attach a;
	unsigned int i;
	int r;

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
		       task_tgid_nr(current), a.abi_version, HPS_ABI_VERSION);
		return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : -EPROTO;
	}

	r = hps_chan_area_alloc();
	if (r)
		return r;

	mutex_lock(&hps_lock);
	hps_pool_counts(&a.nr_pools, &a.nr_volumes);
	mutex_unlock(&hps_lock);
	a.nr_tags = HPS_CHAN_TAGS;
	a.io_bytes = HPS_CHAN_IO_BYTES;
	a.map_bytes = HPS_CHAN_MAP_BYTES;
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;

	cf->pid = task_tgid_nr(current);
	WRITE_ONCE(cf->attached, true);
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
	case HPS_IOC_WB_TAKE:
	case HPS_IOC_WB_DONE:
	case HPS_IOC_WB_CLEAN:
		/* Writeback state belongs to the attached hpsd (dm-hps-wb.c). */
		if (!READ_ONCE(cf->attached))
			return -EPERM;
		return hps_wb_ioctl(cmd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int hps_channel_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hps_channel_file *cf = file->private_data;

	if (!READ_ONCE(cf->attached) || !hps_chan.area)
		return -EPERM;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != HPS_CHAN_MAP_BYTES)
		return -EINVAL;
	/* The kernel writes descriptors and data at any time: share only. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return remap_vmalloc_range(vma, hps_chan.area, 0);
}

static const struct file_operations hps_channel_fops = {
	.owner		= THIS_MODULE,
	.open		= hps_channel_open,
	.release	= hps_channel_release,
	.unlocked_ioctl	= hps_channel_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hps_channel_mmap,
	.uring_cmd	= hps_channel_uring_cmd,
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
	spin_lock_init(&hps_chan.lock);
	INIT_LIST_HEAD(&hps_chan.queue);
	INIT_LIST_HEAD(&hps_chan.invalid);
	INIT_DELAYED_WORK(&hps_chan.work, hps_chan_work_fn);
	mutex_init(&hps_chan.area_lock);
	hps_chan.lost_at = jiffies;
	return misc_register(&hps_channel_dev);
}

/*
 * Module exit: no file is open (it pins the module) and no volume exists
 * (its target pins the module too), so nothing can be queued or in
 * flight; anything left would be a bug in a submitter, and still gets its
 * done() rather than being leaked.
 */
void hps_channel_exit(void)
{
	struct hps_chan_req *req, *tmp;
	unsigned long flags;
	LIST_HEAD(left);

	misc_deregister(&hps_channel_dev);

	spin_lock_irqsave(&hps_chan.lock, flags);
	hps_chan.exiting = true;
	spin_unlock_irqrestore(&hps_chan.lock, flags);
	cancel_delayed_work_sync(&hps_chan.work);

	spin_lock_irqsave(&hps_chan.lock, flags);
	list_splice_init(&hps_chan.invalid, &left);
	list_splice_tail_init(&hps_chan.queue, &left);
	spin_unlock_irqrestore(&hps_chan.lock, flags);
	list_for_each_entry_safe(req, tmp, &left, node) {
		list_del_init(&req->node);
		req->done(req, -EIO);
	}

	vfree(hps_chan.area);
	hps_chan.area = NULL;
}
