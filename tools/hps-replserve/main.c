// SPDX-License-Identifier: GPL-2.0-only
/*
 * hps-replserve: serves /dev/hps-channel the way hpsd's replication will,
 * with no peer: every HPS_OP_REPLICATE and HPS_OP_REPL_FLUSH is printed
 * and answered 0; reads (of an empty backend) are answered with zeroes;
 * any other request is answered -EIO.  A lab tool for the
 * kernel's primary role (test/lab/scenarios/repl-kernel.sh): run it as
 * root with no hpsd holding the channel; it serves until SIGTERM/SIGINT.
 *
 * Output, one line a request, flushed:
 *   replicate <volume_id> <offset> <len> <fua 0|1> <fnv1a-64 of the data, hex>
 *   repl_flush <volume_id>
 *   read <volume_id> <offset> <len>
 *   other <op> <volume_id> <offset> <len>
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dm-hps.h>

#include "lab-common/hps-ucmd.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void post(struct io_uring *ring, int fd, unsigned int op, unsigned int tag, int result)
{
	struct hps_uring_cmd c = { .tag = tag, .result = result };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	if (!sqe) {
		fprintf(stderr, "io_uring_get_sqe: ring full\n");
		exit(2);
	}
	hps_prep_ucmd(sqe, fd, op, &c);
}

static int answer(const struct hps_io_desc *d, unsigned char *buf)
{
	switch (d->op) {
	case HPS_OP_READ:
		printf("read %u %llu %llu\n", d->volume_id,
		       (unsigned long long)d->offset, (unsigned long long)d->len);
		memset(buf, 0, d->len);
		return 0;
	case HPS_OP_REPLICATE:
		printf("replicate %u %llu %llu %d %016llx\n", d->volume_id,
		       (unsigned long long)d->offset, (unsigned long long)d->len,
		       !!(d->flags & HPS_IOF_FUA),
		       (unsigned long long)fnv1a(buf, d->len));
		return 0;
	case HPS_OP_REPL_FLUSH:
		printf("repl_flush %u\n", d->volume_id);
		return 0;
	default:
		printf("other %u %u %llu %llu\n", d->op, d->volume_id,
		       (unsigned long long)d->offset, (unsigned long long)d->len);
		return -EIO;
	}
}

int main(void)
{
	struct hps_attach a = { .abi_version = HPS_ABI_VERSION };
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned char *area;
	unsigned int tag;
	int fd, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = open("/dev/hps-channel", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/hps-channel");
		return 2;
	}
	if (ioctl(fd, HPS_IOC_ATTACH, &a)) {
		perror("HPS_IOC_ATTACH");
		return 2;
	}
	area = mmap(NULL, HPS_CHAN_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (area == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	r = io_uring_queue_init(2 * HPS_CHAN_TAGS, &ring, 0);
	if (r < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-r));
		return 2;
	}
	for (tag = 0; tag < HPS_CHAN_TAGS; tag++)
		post(&ring, fd, HPS_UCMD_FETCH, tag, 0);
	io_uring_submit(&ring);
	fprintf(stderr, "hps-replserve: serving %d tags\n", HPS_CHAN_TAGS);

	while (!stopping) {
		const struct hps_io_desc *d;

		r = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		if (r == -ETIME || r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "io_uring_wait_cqe: %s\n", strerror(-r));
			return 2;
		}
		tag = (unsigned int)cqe->user_data;
		r = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (r < 0) {
			fprintf(stderr, "hps-replserve: tag %u: %s\n", tag, strerror(-r));
			continue;
		}
		d = (const struct hps_io_desc *)(area + HPS_CHAN_DESC_OFFSET) + tag;
		r = answer(d, area + HPS_CHAN_BUF_OFFSET + (size_t)tag * HPS_CHAN_IO_BYTES);
		post(&ring, fd, HPS_UCMD_COMMIT_AND_FETCH, tag, r);
		io_uring_submit(&ring);
	}
	/* Exiting cancels the outstanding FETCHes; the module lets go. */
	return 0;
}
